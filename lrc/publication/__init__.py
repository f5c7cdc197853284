"""Publications (公开发布): frozen rankings, their content and how they are rendered and checked."""
