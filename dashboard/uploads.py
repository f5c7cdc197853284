"""Uploaded files handed to the service, which reads files by path: each upload is written to a folder
of its own under its own name (so its suffix, which says what it is, is kept) for as long as the call
lasts, then removed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lrc.service.hearings import MEDIA_TYPES

UPLOAD_TYPES = [suffix.lstrip(".") for suffix in MEDIA_TYPES]  # PDF, Word and images, as the service takes


@contextmanager
def uploaded(upload: Any) -> Iterator[Path]:
    """An uploaded file (``st.file_uploader``'s answer) as a path under its own name."""
    name = Path(str(upload.name)).name or "upload"
    with tempfile.TemporaryDirectory(prefix="lrc-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(upload.getvalue())
        yield path
