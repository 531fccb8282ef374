"""Write a typeset Layout as a born-digital PDF (real text layer), deterministically."""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from reportlab.pdfgen.canvas import Canvas

from samples.layout import PAGE_H, PAGE_W, Layout, font_name


def write_pdf(lay: Layout, path: Path, title: str = "") -> None:
    """Draw every word at its place; `invariant=1` keeps the bytes identical between runs."""
    c = Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    c.setTitle(title or lay.stem)
    c.setAuthor("sohoa samples")
    c.setCreator("samples.render")
    for page in lay.pages:
        for ln in page.lines:
            for w in ln.words:
                c.setFont(font_name(w.style), w.size)
                c.drawString(w.x, PAGE_H - w.y, w.text)
        for r in page.rules:
            c.setLineWidth(r.thickness)
            c.line(r.x0, PAGE_H - r.y, r.x1, PAGE_H - r.y)
        c.showPage()
    c.save()


def write_image_pdf(pages: list[Image.Image], path: Path, dpi: int, quality: int) -> None:
    """Pages as JPEG (DCT) images in a PDF, one per page, like a scanner's PDF output.

    Pillow writes this directly; fixed dates keep the bytes identical between runs.
    """
    fixed = time.gmtime(1704067200)  # 2024-01-01
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=quality,
                  subsampling=2, title=path.stem, creator="samples.render", producer="samples.render",
                  creationDate=fixed, modDate=fixed)
