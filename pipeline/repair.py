"""Repair: read the pages that are really there from a damaged PDF that poppler refuses.

A PDF cut short (an interrupted copy or download) loses its cross-reference table and
trailer, and poppler then refuses the whole file. qpdf (through pikepdf) can often rebuild
the table from the objects that did arrive; page N is copied into a one-page PDF in a
temp folder and poppler reads that copy. The original is never written to. Pages whose
content did not arrive come out blank, so every repaired page carries a warning.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Iterator

REPAIRED_WARNING = "read from a damaged PDF (repaired copy): this page may be incomplete"


@contextmanager
def single_page_copy(path: str, number: int) -> Iterator[str | None]:
    """Path of a one-page PDF holding page `number` of `path` as qpdf rebuilds it; None when it cannot."""
    import pikepdf

    with tempfile.TemporaryDirectory(prefix="sohoa-repair-") as tmp:
        copy: str | None = os.path.join(tmp, "page.pdf")
        try:
            with pikepdf.open(path) as pdf, pikepdf.new() as out:
                out.pages.append(pdf.pages[number - 1])
                out.save(copy)
        except (pikepdf.PdfError, pikepdf.PasswordError, IndexError, RuntimeError, ValueError, OSError):
            copy = None
        yield copy
