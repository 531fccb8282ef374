"""The document as the structure parser sees it: numbered lines with char offsets, plus folding.

`fold` maps every character to one character (lowercase, no diacritics, đ→d, dashes→'-'), so a
folded string has the same offsets as the original: matching on folded text tolerates lost tone
marks (OCR, unaccented typing) while spans still index the printed text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Optional, Sequence

from pipeline.pagetext import PageText, join_pages, line_offsets
from pipeline.structure.model import Provenance

_DASHES = "\u2013\u2014\u2012\u2212\u2010\u2011"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _DASHES:
        return "-"
    if ch in "đĐ":
        return "d"
    if ch in "\u2018\u2019\u02bc":
        return "'"
    if ch in "\u201c\u201d":
        return '"'
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """Lowercase, diacritics removed, one char per char (offsets preserved)."""
    return "".join(_fold_char(c) for c in text)


def phrase_pattern(phrase: str) -> str:
    """Regex for a phrase whose words a hard wrap may separate: 'quy định' matches 'quy\nđịnh'."""
    return r"\s+".join(re.escape(w) for w in phrase.split())


# OCR reads Vietnamese Đ/đ as the Icelandic eth (Ð/ð), which Vietnamese never uses: same length swap
_OCR_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_OCR_LOOKALIKES)


NAME_TRAIL = " :;,.-–"     # what a name never ends with


def squash(text: str) -> str:
    """Whitespace runs to one space, trimmed."""
    return " ".join(text.split())


def tidy_symbol(text: str) -> str:
    """A document symbol without OCR spaces: '82 / KH - UBND' -> '82/KH-UBND'."""
    out = re.sub(r"\s*([/\-–])\s*", r"\1", squash(text)).replace("–", "-")
    return out


@dataclass(frozen=True)
class TextLine:
    index: int
    start: int            # char offset into the document text
    end: int
    text: str             # the line as printed
    region: str = "body"
    page: Optional[int] = None
    bbox: Optional[tuple[int, int, int, int]] = None

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def content_start(self) -> int:
        """Offset of the first non-space char."""
        return self.start + (len(self.text) - len(self.text.lstrip()))

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class DocText:
    text: str
    lines: tuple[TextLine, ...]

    @cached_property
    def _starts(self) -> list[int]:
        return [ln.start for ln in self.lines]

    def provenance(self, start: int, end: int) -> Provenance:
        """Span plus page and union bbox of the lines the span touches (when pages are known)."""
        if self.lines and self.lines[0].page is None:
            return Provenance(span=[start, end])          # plain text: no pages, no boxes
        lo = max(0, bisect.bisect_right(self._starts, start) - 1)
        hi = bisect.bisect_left(self._starts, end, lo)
        near = self.lines[lo:max(hi, lo + 1)]
        touched = [ln for ln in near if ln.start < end and ln.end > start] or [
            ln for ln in near if ln.start <= start <= ln.end
        ]
        page = next((ln.page for ln in touched if ln.page is not None), None)
        boxes = [ln.bbox for ln in touched if ln.bbox is not None and ln.page == page]
        bbox = None
        if boxes:
            bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
        return Provenance(page=page, bbox=bbox, span=[start, end])


def from_text(text: str) -> DocText:
    lines = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        lines.append(TextLine(i, pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return DocText(text, tuple(lines))


def from_pages(pages: Sequence[PageText]) -> DocText:
    text = join_pages(pages).translate(_OCR_LOOKALIKES)
    lines = []
    prev_page = None
    for start, end, page, line in line_offsets(pages):
        if prev_page is not None and page.number != prev_page:
            # the blank line between pages: a real line of the joined text
            lines.append(TextLine(len(lines), start - 1, start - 1, "", "body", page.number))
        prev_page = page.number
        b = tuple(int(v) for v in line.bbox) if line.bbox else None
        pos = start
        for part in line.text.translate(_OCR_LOOKALIKES).split("\n"):  # a text-layer "line" may hold several
            lines.append(TextLine(len(lines), pos, pos + len(part), part, line.region or "body", page.number, b))
            pos += len(part) + 1
    return DocText(text, tuple(lines))
