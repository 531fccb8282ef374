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
    """A horizontal strip of text rows and the ink groups across it."""

    y0: int
    y1: int
    groups: tuple[tuple[int, int], ...]  # x-intervals of ink, left to right


def find_regions(grey: np.ndarray, dpi: float) -> list[Region]:
    """The page's zones in reading order; one `body` region when it has no two-column header or footer."""
    h, w = grey.shape
    ink = ink_mask(grey)
    bands = find_bands(ink, dpi)
    if not bands:
        return [Region("body", (0, 0, w, h))]
    x_min = min(g[0] for b in bands for g in b.groups)
    x_max = max(g[1] for b in bands for g in b.groups)
    centre = (x_min + x_max) / 2
    min_offset = 0.06 * (x_max - x_min)

    header = two_column_run(bands, centre, min_offset)
    rest = bands[len(header[0]):] if header else bands
    footer = two_column_run(rest[::-1], centre, min_offset, min_bands=3)

    regions: list[Region] = []
    top, bottom = 0, h
    if header:
        run, gutter = header
        top = (run[-1].y1 + rest[0].y0) // 2 if rest else h
        regions += [Region("header_left", (0, 0, gutter, top)), Region("header_right", (gutter, 0, w, top))]
    body_end = bottom
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
    column_gap = int(dpi * 0.25)

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
        cols = ink[y0:y1].sum(axis=0) > 0
        groups = _merge_close(_runs(cols), column_gap)
        if groups:
            bands.append(Band(y0, y1, tuple(groups)))
    return bands


def two_column_run(bands, centre: float, min_offset: float, min_bands: int = 2):
    """The longest leading run of bands that read as two side-by-side columns, and the gutter between them.

    Every ink group in the run must sit wholly to one side, off the page's centre line
    (a centred title or a full-width body line ends the run); both sides must have ink.
    """
    run: list[Band] = []
    left_edge, right_edge = 0, 10**9  # max right end of left groups, min left end of right groups
    for band in bands:
        sides = [_side(g, centre, min_offset) for g in band.groups]
        if None in sides:
            break
        new_left = max([left_edge] + [g[1] for g, s in zip(band.groups, sides) if s == "L"])
        new_right = min([right_edge] + [g[0] for g, s in zip(band.groups, sides) if s == "R"])
        if new_left >= new_right:
            break
        run.append(band)
        left_edge, right_edge = new_left, new_right
    if len(run) < min_bands or left_edge == 0 or right_edge == 10**9:
        return None
    return run, (left_edge + right_edge) // 2


def _side(group: tuple[int, int], centre: float, min_offset: float) -> str | None:
    mid = (group[0] + group[1]) / 2
    if mid < centre - min_offset:
        return "L"
    if mid > centre + min_offset:
        return "R"
    return None


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _merge_close(runs: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for x0, x1 in runs:
        if out and x0 - out[-1][1] < gap:
            out[-1][1] = x1
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


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
