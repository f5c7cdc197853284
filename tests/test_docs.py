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
    from indicators import available_versions, load_catalogue

    generated = pages()
    commands = (
        "init", "sample", "ingest", "score", "rank", "explain", "catalogue", "catalogue diff", "catalogue impact",
        "schema", "demo", "record add", "record ingest", "record types", "records",
    )  # fmt: skip
    for command in commands:
        assert f"## `lrc {command}`" in generated["cli.md"], command
    for version in available_versions():
        catalogue = load_catalogue(version)
        assert f"[{version}](catalogue-{version}.md)" in generated["catalogue.md"]
        for item in catalogue.items:
            assert f"| {item.code} |" in generated[f"catalogue-{version}.md"]
        for kind in catalogue.record_types:
            assert f"| {kind.code} |" in generated[f"catalogue-{version}.md"]
