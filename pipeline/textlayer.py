"""Text layer: a born-digital PDF page already holds its text; read it instead of OCR'ing pixels.

poppler's `pdftotext -bbox-layout` gives lines with word boxes in points; boxes are
converted to pixels at the pipeline's resolution so they match OCR'd pages.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

from pipeline.config import Settings
from pipeline.layout import order_lines
from pipeline.pagetext import Line, PageText, Word, nfc

NS = "{http://www.w3.org/1999/xhtml}"
MIN_LETTERS = 40          # fewer letters than this is a stray stamp or page number, not a text layer
MIN_LETTER_SHARE = 0.55   # share of letters among non-space characters: garbage layers fall below


def read_text_layer(path: str, number: int, settings: Settings) -> PageText | None:
    """The page's text layer as lines with boxes, or None when it holds no real text.

    When poppler refuses a damaged file, the page is read from a rebuilt copy and says so.
    """
    xhtml = _pdftotext(path, number)
    if xhtml is None:
        from pipeline.repair import REPAIRED_WARNING, single_page_copy

        with single_page_copy(path, number) as copy:
            xhtml = _pdftotext(copy, 1) if copy else None
        page = parse_bbox_layout(xhtml, number, settings.dpi) if xhtml else None
        return replace(page, warnings=page.warnings + (REPAIRED_WARNING,)) if page else None
    return parse_bbox_layout(xhtml, number, settings.dpi)


def _pdftotext(path: str, number: int) -> str | None:
    """poppler's XHTML with word boxes for one page; '' for a page without text, None when poppler fails."""
    try:
        out = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-bbox-layout", path, "-"],
            capture_output=True, timeout=60, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", "replace")


def parse_bbox_layout(xhtml: str, number: int, dpi: float) -> PageText | None:
    try:
        root = ET.fromstring(xhtml)
    except ET.ParseError:
        return None
    page = root.find(f".//{NS}page")
    if page is None:
        return None
    scale = dpi / 72.0
    lines: list[Line] = []
    for line_el in page.iter(f"{NS}line"):
        words = tuple(
            Word(text=nfc(w.text or ""), bbox=_box(w, scale), conf=-1.0)
            for w in line_el.iter(f"{NS}word")
            if (w.text or "").strip()
        )
        if words:
            lines.append(Line(text=" ".join(w.text for w in words), bbox=_box(line_el, scale), conf=-1.0, words=words))
    if not holds_real_text(lines):
        return None
    width, height = round(float(page.get("width", 0)) * scale), round(float(page.get("height", 0)) * scale)
    return PageText(
        number=number, lines=tuple(order_lines(lines, width, height, dpi)), text_source="text_layer",
        width=width, height=height, dpi=dpi,
    )


def holds_real_text(lines: list[Line]) -> bool:
    chars = [c for line in lines for c in line.text if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    return letters >= MIN_LETTERS and letters / max(1, len(chars)) >= MIN_LETTER_SHARE


def _box(el, scale: float) -> tuple[int, int, int, int]:
    return tuple(round(float(el.get(k, 0)) * scale) for k in ("xMin", "yMin", "xMax", "yMax"))  # type: ignore[return-value]
