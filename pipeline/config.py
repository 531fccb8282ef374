"""One Settings object for every stage: defaults that are safe, overridable from the CLI or SOHOA_* env vars."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Settings:
    dpi: int = 300                     # PDF rasterization resolution
    lang: str = "vie"                  # tesseract language
    workers: int = max(1, min(2, os.cpu_count() or 1))
    ocr_timeout: float = 180.0         # seconds per page before E_OCR_TIMEOUT
    max_pages: int = 2000              # per document, before E_TOO_MANY_PAGES
    max_pixels: int = 200_000_000      # per page (A0 at 300 dpi is 140 Mpx), before E_TOO_LARGE
    upscale_below_dpi: int = 150       # upscale x2 only under this resolution
    ocr_dpi: int = 240                 # pages finer than this are reduced to it for OCR (boxes stay in page pixels)
    psm: int = 4                       # tesseract page segmentation mode for the stacked regions
    deskew_min_degrees: float = 0.5
    remove_colour_ink: bool = True     # red seals, blue signatures and notes
    detect_rotation: bool = True       # tesseract OSD for 90/180 degree pages
    restore: bool = True               # diacritics restoration on OCR text
    tesseract_cmd: str = "tesseract"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then SOHOA_<FIELD> environment variables, then explicit overrides (None is ignored)."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"SOHOA_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(raw, type(getattr(cls(), f.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _parse(raw: str, kind: type):
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)
