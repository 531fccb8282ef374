"""Typeset a sample document on A4 pages in the Decree 30/2020 layout.

Pure geometry: every printed word gets a position (points, y measured down from the top
edge to the baseline). The PDF writer draws these words; the truth text is the same words,
one printed line per line, in reading order. Keeping both in one place is what makes the
ground truth exactly what is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from samples.docfile import Paragraph, SourceDoc

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20 * MM, 20 * MM, 30 * MM, 15 * MM
CONTENT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
HEADER_LEFT_W = 205.0  # agency | motto split of the header table
BODY_SIZE, BODY_LEADING, PARA_GAP, INDENT = 14.0, 17.0, 6.0, 10 * MM  # 1 cm first-line indent
SIGNATURE_SPACE = 78.0  # room left between the signer's position and name for the signature

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONT_FILES = {"R": "LiberationSerif-Regular.ttf", "B": "LiberationSerif-Bold.ttf",
              "I": "LiberationSerif-Italic.ttf", "BI": "LiberationSerif-BoldItalic.ttf"}


@lru_cache(maxsize=None)
def font_name(style: str) -> str:
    """Register the Liberation Serif face for `style` (R, B, I, BI) once; return its reportlab name."""
    name = f"SohoaSerif-{style}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / FONT_FILES[style])))
    return name


def width(text: str, style: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font_name(style), size)


@dataclass(frozen=True)
class Word:
    text: str
    style: str
    size: float
    x: float
    y: float  # baseline, from the top edge


@dataclass(frozen=True)
class Line:
    block: str
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """x0, top, x1, baseline+descent of the printed words."""
        w0, w1 = self.words[0], self.words[-1]
        size = max(w.size for w in self.words)
        return (w0.x, w0.y - 0.75 * size, w1.x + width(w1.text, w1.style, w1.size), w0.y + 0.25 * size)


@dataclass(frozen=True)
class Rule:
    x0: float
    x1: float
    y: float
    thickness: float = 0.6


@dataclass
class Page:
    number: int
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    def block_lines(self, block: str) -> list[Line]:
        return [ln for ln in self.lines if ln.block == block]


@dataclass
class Layout:
    stem: str
    pages: list[Page]

    def truth_lines(self) -> list[str]:
        return [ln.text for page in self.pages for ln in page.lines]

    def page_line_counts(self) -> list[int]:
        return [len(p.lines) for p in self.pages]

    def signer_page(self) -> Page:
        return next(p for p in self.pages if p.block_lines("signer"))


# ---- line building ---------------------------------------------------------------------------

Token = tuple[str, str]  # (word, style)


def tokens(runs: tuple[tuple[str, bool], ...], italic: bool = False) -> list[Token]:
    out: list[Token] = []
    for text, bold in runs:
        style = ("B" if bold else "") + ("I" if italic else "") or "R"
        out += [(w, style) for w in text.split()]
    return out


def wrap(toks: list[Token], size: float, first_w: float, rest_w: float) -> list[list[Token]]:
    """Greedy line breaking at spaces (no hyphenation), first line may be narrower (indent)."""
    space = width(" ", "R", size)
    lines: list[list[Token]] = [[]]
    used = 0.0
    for tok in toks:
        w = width(tok[0], tok[1], size)
        avail = first_w if len(lines) == 1 else rest_w
        if lines[-1] and used + space + w > avail:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append(tok)
    return [ln for ln in lines if ln]


def place(block: str, toks: list[Token], size: float, y: float, x0: float, avail: float,
          align: str) -> Line:
    """Position one line's words: align is left, center or justify."""
    space = width(" ", "R", size)
    widths = [width(t, s, size) for t, s in toks]
    natural = sum(widths) + space * (len(toks) - 1)
    gap = space
    if align == "justify" and len(toks) > 1:
        gap = space + (avail - natural) / (len(toks) - 1)
    x = x0 + (avail - natural) / 2 if align == "center" else x0
    words = []
    for (t, s), w in zip(toks, widths):
        words.append(Word(t, s, size, x, y))
        x += w + gap
    return Line(block, tuple(words))


def centered_lines(block: str, texts: tuple[str, ...], style: str, size: float, y: float, x0: float,
                   avail: float, leading: float) -> tuple[list[Line], float]:
    """Centre each text line in [x0, x0+avail], wrapping any that do not fit; return lines and next y."""
    out = []
    for text in texts:
        for toks in wrap([(w, style) for w in text.split()], size, avail, avail):
            out.append(place(block, toks, size, y, x0, avail, "center"))
            y += leading
    return out, y


# ---- the page furniture ----------------------------------------------------------------------

def header(doc: SourceDoc, page: Page) -> float:
    """The two-column header table; returns the y below it."""
    lx, rx = MARGIN_LEFT, MARGIN_LEFT + HEADER_LEFT_W
    rw = CONTENT_W - HEADER_LEFT_W
    top = MARGIN_TOP + 12
    agency = doc.lines("header_left")
    y = top
    left: list[Line] = []
    for i, text in enumerate(agency):
        lines, y = centered_lines("header_left", (text,), "R" if i == 0 and len(agency) > 1 else "B", 13,
                                  y, lx, HEADER_LEFT_W, 15)
        left += lines
    rule_w = min(max(ln.box[2] - ln.box[0] for ln in left[1:] or left) * 0.45, 90)
    rule_y = y - 15 + 6
    page.rules.append(Rule(lx + (HEADER_LEFT_W - rule_w) / 2, lx + (HEADER_LEFT_W + rule_w) / 2, rule_y))

    right: list[Line] = []
    motto = doc.lines("header_right")
    ry = top
    for i, text in enumerate(motto):
        lines, ry = centered_lines("header_right", (text,), "B", 12 if i == 0 else 13, ry, rx, rw, 15)
        right += lines
    last = right[-1].box
    page.rules.append(Rule(last[0], last[2], ry - 15 + 5.5))

    row2 = max(y, ry) + 14
    num, y2 = centered_lines("number", doc.lines("number"), "R", 13, row2, lx, HEADER_LEFT_W, 15)
    subj, y2 = centered_lines("subject", doc.lines("subject"), "R", 12, y2 + 1, lx, HEADER_LEFT_W, 14)
    pdate, ry2 = centered_lines("place_date", doc.lines("place_date"), "I", 14, row2, rx, rw, 16)
    page.lines += left + num + subj + right + pdate
    return max(y2, ry2)


def title(doc: SourceDoc, page: Page, y: float) -> float:
    texts = doc.lines("title")
    if not texts:
        return y + 10
    y += 16
    lines, y = centered_lines("title", texts, "B", 14, y, MARGIN_LEFT, CONTENT_W, 17)
    page.lines += lines
    if len(lines) > 1:
        w = min(lines[-1].box[2] - lines[-1].box[0], CONTENT_W) * 0.35
        page.rules.append(Rule(MARGIN_LEFT + CONTENT_W / 2 - w / 2,
                               MARGIN_LEFT + CONTENT_W / 2 + w / 2, y - 17 + 9.5))
    return y + 12


def paragraph_lines(par: Paragraph) -> list[tuple[list[Token], str, bool]]:
    """Break a paragraph into (tokens, align, indented) lines."""
    toks = tokens(par.runs, par.italic)
    if par.centered:
        return [(t, "center", False) for t in wrap(toks, BODY_SIZE, CONTENT_W, CONTENT_W)]
    broken = wrap(toks, BODY_SIZE, CONTENT_W - INDENT, CONTENT_W)
    return [(t, "left" if i == len(broken) - 1 else "justify", i == 0) for i, t in enumerate(broken)]


def footer_lines(doc: SourceDoc, y: float) -> tuple[list[Line], float]:
    """Nơi nhận (left, small) and the signer block (right, bold, centred); returns lines and height."""
    left_w = 215.0
    out: list[Line] = []
    ly = y
    for i, text in enumerate(doc.lines("recipients")):
        style, size = ("BI", 12) if i == 0 else ("R", 11)
        for toks in wrap([(w, style) for w in text.split()], size, left_w, left_w - 8):
            out.append(place("recipients", toks, size, ly, MARGIN_LEFT if not out or toks[0][0] == "-" or i == 0
                             else MARGIN_LEFT + 8, left_w, "left"))
            ly += 13 if i else 15
    rx, rw = MARGIN_LEFT + left_w, CONTENT_W - left_w
    signer = doc.lines("signer")
    sy = y
    for text in signer[:-1]:
        lines, sy = centered_lines("signer", (text,), "B", 14, sy, rx, rw, 17)
        out += lines
    lines, sy = centered_lines("signer", signer[-1:], "B", 14, sy + SIGNATURE_SPACE, rx, rw, 17)
    out += lines
    return out, max(ly, sy) - y


def page_number(page: Page) -> None:
    page.lines.append(place("page_number", [(str(page.number), "R")], 13, MARGIN_TOP - 14, MARGIN_LEFT,
                            CONTENT_W, "center"))


def layout(doc: SourceDoc) -> Layout:
    """Typeset `doc`: header and title on page 1, body flowing over pages, footer kept whole."""
    page = Page(1)
    pages = [page]
    y = title(doc, page, header(doc, page))
    bottom = PAGE_H - MARGIN_BOTTOM

    def new_page() -> float:
        nonlocal page
        page = Page(len(pages) + 1)
        pages.append(page)
        page_number(page)
        return MARGIN_TOP + 10

    y += BODY_SIZE
    for par in doc.paragraphs():
        for toks, align, indented in paragraph_lines(par):
            if y > bottom:
                y = new_page()
            x0 = MARGIN_LEFT + (INDENT if indented else 0)
            page.lines.append(place("body", toks, BODY_SIZE, y, x0, CONTENT_W - (INDENT if indented else 0), align))
            y += BODY_LEADING
        y += PARA_GAP
    y += 4
    lines, height = footer_lines(doc, y)
    if y + height > bottom:
        y = new_page()
        lines, _ = footer_lines(doc, y)
    page.lines += [ln for ln in lines if ln.block == "recipients"] + [ln for ln in lines if ln.block == "signer"]
    return Layout(doc.stem, pages)
