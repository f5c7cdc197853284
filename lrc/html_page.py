"""One standalone HTML document (the official notice, the hearing dossier): UTF-8, ``lang="zh-CN"``, inline
style, and a Content-Security-Policy that lets the page make no request of its own."""

from __future__ import annotations

import html


def standalone_page(title: str, style: str, policy: str, body: str) -> bytes:
    """The page's bytes: ``title`` is escaped here; ``body`` is markup the caller escaped value by value."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="referrer" content="no-referrer">
<title>{html.escape(title)}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
""".encode()
