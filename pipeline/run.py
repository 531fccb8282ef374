"""Run: one document through the stages.

    ingest → (per page: text layer | rasterize → preprocess → layout → ocr → restore) → structure → record

`ocr_page` is the unit of parallel work: a picklable (source, page number, settings)
in, a PageText out, one tesseract process at a time. `pipeline.engine` interleaves the
pages of many documents over a process pool or a Dask cluster; `process_file` is the
plain sequential path for one document (library use, tests).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from pipeline.config import Settings
from pipeline.ingest import Source, ingest
from pipeline.layout import READING_ORDER, find_regions
from pipeline.ocr import detect_rotation, read_regions
from pipeline.pagetext import PageText
from pipeline.preprocess import CleanPage, preprocess, turn
from pipeline.rasterize import rasterize_page
from pipeline.repair import REPAIRED_WARNING
from pipeline.record import Record, make_record
from pipeline.textlayer import read_text_layer

LOW_CONFIDENCE = 55.0   # mean word confidence under which the page may be sideways or upside down


def ocr_page(source: Source, number: int, settings: Settings) -> PageText:
    """One page: its PDF text layer when it has real text, else OCR of the cleaned image; then restoration."""
    notes: tuple[str, ...] = ()
    if source.is_pdf:
        layer = read_text_layer(source.path, number, settings)
        if layer is not None and _trustworthy(layer, settings):
            return layer
        if layer is not None:
            notes = ("the PDF's text layer reads as garbled or unaccented (an old OCR?): the page was OCR'd again",)
    image = rasterize_page(source, number, settings)
    clean = preprocess(image, settings)
    page = read_upright(clean, settings)
    page = replace(page, width=image.pixels.shape[1], height=image.pixels.shape[0], dpi=image.dpi,
                   warnings=notes + page.warnings + ((REPAIRED_WARNING,) if image.repaired else ()))
    if settings.restore:
        from pipeline.restore import restore_page

        page = restore_page(page)
    return page


def _trustworthy(layer: PageText, settings: Settings) -> bool:
    """A text layer is used as it is unless restoration is on and says the text is not accented Vietnamese."""
    if not settings.restore:
        return True
    from pipeline.restore import model_available, reads_as_vietnamese

    return not model_available() or reads_as_vietnamese(layer)


def read_upright(clean: CleanPage, settings: Settings) -> PageText:
    """OCR the page; when it reads badly, ask tesseract's orientation detector and read it turned."""
    page = read_clean(clean.grey, clean, settings, rotation=0)
    if not settings.detect_rotation or (page.lines and _mean_conf(page) >= LOW_CONFIDENCE):
        return page
    if not page.lines and clean.grey.min() > 160:
        return replace(page, warnings=("blank page",))
    rotation = detect_rotation(clean.grey, settings)
    if rotation:
        turned = read_clean(turn(clean.grey, rotation), clean, settings, rotation=rotation)
        if _score(turned) > _score(page):
            page = turned
    if page.lines and _mean_conf(page) < LOW_CONFIDENCE:
        page = replace(page, warnings=page.warnings + (f"low OCR confidence ({_mean_conf(page):.0f}/100)",))
    if not page.lines:  # ink but no words: a photo, a drawing, a stamp alone
        page = replace(page, warnings=page.warnings + ("no text found (a photo or drawing?)",))
    return page


def read_clean(grey, clean: CleanPage, settings: Settings, rotation: int) -> PageText:
    regions = find_regions(grey, clean.dpi)
    lines = read_regions(grey, sorted(regions, key=lambda r: READING_ORDER.index(r.name)), settings)
    if clean.scale != 1.0:
        lines = [_unscale(line, clean.scale) for line in lines]
    return PageText(number=clean.number, lines=tuple(lines), text_source="ocr", rotation=rotation, skew=clean.skew)


def _unscale(line, scale: float):
    box = lambda b: tuple(round(v / scale) for v in b)  # noqa: E731
    return replace(line, bbox=box(line.bbox), words=tuple(replace(w, bbox=box(w.bbox)) for w in line.words))


def _mean_conf(page: PageText) -> float:
    words = [w.conf for line in page.lines for w in line.words if w.conf >= 0]
    return sum(words) / len(words) if words else 0.0


def _score(page: PageText) -> float:
    return _mean_conf(page) * sum(len(line.text) for line in page.lines)


def build_record(source: Source, pages: list[PageText], settings: Settings) -> Record:
    from pipeline.structure import extract_pages

    return make_record(source, pages, extract_pages(pages), settings)


def process_file(path: Path | str, settings: Settings = Settings(), map_pages: Callable = map) -> Record:
    """One document to its record; raises SohoaError when it cannot be read."""
    source = ingest(path, settings)
    pages = list(map_pages(lambda n: ocr_page(source, n, settings), range(1, source.pages + 1)))
    return build_record(source, pages, settings)
