"""Rasterize: one page of a source as an RGB pixel array at a known resolution.

PDF pages are rendered one at a time by poppler (pdftoppm, PPM output) so a long
document never sits in memory whole; image files keep their own resolution.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.config import Settings
from pipeline.errors import ErrorCode, MissingDependency, SohoaError
from pipeline.ingest import Source, check_pixels, damaged_pdf

STAGE = "rasterize"
A4_LONG_SIDE_INCHES = 11.69
PAPER = 200  # a rendered page with no pixel darker than this holds no ink at all


@dataclass(frozen=True)
class PageImage:
    number: int             # 1-based
    pixels: np.ndarray      # H x W x 3 uint8 RGB, or H x W uint8 grey
    dpi: float
    dpi_estimated: bool = False
    repaired: bool = False  # read from a rebuilt copy of a damaged PDF (see pipeline.repair)


def rasterize_page(source: Source, number: int, settings: Settings) -> PageImage:
    if source.is_pdf:
        return _render_pdf_page(source, number, settings)
    return _decode_image_frame(source, number, settings)


def _render_pdf_page(source: Source, number: int, settings: Settings) -> PageImage:
    """Render with poppler; when poppler refuses a damaged file, render page `number` of a rebuilt copy."""
    from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError

    from pipeline.repair import single_page_copy

    width_pt, height_pt = pdf_page_size(source.path, number)
    check_pixels((int(width_pt / 72 * settings.dpi), int(height_pt / 72 * settings.dpi)), settings, page=number)
    try:
        return PageImage(number=number, pixels=_poppler(source.path, number, number, settings), dpi=float(settings.dpi))
    except (PDFPageCountError, PDFSyntaxError) as exc:
        with single_page_copy(source.path, number) as copy:
            try:
                if copy is None:
                    raise exc
                pixels = _poppler(copy, 1, number, settings)
            except (PDFPageCountError, PDFSyntaxError):
                raise damaged_pdf(Path(source.path), f"page {number} cannot be rendered", STAGE) from exc
        if pixels.min() > PAPER:  # the page's frame was rebuilt but its content never arrived
            raise damaged_pdf(Path(source.path), f"page {number} is missing", STAGE)
        return PageImage(number=number, pixels=pixels, dpi=float(settings.dpi), repaired=True)


def _poppler(path: str, first: int, number: int, settings: Settings) -> np.ndarray:
    """Page `first` of `path` as RGB pixels; `number` is its number in the document, for messages."""
    from pdf2image import convert_from_path
    from pdf2image.exceptions import PDFPopplerTimeoutError

    with tempfile.TemporaryDirectory(prefix="sohoa-page-") as tmp:
        try:
            paths = convert_from_path(
                path, dpi=settings.dpi, first_page=first, last_page=first, fmt="ppm",
                output_folder=tmp, paths_only=True, timeout=settings.ocr_timeout,
            )
        except PDFPopplerTimeoutError as exc:
            raise SohoaError(
                ErrorCode.E_RENDER_TIMEOUT, f"rendering page {number} of the PDF took longer than {settings.ocr_timeout:g} s",
                stage=STAGE, hint="the page may be damaged or extremely complex; raise --ocr-timeout to wait longer",
            ) from exc
        except FileNotFoundError as exc:
            raise MissingDependency("poppler (pdftoppm) is not installed", "apt-get install poppler-utils") from exc
        # OpenCV reads the PPM straight into an array: no PIL image in between (a third of the page time)
        bgr = cv2.imread(paths[0], cv2.IMREAD_COLOR) if paths else None
    if bgr is None:
        raise SohoaError(ErrorCode.E_CORRUPT, f"page {number} of the PDF rendered to nothing", stage=STAGE)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def pdf_page_size(path: str, number: int) -> tuple[float, float]:
    """Width and height of a PDF page in points, after its /Rotate."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        page = pdf.pages[number - 1]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        rotate = int(page.obj.get("/Rotate", 0)) % 180
    width, height = abs(x1 - x0), abs(y1 - y0)
    return (height, width) if rotate == 90 else (width, height)


def _decode_image_frame(source: Source, number: int, settings: Settings) -> PageImage:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # ingest enforced settings.max_pixels already
    try:
        with Image.open(source.path) as img:
            img.seek(number - 1)
            check_pixels(img.size, settings, page=number)
            dpi, estimated = image_dpi(img)
            pixels = _to_array(img)
    except SohoaError:
        raise
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise SohoaError(ErrorCode.E_CORRUPT, f"page {number} of the image cannot be decoded ({exc})", stage=STAGE) from exc
    return PageImage(number=number, pixels=pixels, dpi=dpi, dpi_estimated=estimated)


def image_dpi(img) -> tuple[float, bool]:
    """The image's own resolution, or an estimate from its size as an A4 page when it has none."""
    dpi = img.info.get("dpi") or img.info.get("resolution")
    if dpi:
        value = float(dpi[0] if isinstance(dpi, (tuple, list)) else dpi)
        if 50 <= value <= 2400:
            return value, False
    return max(img.size) / A4_LONG_SIDE_INCHES, True


def _to_array(img) -> np.ndarray:
    """Any PIL mode (1-bit, 16-bit, palette, alpha, CMYK) to uint8 grey or RGB, alpha flattened on white."""
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = arr.max() or 1.0
        return (arr * (255.0 / hi)).clip(0, 255).astype(np.uint8)
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = arr.min(), arr.max()
        return ((arr - lo) * (255.0 / ((hi - lo) or 1.0))).astype(np.uint8)
    if mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    if mode in ("LA", "RGBA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"), dtype=np.uint8)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)
