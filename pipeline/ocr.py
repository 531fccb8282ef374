"""OCR: tesseract (Vietnamese LSTM model) over a page's regions, one process per page.

The regions are stacked top to bottom in reading order into one image, so a single
tesseract call (one model load) reads every column as its own block and can never
interleave them; word boxes are mapped back to page coordinates. Lines keep their
box and confidence (from `image_to_data`); text is NFC.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from pipeline.config import Settings
from pipeline.errors import ErrorCode, MissingDependency, SohoaError
from pipeline.layout import Region
from pipeline.pagetext import Line, Word, nfc

STAGE = "ocr"
GAP = 48          # white pixels between stacked regions
MARGIN = 24       # white border around the composite
NOISE_CONFIDENCE = 40  # under this, a line with a couple of letters is specks, not text
INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils (or run `make setup`)"


@dataclass(frozen=True)
class Slot:
    """Where a region sits in the composite image."""

    region: Region
    top: int      # y of the region's first row in the composite


def read_regions(grey: np.ndarray, regions: list[Region], settings: Settings) -> list[Line]:
    """OCR the regions of a page in the given order; lines come back in page pixels with their region name."""
    crops, slots = [], []
    y = MARGIN
    for region in regions:
        x0, y0, x1, y1 = region.box
        crop = grey[y0:y1, x0:x1]
        if crop.size == 0 or crop.min() > 160:
            continue  # nothing printed in it
        crops.append(crop)
        slots.append(Slot(region, y))
        y += crop.shape[0] + GAP
    if not crops:
        return []
    width = max(c.shape[1] for c in crops) + 2 * MARGIN
    canvas = np.full((y - GAP + MARGIN, width), 255, dtype=np.uint8)
    for crop, slot in zip(crops, slots):
        canvas[slot.top:slot.top + crop.shape[0], MARGIN:MARGIN + crop.shape[1]] = crop
    data = run_tesseract(canvas, settings)
    return [line for line in lines_from_data(data, slots) if not is_noise(line)]


def run_tesseract(image: np.ndarray, settings: Settings) -> dict:
    """pytesseract.image_to_data on a PGM temp file (never PNG: encoding it costs more than it saves)."""
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
    config = f"--oem 1 --psm {settings.psm} -c invert_threshold=0"
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, image)
        try:
            return pytesseract.image_to_data(
                path, lang=settings.lang, config=config,
                output_type=pytesseract.Output.DICT, timeout=settings.ocr_timeout,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingDependency("tesseract is not installed", INSTALL_HINT) from exc
        except pytesseract.TesseractError as exc:
            raise _tesseract_failure(exc.message, exc.status) from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise SohoaError(
                    ErrorCode.E_OCR_TIMEOUT,
                    f"text recognition took longer than {settings.ocr_timeout:g} s on a page",
                    stage=STAGE, hint="raise --ocr-timeout if the pages are very dense",
                ) from exc
            raise _tesseract_failure(str(exc)) from exc


def _tesseract_failure(message: str, status: int = 1) -> SohoaError:
    if "Failed loading language" in message or "Error opening data file" in message:
        return MissingDependency("tesseract's Vietnamese model (vie) is not installed", INSTALL_HINT)
    if status < 0:  # killed by a signal: a crash, not a refusal
        return SohoaError(ErrorCode.E_OCR_FAILED, f"the text recognition engine crashed on a page (signal {-status})",
                          stage=STAGE, hint="try this document again alone; if it crashes again, report it with the file")
    last = message.strip().splitlines()[-1] if message.strip() else "no message"
    return SohoaError(ErrorCode.E_OCR_FAILED, f"the text recognition engine failed: {last[:200]}", stage=STAGE)


def lines_from_data(data: dict, slots: list[Slot]) -> list[Line]:
    """Group tesseract words by (block, paragraph, line); map composite boxes back to the page."""
    groups: dict[tuple[int, int, int], list[tuple[Word, Slot]]] = {}
    for i, text in enumerate(data["text"]):
        text = nfc((text or "").strip())
        if not text:
            continue
        left, top, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        slot = _slot_at(slots, top + h / 2)
        x0 = left - MARGIN + slot.region.box[0]
        y0 = top - slot.top + slot.region.box[1]
        word = Word(text=text, bbox=(x0, y0, x0 + w, y0 + h), conf=round(float(data["conf"][i]), 1))
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        groups.setdefault(key, []).append((word, slot))
    lines = []
    for members in groups.values():  # dicts keep tesseract's reading order
        words = tuple(w for w, _ in members)
        lines.append(Line(
            text=" ".join(w.text for w in words),
            bbox=(min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
                  max(w.bbox[2] for w in words), max(w.bbox[3] for w in words)),
            conf=round(sum(w.conf for w in words) / len(words), 1),
            words=words,
            region=members[0][1].region.name,
        ))
    return lines


def is_noise(line: Line) -> bool:
    """Dust, seal remnants and stroke crossings that tesseract reads as a line of punctuation.

    Such a line has no letter or digit at all, or only a couple under a very low confidence;
    a real line of a document (even a lone page number) has letters or digits read with confidence.
    """
    alnum = sum(ch.isalnum() for ch in line.text)
    return alnum == 0 or (alnum <= 3 and line.conf < NOISE_CONFIDENCE) or (line.conf < 20 and alnum <= 6)


def _slot_at(slots: list[Slot], y: float) -> Slot:
    for slot in reversed(slots):
        if y >= slot.top - GAP / 2:
            return slot
    return slots[0]


def detect_rotation(grey: np.ndarray, settings: Settings) -> int:
    """Clockwise degrees (0, 90, 180, 270) that turn the page upright, by tesseract's orientation detection."""
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    pytesseract.pytesseract.tesseract_cmd = settings.tesseract_cmd
    small = grey if grey.shape[0] <= 2000 else cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    with tempfile.TemporaryDirectory(prefix="sohoa-osd-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, small)
        try:
            osd = pytesseract.image_to_osd(path, config="--psm 0 -c min_characters_to_try=10", timeout=settings.ocr_timeout)
        except (pytesseract.TesseractError, RuntimeError):
            return 0  # too little text to tell: leave the page as it is
    match = re.search(r"Rotate:\s*(\d+)", osd)
    return int(match.group(1)) % 360 if match else 0


@lru_cache(maxsize=4)
def tesseract_version(cmd: str = "tesseract") -> str:
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].replace("tesseract", "").strip() if first else "unknown"


def check_dependencies(settings: Settings) -> None:
    """Raise MissingDependency (exit 3) when tesseract, its Vietnamese model or poppler is absent."""
    if shutil.which(settings.tesseract_cmd) is None:
        raise MissingDependency("tesseract is not installed", INSTALL_HINT)
    try:
        out = subprocess.run([settings.tesseract_cmd, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MissingDependency(f"tesseract cannot be run ({exc})", INSTALL_HINT) from exc
    langs = {ln.strip() for ln in (out.stdout + out.stderr).splitlines()}
    for lang in settings.lang.split("+"):
        if lang not in langs:
            raise MissingDependency(f"tesseract's language model '{lang}' is not installed", INSTALL_HINT)
    _probe_model(settings)
    if shutil.which("pdftoppm") is None:
        raise MissingDependency("poppler (pdftoppm) is not installed", INSTALL_HINT)


def _probe_model(settings: Settings) -> None:
    """Load the language model once on a tiny blank image: a listed but broken or partial model fails here,
    before any document is read, rather than on every page (~0.3 s)."""
    blank = b"P5\n16 16\n255\n" + b"\xff" * 256
    try:
        out = subprocess.run([settings.tesseract_cmd, "stdin", "stdout", "-l", settings.lang, "--psm", "10"],
                             input=blank, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MissingDependency(f"tesseract cannot be run ({exc})", INSTALL_HINT) from exc
    if out.returncode != 0:
        error = _tesseract_failure(out.stderr.decode("utf-8", "replace"))
        if isinstance(error, MissingDependency):
            raise MissingDependency(f"tesseract cannot load its language model '{settings.lang}'", INSTALL_HINT)
