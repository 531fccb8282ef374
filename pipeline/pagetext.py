"""The text of a page as OCR (or a PDF text layer) gives it: the currency between ocr, restore and structure.

Every line keeps its box on the page and its confidence; `raw` keeps what OCR read when
`text` has been restored, so the original is never lost. All text is NFC.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal, Sequence

BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
TextSource = Literal["ocr", "text_layer"]

PAGE_SEPARATOR = "\n\n"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Word:
    text: str
    bbox: BBox
    conf: float  # 0..100, -1 when unknown (text layer)


@dataclass(frozen=True)
class Line:
    text: str
    bbox: BBox
    conf: float
    words: tuple[Word, ...] = ()
    region: str = "body"         # layout region it came from: header_left, header_right, body, footer_left, footer_right
    raw: str | None = None       # OCR text before restoration; None when unchanged

    @property
    def ocr_text(self) -> str:
        return self.text if self.raw is None else self.raw

    def restored(self, text: str) -> "Line":
        """This line with restored text, the OCR original kept in `raw`."""
        text = nfc(text)
        if text == self.text:
            return self
        return replace(self, text=text, raw=self.ocr_text)


@dataclass(frozen=True)
class PageText:
    number: int                  # 1-based
    lines: tuple[Line, ...]
    text_source: TextSource = "ocr"
    width: int = 0
    height: int = 0
    dpi: float = 0.0
    rotation: int = 0            # degrees the page was turned to read upright
    skew: float = 0.0            # degrees of deskew applied
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def ocr_text(self) -> str:
        return "\n".join(line.ocr_text for line in self.lines)


def join_pages(pages: Sequence[PageText], *, raw: bool = False) -> str:
    """The document text: lines joined by newlines, pages by a blank line. Char spans in records index into this."""
    return PAGE_SEPARATOR.join(p.ocr_text if raw else p.text for p in pages)


def line_offsets(pages: Sequence[PageText]) -> list[tuple[int, int, PageText, Line]]:
    """(start, end, page, line) for every line, as char offsets into `join_pages(pages)`."""
    out = []
    pos = 0
    for pi, page in enumerate(pages):
        if pi:
            pos += len(PAGE_SEPARATOR)
        for li, line in enumerate(page.lines):
            if li:
                pos += 1
            out.append((pos, pos + len(line.text), page, line))
            pos += len(line.text)
    return out


def page_to_dict(page: PageText) -> dict:
    """JSON-able form of a page, for caching finished pages (batch resume) and sending them between processes."""
    from dataclasses import asdict

    return asdict(page)


def page_from_dict(data: dict) -> PageText:
    lines = tuple(
        Line(
            text=ln["text"], bbox=tuple(ln["bbox"]), conf=ln["conf"],
            words=tuple(Word(text=w["text"], bbox=tuple(w["bbox"]), conf=w["conf"]) for w in ln.get("words", ())),
            region=ln.get("region", "body"), raw=ln.get("raw"),
        )
        for ln in data["lines"]
    )
    fields_ = {k: v for k, v in data.items() if k not in ("lines", "warnings")}
    return PageText(lines=lines, warnings=tuple(data.get("warnings", ())), **fields_)
