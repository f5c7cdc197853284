"""The HTTP API (FastAPI under Uvicorn, `lrc serve`): the third front door, calling the same service."""

from lrc.api.app import create_app

__all__ = ["create_app"]
