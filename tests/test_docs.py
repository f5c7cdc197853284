"""Generated reference pages stay in step with the code."""

from __future__ import annotations

import pytest

from lrc.docs import DOCS, pages


@pytest.mark.parametrize(("name", "text"), sorted(pages().items()))
def test_generated_page_is_current(name: str, text: str) -> None:
    path = DOCS / name
    assert path.exists() and path.read_text(encoding="utf-8") == text, (
        f"docs/{name} is stale: run `python -m lrc.docs`"
    )


def test_every_command_and_item_is_documented() -> None:
    from indicators import load_catalogue

    generated = pages()
    for command in ("init", "sample", "ingest", "score", "rank", "explain", "catalogue", "schema", "demo"):
        assert f"## `lrc {command}`" in generated["cli.md"]
    for item in load_catalogue().items:
        assert f"| {item.code} |" in generated["catalogue.md"]
