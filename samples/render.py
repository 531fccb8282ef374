"""Render samples/docs/*.txt into realistic scans, their ground truth and a manifest.

Run as `python -m samples.render` (`make samples`). Pipeline per scan: typeset (samples.layout) →
born-digital PDF (reportlab) → rasterize (pdftoppm, PPM) → sign and stamp the signer page →
scanner effects (samples.degrade) → the container format (JPEG-in-PDF, multi-page TIFF, JPEG).
Every random choice is seeded from the scan's name, so reruns give the same pixels.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from samples.degrade import ScanStyle, scan, stamp_and_sign
from samples.docfile import SourceDoc, load_doc
from samples.layout import MM, Layout, layout
from samples.pdf import write_image_pdf, write_pdf

ROOT = Path(__file__).resolve().parent
SEAL_DIAMETER_MM = 36


@dataclass(frozen=True)
class ScanJob:
    """One scan to produce: which document, in which container, at which resolution."""

    doc: str
    format: str  # pdf | tiff | jpeg | pdf-digital
    dpi: int
    suffix: str = ""
    jpeg_quality: int = 65

    @property
    def stem(self) -> str:
        return self.doc + self.suffix

    @property
    def filename(self) -> str:
        ext = {"pdf": "pdf", "pdf-digital": "pdf", "tiff": "tiff", "jpeg": "jpg"}[self.format]
        return f"{self.stem}.{ext}"


JOBS = (
    ScanJob("quang-tri-2024-ke-hoach", "pdf", 300),
    ScanJob("muong-khuong-2024-ke-hoach", "tiff", 300, jpeg_quality=65),
    ScanJob("ha-tinh-2024-cong-van", "jpeg", 150, jpeg_quality=80),
    ScanJob("binh-dinh-2024-quyet-dinh", "pdf", 300),
    ScanJob("binh-dinh-2024-quyet-dinh", "pdf-digital", 300, suffix="-digital"),
    ScanJob("gia-lai-2025-ke-hoach", "pdf", 300),
    ScanJob("lao-cai-2025-so-ke-hoach", "pdf", 200, jpeg_quality=70),
    ScanJob("phu-tho-2025-xa-quyet-dinh", "pdf", 300),
)


def seed_for(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def rasterize(pdf: Path, dpi: int, workdir: Path) -> list[np.ndarray]:
    """pdftoppm → colour PPM pages (poppler renders text the way a printer would)."""
    prefix = workdir / "page"
    subprocess.run(["pdftoppm", "-r", str(dpi), pdf, prefix], check=True)
    return [np.asarray(Image.open(p).convert("RGB")).copy() for p in sorted(workdir.glob("page-*.ppm"))]


def to_px(v: float, dpi: int) -> int:
    return int(round(v * dpi / 72))


def sign_page(img: np.ndarray, lay: Layout, doc: SourceDoc, dpi: int, rng: np.random.Generator) -> None:
    """Seal over the left part of the signer block (on the position line); signature above the name."""
    signer = lay.signer_page().block_lines("signer")
    position, name = signer[-2].box, signer[-1].box
    col_x0 = min(ln.box[0] for ln in signer)
    col_x1 = max(ln.box[2] for ln in signer)
    r = SEAL_DIAMETER_MM * MM / 2
    centre = (to_px(col_x0 + r * 0.62, dpi), to_px(position[1] + r - 8, dpi))
    mid = (col_x0 + col_x1) / 2
    sign_box = (to_px(mid - 45, dpi), to_px(position[3] + 4, dpi), to_px(mid + 85, dpi), to_px(name[1] - 6, dpi))
    seal_text = " ".join(doc.lines("header_left"))
    stamp_and_sign(img, seal_text, centre, to_px(2 * r, dpi), sign_box, rng)


def style_for(job: ScanJob, rng: np.random.Generator) -> ScanStyle:
    rotation = float(rng.uniform(0.5, 1.5) * rng.choice([-1, 1]))
    if job.dpi >= 300:
        return ScanStyle(dpi=job.dpi, rotation=rotation, blur_sigma=0.7, noise_sigma=6.0, speckles=40)
    return ScanStyle(dpi=job.dpi, rotation=rotation, blur_sigma=0.6, noise_sigma=5.0, speckles=25)


def scanned_pages(job: ScanJob, doc: SourceDoc, lay: Layout, pdf: Path, workdir: Path) -> list[Image.Image]:
    rng = np.random.default_rng(seed_for(job.stem))
    pages = rasterize(pdf, job.dpi, workdir)
    signer_index = lay.signer_page().number - 1
    sign_page(pages[signer_index], lay, doc, job.dpi, rng)
    out = []
    for img in pages:
        style = style_for(job, rng)
        out.append(Image.fromarray(scan(img, style, rng)))
    return out


def write_scan(job: ScanJob, pages: list[Image.Image], dest: Path) -> None:
    dpi = (job.dpi, job.dpi)
    if job.format == "pdf":
        write_image_pdf(pages, dest, job.dpi, job.jpeg_quality)
    elif job.format == "tiff":
        pages[0].save(dest, save_all=True, append_images=pages[1:], compression="jpeg",
                      quality=job.jpeg_quality, dpi=dpi)
    elif job.format == "jpeg":
        if len(pages) != 1:
            raise ValueError(f"{job.stem}: a JPEG scan holds one page, the layout has {len(pages)}")
        pages[0].save(dest, quality=job.jpeg_quality, subsampling=2, dpi=dpi)
    else:
        raise ValueError(f"unknown scan format {job.format}")


def render_job(job: ScanJob, out_root: Path, docs_dir: Path) -> dict:
    """Produce one scan plus its truth text; return its manifest entry."""
    doc = load_doc(docs_dir / f"{job.doc}.txt")
    lay = layout(doc)
    scans, truth = out_root / "scans", out_root / "truth"
    scans.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    dest = scans / job.filename
    with tempfile.TemporaryDirectory(prefix="sohoa-render-") as tmp:
        work = Path(tmp)
        pdf = work / "digital.pdf"
        write_pdf(lay, pdf, title=job.doc)
        if job.format == "pdf-digital":
            shutil.copyfile(pdf, dest)
        else:
            write_scan(job, scanned_pages(job, doc, lay, pdf, work), dest)
    (truth / f"{job.stem}.txt").write_text("\n".join(lay.truth_lines()) + "\n", encoding="utf-8")
    return {
        "scan": f"scans/{job.filename}",
        "doc": job.doc,
        "format": job.format,
        "dpi": None if job.format == "pdf-digital" else job.dpi,
        "truth": f"truth/{job.stem}.txt",
        "expected": f"expected/{job.doc}.header.json",
        "pages": len(lay.pages),
        "page_lines": lay.page_line_counts(),
    }


def render_all(out_root: Path = ROOT, docs_dir: Path = ROOT / "docs", jobs: tuple[ScanJob, ...] = JOBS) -> list[dict]:
    manifest = [render_job(job, out_root, docs_dir) for job in jobs]
    (out_root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    for entry in render_all():
        size = (ROOT / entry["scan"]).stat().st_size
        print(f"{entry['scan']:48s} {entry['format']:12s} {entry['pages']} page(s) {size / 1024:8.0f} KB")


if __name__ == "__main__":
    main()
