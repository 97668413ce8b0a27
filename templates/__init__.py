"""Jinja2 templates and print CSS for every report; WeasyPrint may read files under this folder only."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent
