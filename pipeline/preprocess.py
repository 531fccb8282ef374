"""Preprocess: a clean, upright, grey page for OCR.

Order matters: coloured ink (red round seals, blue signatures and notes) is removed
while colour is still there, before anything is binarized — a seal over text otherwise
turns into black blots that OCR reads as noise. The page is brought to the resolution OCR
wants (reduced before anything else, so every step handles fewer pixels; upscaled only for
low-resolution scans, since upscaling 200–300 dpi scans makes tesseract worse), then deskewed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipeline.config import Settings
from pipeline.rasterize import PageImage

SATURATED = 0.30          # (max-min)/max above this is coloured ink, not black text on paper
INK_MIN_BRIGHTNESS = 90   # darker than this is black text (even over a seal): keep it
# Red seal ink crossing blue signature ink multiplies to a dark violet that no black text has:
# hues from blue to magenta (OpenCV hue 0..180) stay coloured ink even when dark.
VIOLET_HUES = (95, 165)
VIOLET_SATURATION = 0.45
VIOLET_MIN_BRIGHTNESS = 25
SKEW_RANGE = 5.0          # degrees searched either way
SKEW_WORK_HEIGHT = 1000   # pixels: skew is estimated on a downscaled copy


@dataclass(frozen=True)
class CleanPage:
    number: int
    grey: np.ndarray        # H x W uint8, black text on white
    dpi: float              # resolution of `grey` (after any upscaling)
    scale: float            # grey pixels per rasterized pixel (2.0 when upscaled, < 1 when reduced for OCR)
    skew: float             # degrees the page was rotated to straighten it
    ink_removed: bool


def preprocess(page: PageImage, settings: Settings) -> CleanPage:
    scale = ocr_scale(page.dpi, settings)
    pixels = page.pixels
    if scale < 1.0:  # reduce first: every later step then works on fewer pixels
        pixels = _resize(pixels, scale)
    if pixels.ndim == 3 and settings.remove_colour_ink:
        grey, removed = remove_colour_ink(pixels)
    else:
        grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
        removed = False
    if scale > 1.0:  # enlarge last, and only the grey page
        grey = _resize(grey, scale)
    grey = remove_specks(grey, page.dpi * scale)
    angle = estimate_skew(grey)
    if abs(angle) >= settings.deskew_min_degrees:
        grey = rotate(grey, angle)
    else:
        angle = 0.0
    return CleanPage(number=page.number, grey=grey, dpi=page.dpi * scale, scale=scale, skew=angle, ink_removed=removed)


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)


def remove_specks(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Paper where dust sits alone: a few dark pixels with no other ink near them.

    Tesseract reads a lone speck as a dash or a quote, or joins it to the nearest line and
    misreads that line. Marks that belong to text (diacritics, dots of punctuation) sit within a
    few pixels of their letters, so they join a larger blob once the ink is grown a little.
    """
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    reach = max(1, round(dpi / 60))            # 4 px at 240 dpi: closer than any letter spacing
    grown = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    count, labels = cv2.connectedComponents(grown, connectivity=8)[:2]
    if count <= 1:
        return grey
    ink_per_blob = np.bincount(labels[ink > 0], minlength=count)
    max_dust = 2 * (dpi / 100) ** 2            # ≈ 12 px at 240 dpi; a hyphen has three times that
    dust = ink_per_blob <= max_dust
    dust[0] = False
    if not dust.any():
        return grey
    out = grey.copy()
    out[dust[labels] & (ink > 0)] = 255
    return out


def ocr_scale(dpi: float, settings: Settings) -> float:
    """×2 below `upscale_below_dpi`; down to `ocr_dpi` above it (tesseract normalizes line height,
    so extra pixels only cost time); 1 in between."""
    if dpi < settings.upscale_below_dpi:
        return 2.0
    if dpi > settings.ocr_dpi * 1.05:
        return settings.ocr_dpi / dpi
    return 1.0


def remove_colour_ink(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """Grey page with saturated (red, blue, green) ink turned to paper; dark ink over it survives.

    The brightest channel is used as grey: black text is dark in every channel, while
    red or blue ink is bright in its own channel and so fades to paper.
    """
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)  # S = (max-min)/max, V = max: exactly the two measures needed
    grey = np.ascontiguousarray(hsv[:, :, 2])
    hue, sat = hsv[:, :, 0], hsv[:, :, 1]
    coloured = (sat > int(SATURATED * 255)) & (grey > INK_MIN_BRIGHTNESS)
    coloured |= ((hue >= VIOLET_HUES[0]) & (hue <= VIOLET_HUES[1]) & (sat > int(VIOLET_SATURATION * 255))
                 & (grey > VIOLET_MIN_BRIGHTNESS))
    grey[coloured] = 255
    return grey, bool(coloured.mean() > 0.0005)


def estimate_skew(grey: np.ndarray) -> float:
    """Skew angle in degrees (positive = counter-clockwise correction) by projection-profile sharpness."""
    h, w = grey.shape
    factor = min(1.0, SKEW_WORK_HEIGHT / h)
    small = cv2.resize(grey, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if ink.mean() < 0.5:  # blank page
        return 0.0
    ys, xs = np.nonzero(ink)
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        # row of each ink pixel once the page is turned by `angle` (as `rotate` would turn it)
        theta = np.deg2rad(angle)
        rows = np.cos(theta) * ys - np.sin(theta) * xs
        profile = np.bincount((rows - rows.min()).astype(np.int64))
        return float(np.square(np.diff(profile.astype(np.float64))).sum())

    best = max(np.arange(-SKEW_RANGE, SKEW_RANGE + 1e-9, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=sharpness)
    best = max(np.arange(best - 0.1, best + 0.1 + 1e-9, 0.025), key=sharpness)
    return round(float(best), 3)


def rotate(image: np.ndarray, angle: float, border: int = 255) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def turn(grey: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate by a multiple of 90 degrees clockwise (from tesseract OSD's 'rotate' answer)."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(grey, turns[degrees]) if degrees in turns else grey
