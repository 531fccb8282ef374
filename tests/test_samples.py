"""The sample documents, their rendered scans, truth texts and expected headers stay consistent."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.structure.model import Document, Signer
from samples.docfile import load_doc, parse_doc
from samples.layout import MARGIN_LEFT, MARGIN_RIGHT, PAGE_W, layout
from samples.render import JOBS, ScanJob, render_job

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
DOCS = sorted((SAMPLES / "docs").glob("*.txt"))


def scan_pages(path: Path, fmt: str) -> int:
    if fmt.startswith("pdf"):
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["scan"])
def test_manifest_entry_files_exist_and_agree(entry):
    scan = SAMPLES / entry["scan"]
    assert scan.is_file() and (SAMPLES / entry["truth"]).is_file() and (SAMPLES / entry["expected"]).is_file()
    assert (SAMPLES / "docs" / f"{entry['doc']}.txt").is_file()
    assert scan_pages(scan, entry["format"]) == entry["pages"] == len(entry["page_lines"])
    truth = (SAMPLES / entry["truth"]).read_text(encoding="utf-8").splitlines()
    assert len(truth) == sum(entry["page_lines"])
    if entry["dpi"]:
        assert round(scan_dpi(scan, entry["format"])) == entry["dpi"]


def scan_dpi(path: Path, fmt: str) -> float:
    """Resolution as a reader sees it: image metadata, or image width over page width for a PDF."""
    if fmt != "pdf":
        with Image.open(path) as im:
            return float(im.info["dpi"][0])
    import pikepdf

    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        image = next(iter(page.get_images().values()))
        box = [float(v) for v in page.mediabox]
        return int(image.Width) / ((box[2] - box[0]) / 72)


def test_manifest_covers_every_format_and_budget():
    assert {e["format"] for e in MANIFEST} == {"pdf", "tiff", "jpeg", "pdf-digital"}
    assert sum((SAMPLES / e["scan"]).stat().st_size for e in MANIFEST) <= 25 * 1024 * 1024


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["truth"])
def test_truth_is_nfc_and_current(entry):
    text = (SAMPLES / entry["truth"]).read_text(encoding="utf-8")
    assert text.strip() and unicodedata.normalize("NFC", text) == text
    # the committed truth is what the current layout prints (re-run `make samples` after editing docs)
    lay = layout(load_doc(SAMPLES / "docs" / f"{entry['doc']}.txt"))
    assert text.splitlines() == lay.truth_lines()
    assert entry["page_lines"] == lay.page_line_counts()


@pytest.mark.parametrize("path", sorted((SAMPLES / "expected").glob("*.header.json")), ids=lambda p: p.name)
def test_expected_header_parses_and_matches_the_printed_text(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    doc_fields = Document.model_validate(data["document"])
    signer = Signer.model_validate(data["signer"])
    src = load_doc(SAMPLES / "docs" / path.name.replace(".header.json", ".txt"))
    assert f"Số: {doc_fields.symbol}" in src.lines("number")
    assert doc_fields.symbol.startswith(f"{doc_fields.number}/")
    assert src.lines("place_date")[0].startswith(f"{doc_fields.place}, ngày ")
    printed = re.search(r"ngày (\d+) tháng (\d+) năm (\d{4})$", src.lines("place_date")[0])
    day, month, year = (int(v) for v in printed.groups())
    assert doc_fields.date == f"{year:04d}-{month:02d}-{day:02d}"
    if src.lines("title"):
        assert src.lines("title")[0].capitalize() == doc_fields.type.capitalize() or \
            src.lines("title")[0] == doc_fields.type.upper()
        assert " ".join(src.lines("title")[1:]) == doc_fields.title
        assert f"/{doc_fields.type_code}-" in doc_fields.symbol
    else:
        assert doc_fields.type == "Công văn" and doc_fields.type_code is None
        assert " ".join(src.lines("subject")) == f"V/v {doc_fields.title}"
    agency = " ".join(src.lines("header_left"))
    assert agency == " ".join(filter(None, [doc_fields.issuer.parent, doc_fields.issuer.name]))
    signer_lines = src.lines("signer")
    assert signer_lines[-1] == signer.name and signer_lines[-2] == signer.position
    if signer.authority:             # a director signing in his own right prints no authority line
        assert f"{signer.authority} {signer.on_behalf_of}" in signer_lines


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_born_digital_pdf_has_a_text_layer_matching_truth():
    entry = next(e for e in MANIFEST if e["format"] == "pdf-digital")
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", SAMPLES / entry["scan"], "-"],
                          capture_output=True, text=True, check=True).stdout
    got = " ".join(unicodedata.normalize("NFC", text).split())
    want = " ".join((SAMPLES / entry["truth"]).read_text(encoding="utf-8").split())
    assert difflib.SequenceMatcher(None, got, want, autojunk=False).ratio() > 0.99


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_layout_produces_the_decree30_blocks(path):
    doc = load_doc(path)
    lay = layout(doc)
    first = lay.pages[0]
    blocks = {ln.block for ln in first.lines}
    assert {"header_left", "number", "header_right", "place_date", "body"} <= blocks
    assert ("subject" in blocks) == bool(doc.lines("subject"))
    assert ("title" in blocks) == bool(doc.lines("title"))
    last = lay.signer_page()
    if doc.lines("recipients"):        # a decision with an attached plan prints its Nơi nhận in the body
        assert last.block_lines("recipients")[0].text == "Nơi nhận:"
    assert [ln.text for ln in last.block_lines("signer")] == list(doc.lines("signer"))
    # every body word is printed once, in order, unbroken (no hyphenation, nothing lost)
    printed = [w.text for p in lay.pages for ln in p.block_lines("body") for w in ln.words]
    assert printed == [w for par in doc.paragraphs() for w in par.text.split()]
    # justified body lines fill the text width; nothing runs into the right margin
    right = PAGE_W - MARGIN_RIGHT
    for page in lay.pages:
        for ln in page.lines:
            assert MARGIN_LEFT - 0.5 <= ln.box[0] and ln.box[2] <= right + 0.5, ln.text
    for page in lay.pages[1:]:
        assert page.lines[0].block == "page_number" and page.lines[0].text == str(page.number)


def test_parse_doc_styles_and_errors():
    doc = parse_doc("[body]\n@bc QUYẾT ĐỊNH:\n**Điều 1.** Nội dung\n", "x")
    heading, article = doc.paragraphs()
    assert heading.centered and heading.runs == (("QUYẾT ĐỊNH:", True),)
    assert article.runs == (("Điều 1.", True), (" Nội dung", False))
    with pytest.raises(ValueError):
        parse_doc("[nonsense]\nx\n", "x")
    with pytest.raises(ValueError):
        parse_doc("stray text\n[body]\nx\n", "x")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_render_one_scan_is_deterministic(tmp_path):
    job = next(j for j in JOBS if j.format == "jpeg")
    small = ScanJob(job.doc, "jpeg", 100, jpeg_quality=80)
    a = render_job(small, tmp_path / "a", SAMPLES / "docs")
    b = render_job(small, tmp_path / "b", SAMPLES / "docs")
    pa, pb = (tmp_path / d / a["scan"] for d in ("a", "b"))
    assert pa.read_bytes() == pb.read_bytes()
    with Image.open(pa) as im:
        assert im.mode == "RGB" and round(im.info["dpi"][0]) == 100
        # the seal's red ink is on the page
        r, g, bl = (np.asarray(c, int) for c in im.split())
        red = (r - g > 60) & (r - bl > 60)
        assert red.sum() > 200
    assert (tmp_path / "a" / a["truth"]).read_text(encoding="utf-8") == \
        (SAMPLES / next(e for e in MANIFEST if e["doc"] == job.doc)["truth"]).read_text(encoding="utf-8")
