"""Ingest: decide what a file is by its content, fingerprint it, count its pages.

Nothing here decodes pixels: the page count and page sizes come from headers, so a
decompression bomb or a 300-page PDF costs nothing at this stage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.config import Settings
from pipeline.errors import ErrorCode, SohoaError

STAGE = "ingest"

# (magic prefix, mime); checked against the first bytes of the file, never the extension.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"II+\x00", "image/tiff"),  # BigTIFF
    (b"MM\x00+", "image/tiff"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"}


@dataclass(frozen=True)
class Source:
    """An accepted input document."""

    path: str
    sha256: str
    mime: str
    pages: int
    size: int

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf"


def sniff_mime(head: bytes) -> str | None:
    """The mime type of a file from its first bytes; a PDF header may sit after some junk (spec allows 1 KB)."""
    for magic, mime in MAGIC:
        if head.startswith(magic):
            return mime
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def ingest(path: Path | str, settings: Settings = Settings()) -> Source:
    """Accept one file as a document, or raise SohoaError saying why not."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except OSError as exc:
        raise SohoaError(ErrorCode.E_NOT_FOUND, f"cannot read the file ({exc.strerror})", stage=STAGE) from exc
    if size == 0:
        raise SohoaError(ErrorCode.E_EMPTY, stage=STAGE)
    mime = sniff_mime(head)
    if mime is None:
        raise SohoaError(
            ErrorCode.E_UNSUPPORTED,
            "not a PDF, TIFF, PNG or JPEG file (its content is something else, whatever its name says)",
            stage=STAGE,
        )
    try:
        pages = count_pdf_pages(path) if mime == "application/pdf" else count_image_frames(path, settings)
    except SohoaError:
        raise
    except Exception as exc:  # a parser surprised by the file: it is damaged in a way nobody foresaw
        raise SohoaError(ErrorCode.E_CORRUPT, f"the file is damaged and cannot be read ({type(exc).__name__})",
                         stage=STAGE) from exc
    if pages == 0:
        raise SohoaError(ErrorCode.E_NO_PAGES, stage=STAGE)
    if pages > settings.max_pages:
        raise SohoaError(
            ErrorCode.E_TOO_MANY_PAGES,
            f"the document has {pages} pages, more than the limit of {settings.max_pages}",
            stage=STAGE,
            hint="raise it with --max-pages or SOHOA_MAX_PAGES",
        )
    return Source(path=str(path), sha256=sha256_file(path), mime=mime, pages=pages, size=size)


def count_pdf_pages(path: Path) -> int:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise SohoaError(
            ErrorCode.E_ENCRYPTED,
            "the PDF is protected by a password and cannot be opened",
            stage=STAGE,
            hint="ask the sender for an unprotected copy",
        ) from exc
    except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
        raise damaged_pdf(path) from exc


def damaged_pdf(path: Path, detail: str = "", stage: str = STAGE) -> SohoaError:
    """E_TRUNCATED when the file lacks its end-of-file marker (a cut-short copy), else E_CORRUPT."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    detail = f": {detail}" if detail else ""
    if b"%%EOF" not in tail:
        return SohoaError(ErrorCode.E_TRUNCATED, f"the PDF is cut short (incomplete copy or download){detail}",
                          stage=stage, hint="copy or download the file again")
    return SohoaError(ErrorCode.E_CORRUPT, f"the PDF is damaged and cannot be read{detail}", stage=stage,
                      hint="ask the sender for a new copy")


def count_image_frames(path: Path, settings: Settings) -> int:
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # we enforce our own limit, per frame, with a clear message
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            for index in range(frames):
                img.seek(index)
                check_pixels(img.size, settings, page=index + 1)
            return frames
    except SohoaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise SohoaError(ErrorCode.E_CORRUPT, f"the image is damaged and cannot be read ({exc})", stage=STAGE) from exc


def check_pixels(size: tuple[int, int], settings: Settings, page: int) -> None:
    width, height = size
    if width * height > settings.max_pixels:
        raise SohoaError(
            ErrorCode.E_TOO_LARGE,
            f"page {page} is {width}×{height} pixels, more than the limit of {settings.max_pixels:,}",
            stage=STAGE,
            hint="raise it with --max-pixels if the file is genuine",
        )


def expand_inputs(inputs: Iterable[Path | str]) -> Iterator[Path]:
    """Files named directly, and files inside folders (recursively, sorted; hidden files skipped)."""
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for child in sorted(item.rglob("*")):
                rel = child.relative_to(item)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    if child.suffix.lower() in SUPPORTED_SUFFIXES or _looks_supported(child):
                        yield child
        else:
            yield item


def _looks_supported(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return sniff_mime(fh.read(2048)) is not None
    except OSError:
        return False
