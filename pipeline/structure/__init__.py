"""Structure: from the (restored) text of a document to its header, citations, sections, assignments, … ."""

from __future__ import annotations

from typing import Sequence

from pipeline.pagetext import PageText
from pipeline.structure.model import Extraction


def extract_pages(pages: Sequence[PageText]) -> Extraction:
    """Extraction of a whole document from its pages (placeholder until the structure parser lands)."""
    return Extraction()
