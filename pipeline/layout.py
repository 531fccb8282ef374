"""Layout: the Decree 30/2020 zones of a page, in reading order.

A page of a Vietnamese administrative document opens with a two-column header
(agency | national motto, then số/ký hiệu | place and date) and closes with two
columns (Nơi nhận | signer). Tesseract reads such rows straight across and interleaves
the columns, so the columns are found here — from ink alone, before any OCR — and
OCR reads each one as its own block: header left, header right, body, footer left,
footer right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import cv2
import numpy as np

from pipeline.pagetext import Line

READING_ORDER = ("header_left", "header_right", "body", "footer_left", "footer_right")


@dataclass(frozen=True)
class Region:
    name: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


@dataclass(frozen=True)
class Band:
    """A horizontal strip of text rows (one line, or side-by-side lines that overlap) and where its ink is."""

    y0: int
    y1: int
    cols: np.ndarray  # bool per page column: ink anywhere in the band
    x0: int           # first and last inked column
    x1: int

    @property
    def mid(self) -> float:
        return (self.x0 + self.x1) / 2


def find_regions(grey: np.ndarray, dpi: float) -> list[Region]:
    """The page's zones in reading order; one `body` region when it has no two-column header or footer."""
    h, w = grey.shape
    ink = ink_mask(grey)
    bands = find_bands(ink, dpi)
    if not bands:
        return [Region("body", (0, 0, w, h))]
    x_min, x_max = min(b.x0 for b in bands), max(b.x1 for b in bands)
    header = two_column_run(bands, x_min, x_max, dpi)
    rest = bands[len(header[0]):] if header else bands
    footer = two_column_run(rest[::-1], x_min, x_max, dpi, min_bands=3)

    regions: list[Region] = []
    top = 0
    if header:
        run, gutter = header
        top = (run[-1].y1 + rest[0].y0) // 2 if rest else h
        regions += [Region("header_left", (0, 0, gutter, top)), Region("header_right", (gutter, 0, w, top))]
    body_end = h
    footer_regions: list[Region] = []
    if footer:
        run, gutter = footer
        first = run[-1]  # reversed run: last is the topmost footer band
        above = [b for b in rest if b.y1 <= first.y0]
        body_end = (above[-1].y1 + first.y0) // 2 if above else top
        footer_regions = [Region("footer_left", (0, body_end, gutter, h)), Region("footer_right", (gutter, body_end, w, h))]
    if body_end > top:
        regions.append(Region("body", (0, top, w, body_end)))
    return regions + footer_regions


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Boolean ink mask with isolated specks (scanner dust) removed."""
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if grey.min() > 200:  # nothing dark: a blank page
        return np.zeros_like(grey, dtype=bool)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return ink.astype(bool)


def find_bands(ink: np.ndarray, dpi: float) -> list[Band]:
    """Text rows merged into bands; diacritics separated from their letters by a few pixels stay in one band."""
    rows = ink.sum(axis=1)
    has_ink = rows > 2
    merge_gap = max(2, int(dpi / 50))
    min_height = max(3, int(dpi / 40))

    runs = _runs(has_ink)
    merged: list[list[int]] = []
    for y0, y1 in runs:
        if merged and y0 - merged[-1][1] <= merge_gap:
            merged[-1][1] = y1
        else:
            merged.append([y0, y1])
    bands = []
    for y0, y1 in merged:
        if y1 - y0 < min_height:
            continue
        cols = ink[y0:y1].any(axis=0)
        inked = np.flatnonzero(cols)
        if inked.size:
            bands.append(Band(y0, y1, cols, int(inked[0]), int(inked[-1]) + 1))
    return bands


def two_column_run(bands: Sequence[Band], x_min: int, x_max: int, dpi: float, min_bands: int = 2):
    """The longest leading run of bands that read as two side-by-side columns, and the gutter between them.

    The gutter is a vertical strip of paper, in the middle part of the text width, that stays
    white through every band of the run: word spaces do not line up from one line to the next,
    the gap between two columns does. A full-width line closes every gap; a centred block
    (the "KẾ HOẠCH" line) sitting to one side of the gap ends the run too.
    """
    width = x_max - x_min
    lo, hi = int(x_min + 0.2 * width), int(x_min + 0.8 * width)
    centre, min_offset = (x_min + x_max) / 2, 0.06 * width
    min_gutter = max(4, int(dpi * 0.1))  # wider than a word space, even a justified one
    white = np.ones(hi - lo, dtype=bool)
    run: list[Band] = []
    for band in bands:
        candidate = white & ~band.cols[lo:hi]
        gaps = [(a + lo, b + lo) for a, b in _runs(candidate) if b - a >= min_gutter]
        if not gaps:
            break
        widest = max(gaps, key=lambda g: g[1] - g[0])
        one_sided = not (band.x0 < widest[0] and band.x1 > widest[1])
        if one_sided and abs(band.mid - centre) < min_offset:
            break
        if not one_sided and not _is_column_gap(band, widest):
            break  # the "gap" is a stretched word space of a justified line
        run.append(band)
        white = candidate
    if len(run) < min_bands:
        return None
    gaps = [(a + lo, b + lo) for a, b in _runs(white) if b - a >= min_gutter]
    two_sided = [g for g in gaps if any(b.x0 < g[0] for b in run) and any(b.x1 > g[1] for b in run)]
    if not two_sided:
        return None
    a, b = max(two_sided, key=lambda g: g[1] - g[0])
    return run, (a + b) // 2


def _is_column_gap(band: Band, gap: tuple[int, int]) -> bool:
    """In this band, is the white around `gap` clearly wider than the spaces between its words?"""
    spaces = [(a + band.x0, b + band.x0) for a, b in _runs(~band.cols[band.x0:band.x1])]
    around = next(((a, b) for a, b in spaces if a <= gap[0] and b >= gap[1]), None)
    if around is None:
        return False
    others = sorted(b - a for a, b in spaces if (a, b) != around)
    typical = others[len(others) // 2] if others else 0
    return around[1] - around[0] >= 2 * typical


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def order_lines(lines: Sequence[Line], width: int, height: int, dpi: float) -> list[Line]:
    """Lines that came with boxes but no reliable order (a PDF text layer): zone them like a scan, then read zone by zone."""
    if not lines or width <= 0 or height <= 0:
        return list(lines)
    canvas = np.full((height, width), 255, dtype=np.uint8)
    for line in lines:
        for x0, y0, x1, y1 in (w.bbox for w in line.words or (line,)):
            canvas[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 0
    regions = find_regions(canvas, dpi)

    def zone(line: Line) -> Region:
        cx, cy = (line.bbox[0] + line.bbox[2]) / 2, (line.bbox[1] + line.bbox[3]) / 2
        for region in regions:
            x0, y0, x1, y1 = region.box
            if x0 <= cx < x1 and y0 <= cy < y1:
                return region
        return regions[-1]

    zoned = [replace(ln, region=zone(ln).name) for ln in lines]
    return sorted(zoned, key=lambda ln: (READING_ORDER.index(ln.region), ln.bbox[1], ln.bbox[0]))
