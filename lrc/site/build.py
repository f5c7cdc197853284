"""Building the public disclosure site (公示网站): static Chinese pages that work from ``file://`` and from
any static host, and each publication's data file with its SHA-256 beside it.

The tree written to ``output``::

    index.html              publications, newest first
    p/<id>.html             one publication: ranking (searchable), 红榜, 曝光台, footnotes, its hash
    e/<uscc>.html           one enterprise: its standing, records, history, lists and plan commitments
    data/<id>.json          exactly ``canonical_bytes(content)``
    data/<id>.json.sha256   ``<hash>  <id>.json`` (``sha256sum -c`` checks it)
    assets/site.css, site.js

The builder sees only the publications' public content and the enterprises' public plan commitments. It
checks every content against its stored hash before writing anything, builds the tree beside ``output``
and then puts it in place, so a failed build leaves the previous site as it was. The same input gives the
same bytes (no clock unless ``built_at``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from lrc.publication.amendments import Amendments
from lrc.publication.commitments import Commitment
from lrc.publication.content import PublicationContent, canonical_bytes
from lrc.site.collect import SiteError, enterprises, gather
from lrc.site.enterprise import enterprise_page
from lrc.site.pages import data_name, enterprise_path, index_page, publication_page, publication_path

__all__ = ["SiteSummary", "build_site"]

ASSETS = ("site.css", "site.js")
MARKER = ".lrc-site"  # says a folder holds a site this builder wrote, so a rebuild may replace it
MARKER_TEXT = "lrc public disclosure site\n"


class SiteSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    output: Path
    publications: int
    enterprises: int
    files: int  # every file written, the marker included

    def __str__(self) -> str:
        return f"{self.publications} 期发布,{self.enterprises} 家企业,共 {self.files} 个文件"


def _files(
    publications: list[tuple[int, PublicationContent, str]],
    built_at: str | None,
    commitments: Sequence[Commitment],
    amendments: Amendments,
) -> dict[str, bytes]:
    """Every file of the site by its relative path (checks the publications first)."""
    published = gather(publications)
    by_id = {p.id: p for p in published}
    files = {MARKER: MARKER_TEXT.encode(), "index.html": index_page(published, built_at=built_at).encode()}
    for name in ASSETS:
        files[f"assets/{name}"] = resources.files("lrc.site").joinpath("assets", name).read_bytes()
    for pub in published:
        name = data_name(pub.id)
        files[f"data/{name}"] = canonical_bytes(pub.content)
        files[f"data/{name}.sha256"] = f"{pub.hash}  {name}\n".encode()
        shown = publication_page(pub, by_id, built_at=built_at, amendments=amendments)
        files[publication_path(pub.id)] = shown.encode()
    plans: dict[str, list[Commitment]] = {}
    for c in sorted(commitments, key=lambda c: (c.uscc, c.due, c.hearing_date, c.item_code, c.action)):
        plans.setdefault(c.uscc, []).append(c)
    for firm in enterprises(published):
        page = enterprise_page(firm, built_at=built_at, commitments=plans.get(firm.uscc, []), amendments=amendments)
        files[enterprise_path(firm.uscc)] = page.encode()
    return files


def _replaceable(output: Path) -> None:
    """Refuse to replace anything but nothing, an empty folder or a site this builder wrote."""
    if not output.exists() and not output.is_symlink():
        return
    if output.is_symlink() or not output.is_dir():
        raise SiteError(f"{output} 不是文件夹,未生成网站 (the output is not a folder; nothing written)")
    if any(output.iterdir()) and not (output / MARKER).is_file():
        raise SiteError(
            f"{output} 不是空文件夹,也不是以前生成的公示网站,未覆盖 "
            "(the output folder is neither empty nor an earlier site; nothing written)"
        )


def _write(files: dict[str, bytes], folder: Path) -> None:
    for relative, data in sorted(files.items()):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_site(
    publications: list[tuple[int, PublicationContent, str]],
    output: Path,
    *,
    built_at: str | None = None,
    commitments: Sequence[Commitment] = (),
    amendments: Amendments | None = None,
) -> SiteSummary:
    """Write the site for ``publications`` — (id, content, hash as stored) — to ``output``, each listed
    enterprise's page with its ``commitments`` (an enterprise in no publication gets no page), and the
    ``amendments`` since (corrected results beside the published ones; records that stopped counting unlisted).

    Raises ``SiteError`` naming the publication when a content does not match its stored hash (a tampered
    store is never published), and when ``output`` is a folder holding something other than an earlier site.
    """
    output = Path(output).absolute()
    files = _files(publications, built_at, commitments, amendments or Amendments())
    _replaceable(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        _write(files, staging)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a static host must read it
        if output.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=output.parent))
            output.rename(retired / "site")
            staging.rename(output)
            shutil.rmtree(retired)
        else:
            staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    firms = len({p.rsplit("/", 1)[-1] for p in files if p.startswith("e/")})
    return SiteSummary(output=output, publications=len(publications), enterprises=firms, files=len(files))
