"""Diacritics restoration and OCR post-correction (identity until the language model lands)."""

from __future__ import annotations

from typing import Sequence

from pipeline.pagetext import Line, PageText, nfc


def restore_text(text: str) -> str:
    """Restore one line of text. Identity for now."""
    return nfc(text)


def restore_page(page: PageText) -> PageText:
    """The page with restored lines; each changed line keeps the OCR original in `raw`."""
    return page
