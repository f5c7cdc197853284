"""The Chinese dashboard (Streamlit): `lrc dashboard` runs ``dashboard/app.py``."""

from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
APP_PATH = APP_DIR / "app.py"
PAGES_DIR = APP_DIR / "views"

__all__ = ["APP_DIR", "APP_PATH", "PAGES_DIR"]
