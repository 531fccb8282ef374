"""Bad input and faults (issue 6): every case is a real file made here and run through `sohoa process`.

For each case: the run never crashes or hangs, a failure is one line on stderr naming the file
and the reason in plain words, the original stays byte-identical, the failure is recorded
(a record with status "failed" and a stable error code), and the other documents of the same
run still get their records. The whole battery is one run, which is what (e) asks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from pipeline.config import Settings
from pipeline.errors import ErrorCode, SohoaError
from tests import faultfiles as F

SOHOA = [str(Path(sys.executable).with_name("sohoa"))]
WRAPPER = Path(__file__).with_name("faulty_tesseract.py")
ROTATED_LINES = F.PLAN_LINES + F.PLAN_LINES[2:]
MIN_RECALL = 0.8   # share of the printed words OCR must give back for a page to count as read
SLOW = pytest.mark.slow  # runs tesseract on many pages (the battery's one run, 300 pages, the hanging engine)


@dataclass(frozen=True)
class Case:
    name: str                                 # file name in the input folder (its stem names the record)
    make: Callable[[Path, Path], object]      # (target path, scratch folder) -> writes the file
    code: str | None = None                   # expected error code; None: the document must be read
    says: str = ""                            # words the one-line message must contain
    lines: tuple[str, ...] = ()               # printed lines that must come back
    rotation: int = 0                         # degrees the page must be turned to read it
    warning: str = ""                         # a page warning the record must carry


def _scan(path: Path, scratch: Path) -> Path:
    return F.scan_pdf(path, [F.text_page(), F.text_page(F.PLAN_LINES[4:])])


CASES = (
    Case("empty.pdf", lambda p, s: p.write_bytes(b""), "E_EMPTY", "empty"),
    Case("truncated.pdf", lambda p, s: F.truncated(_scan(s / "full.pdf", s), p, 0.3), "E_TRUNCATED", "cut short"),
    Case("user-password.pdf", lambda p, s: F.encrypted_pdf(F.text_pdf(s / "plain.pdf"), p, user="mật khẩu", owner="x"),
         "E_ENCRYPTED", "password"),
    Case("owner-password.pdf", lambda p, s: F.encrypted_pdf(F.text_pdf(s / "plain2.pdf"), p, user="", owner="chủ"),
         lines=F.PLAN_LINES),
    Case("zero-pages.pdf", lambda p, s: F.zero_page_pdf(p), "E_NO_PAGES", "no pages"),
    Case("signed SAO Y.pdf", lambda p, s: F.signed_pdf(F.text_pdf(s / "copy.pdf", [F.COPY_LINES]), p),
         lines=F.COPY_LINES),
    Case("bomb.png", lambda p, s: F.bomb_png(p), "E_TOO_LARGE", "40000×40000 pixels"),
    Case("ghi chú.jpg", lambda p, s: p.write_text("Ghi chú: đây là tệp văn bản, không phải ảnh.\n", encoding="utf-8"),
         "E_UNSUPPORTED", "not a PDF, TIFF, PNG or JPEG"),
    Case("cmyk.jpg", lambda p, s: F.cmyk_jpeg(p), lines=F.PLAN_LINES),
    Case("grey16.tif", lambda p, s: F.tiff_16bit(p), lines=F.PLAN_LINES),
    Case("bw1.tif", lambda p, s: F.tiff_1bit(p), lines=F.PLAN_LINES),
    Case("palette.png", lambda p, s: F.palette_png(p), lines=F.PLAN_LINES),
    Case("alpha.png", lambda p, s: F.alpha_png(p), lines=F.PLAN_LINES),
    Case("turned90.png", lambda p, s: F.rotated_png(p, 90), lines=ROTATED_LINES, rotation=90),
    Case("turned180.png", lambda p, s: F.rotated_png(p, 180), lines=ROTATED_LINES, rotation=180),
    Case("blank.png", lambda p, s: F.blank_png(p), warning="blank page"),
    Case("photo.jpg", lambda p, s: F.save_image(F.photo_page(), p, "JPEG", quality=90), warning="no text found"),
    Case("Quyết định số 05 về số hóa.pdf", _scan, lines=F.PLAN_LINES),
    Case("Kế hoạch 12 Ủy ban nhân dân.tif", lambda p, s: F.tiff_1bit(p), lines=F.PLAN_LINES),
)
FAILING = [c for c in CASES if c.code]
WORKING = [c for c in CASES if not c.code]


def ids(cases):
    return [c.name for c in cases]


@dataclass
class Run:
    returncode: int
    stderr: str
    inputs: Path
    out: Path
    before: dict[str, str]
    after: dict[str, str]

    def record(self, name: str) -> dict:
        return json.loads((self.out / f"{Path(name).stem}.json").read_text(encoding="utf-8"))

    def lines_about(self, name: str) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if name in ln]


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: F.sha256(p) for p in sorted(folder.iterdir())}


def sohoa(*args, env: dict | None = None, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(SOHOA + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kw)


def run_battery(folder: Path, cases, *extra, env: dict | None = None) -> Run:
    inputs, scratch = folder / "in", folder / "scratch"
    inputs.mkdir()
    scratch.mkdir()
    for case in cases:
        case.make(inputs / case.name, scratch)
    before = hashes(inputs)
    done = sohoa("process", inputs, "--out", folder / "out", "--workers", 2, *extra, env=env)
    return Run(done.returncode, done.stderr, inputs, folder / "out", before, hashes(inputs))


@pytest.fixture(scope="module")
def battery(tmp_path_factory) -> Run:
    return run_battery(tmp_path_factory.mktemp("battery"), CASES)


# ------------------------------------------------------------------ the battery, one run


@SLOW
def test_the_run_goes_on_and_ends_with_exit_1(battery):
    assert "Traceback" not in battery.stderr
    assert battery.returncode == 1, battery.stderr  # some documents failed, none stopped the run
    assert len(list(battery.out.glob("*.json"))) == len(CASES)


@SLOW
@pytest.mark.parametrize("case", FAILING, ids=ids(FAILING))
def test_failure_is_recorded_with_its_code(battery, case):
    record = battery.record(case.name)
    assert record["status"] == "failed"
    assert record["error"]["code"] == case.code
    assert record["error"]["stage"] and case.says in record["error"]["message"]
    assert record["source"]["path"].endswith(case.name)
    assert record["text"] == "" and record["pages"] == []


@SLOW
@pytest.mark.parametrize("case", FAILING, ids=ids(FAILING))
def test_failure_is_one_plain_line_naming_the_file(battery, case):
    lines = battery.lines_about(case.name)
    assert len(lines) == 1, battery.stderr
    assert f"[{case.code}]" in lines[0] and case.says in lines[0]
    assert not any(w in lines[0] for w in ("Traceback", "Exception", "Error:", "errno"))


@SLOW
@pytest.mark.parametrize("case", WORKING, ids=ids(WORKING))
def test_odd_but_good_input_is_read(battery, case):
    record = battery.record(case.name)
    assert record["status"] == "ok", record.get("error")
    assert not battery.lines_about(case.name), battery.stderr
    if case.lines:
        assert F.recall(case.lines, record["text"]) >= MIN_RECALL, record["text"][:400]
    page = record["pages"][0]
    assert page["rotation"] == case.rotation
    if case.warning:
        assert any(case.warning in w for w in page["warnings"]), page["warnings"]
        assert page["lines"] == []


@SLOW
@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_original_is_byte_identical(battery, case):
    assert battery.after[case.name] == battery.before[case.name]


@SLOW
def test_nothing_is_written_beside_the_originals(battery):
    assert sorted(battery.after) == sorted(battery.before)


@SLOW
def test_signed_copy_keeps_its_signature_bytes(battery):
    data = (battery.inputs / "signed SAO Y.pdf").read_bytes()
    assert b"/ByteRange" in data and b"/Sig" in data and data.count(b"%%EOF") >= 2  # incremental update intact


# ------------------------------------------------------------------ limits


def test_limits_are_documented_in_help():
    done = sohoa("process", "--help", env={"COLUMNS": "200"})
    defaults = Settings()
    for option, default in (("--max-pages", defaults.max_pages), ("--max-pixels", f"{defaults.max_pixels:,}"),
                            ("--ocr-timeout", f"{defaults.ocr_timeout:g}")):
        assert option in done.stdout and str(default) in done.stdout, option


def test_bomb_is_refused_without_decoding_it(tmp_path):
    """Ingest and the rasterizer both refuse a 1.6 Gpx page from its header: peak memory stays small."""
    bomb = F.bomb_png(tmp_path / "bomb.png")
    probe = (
        "import re, sys\n"
        "from pipeline.config import Settings\nfrom pipeline.errors import SohoaError\n"
        "from pipeline.ingest import Source, ingest\nfrom pipeline.rasterize import rasterize_page\n"
        "codes = []\n"
        "for step in (lambda: ingest(sys.argv[1]),\n"
        "             lambda: rasterize_page(Source(sys.argv[1], '', 'image/png', 1, 0), 1, Settings())):\n"
        "    try: step()\n"
        "    except SohoaError as e: codes.append(e.code.value)\n"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"  # this process only
        "print(' '.join(codes), peak)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, timeout=120)
    codes, peak_kb = out.stdout.rsplit(" ", 1)
    assert codes.split() == ["E_TOO_LARGE", "E_TOO_LARGE"], out.stderr
    assert int(peak_kb) < 150_000  # decoding would need 200 MB (1 bit) to 1.6 GB (8 bit)


def test_page_and_pixel_limits_are_enforced(tmp_path):
    from pipeline.ingest import ingest

    pdf = F.text_pdf(tmp_path / "three.pdf", [F.PLAN_LINES] * 3)
    with pytest.raises(SohoaError) as too_many:
        ingest(pdf, Settings(max_pages=2))
    assert too_many.value.code is ErrorCode.E_TOO_MANY_PAGES and "3 pages" in too_many.value.message
    png = F.save_image(F.text_page(), tmp_path / "page.png", "PNG")
    with pytest.raises(SohoaError) as too_big:
        ingest(png, Settings.from_env(max_pixels=1_000_000))
    assert too_big.value.code is ErrorCode.E_TOO_LARGE
    assert ingest(pdf, Settings()).pages == 3


@pytest.mark.parametrize("fraction", [0.1, 0.3, 0.6, 0.9, 0.995])
@pytest.mark.parametrize("kind", ["text", "scan"])
def test_truncated_pdf_fails_clearly_or_gives_only_real_pages(tmp_path, kind, fraction):
    """Cut anywhere: either E_TRUNCATED/E_CORRUPT, or every page read back and flagged as repaired."""
    from pipeline.run import process_file

    full = tmp_path / "full.pdf"
    if kind == "text":
        F.text_pdf(full, [F.PLAN_LINES] * 4)
    else:
        F.scan_pdf(full, [F.text_page()] * 2)
    cut = F.truncated(full, tmp_path / "cut.pdf", fraction)
    digest = F.sha256(cut)
    try:
        record = process_file(cut, Settings(restore=False))
    except SohoaError as exc:
        assert exc.code in (ErrorCode.E_TRUNCATED, ErrorCode.E_CORRUPT) and exc.message
    else:
        for page in record.pages:
            assert F.recall(F.PLAN_LINES, page_text(page)) >= MIN_RECALL
            assert any("damaged" in w for w in page.warnings)
    assert F.sha256(cut) == digest


def page_text(page) -> str:
    return "\n".join(line.text for line in page.lines)


# ------------------------------------------------------------------ 300 pages, memory flat


@SLOW
def test_300_pages_stream_with_flat_memory(tmp_path):
    """300 pages (text layer, every 50th a scanned image) with 2 workers: peak RSS of the whole process tree.

    Kept cheap for the suite; `make bench` (bench/faults.py) measures 300 scanned pages.
    """
    from bench.measure import run_measured

    scanned = F.text_page(F.PLAN_LINES[:2], height_in=1.2)
    doc = F.pdf(tmp_path / "ba trăm trang.pdf", [scanned if n % 50 == 0 else F.PLAN_LINES[:3] for n in range(300)])
    with open(tmp_path / "stderr.txt", "w+") as err:
        run = run_measured(SOHOA + ["process", str(doc), "--out", str(tmp_path / "out"), "-j", "2", "-q"],
                           pss=True, poll=0.1, stderr=err)
        err.seek(0)
        assert run.returncode == 0, err.read()
    record = json.loads((tmp_path / "out" / "ba trăm trang.json").read_text(encoding="utf-8"))
    assert record["source"]["pages"] == 300
    assert [p["number"] for p in record["pages"]] == list(range(1, 301))
    assert {p["text_source"] for p in record["pages"]} == {"text_layer", "ocr"}
    assert run.peak_pss_mb < 1536, f"peak memory {run.peak_pss_mb:.0f} MB (PSS), {run.peak_rss_mb:.0f} MB summed RSS"


# ------------------------------------------------------------------ tesseract and output faults


@pytest.fixture
def wrapper(tmp_path) -> Path:
    """A private copy of the faulty tesseract, so its processes can be found (and must be gone) afterwards."""
    path = tmp_path / "tesseract-faulty"
    shutil.copy(WRAPPER, path)
    path.chmod(0o755)
    return path


def wrapper_processes(path: Path) -> list:
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(path) in part for part in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


@SLOW
def test_hanging_or_crashing_tesseract_fails_only_its_document(tmp_path, wrapper):
    marked = lambda first: lambda p, s: F.save_image(F.text_page((first,) + F.PLAN_LINES[1:4], height_in=2.2), p, "PNG")  # noqa: E731
    cases = (
        Case("treo.png", marked("TRANG TREO MÁY"), "E_OCR_TIMEOUT", "longer than 10 s"),
        Case("sập.png", marked("TRANG SẬP MÁY"), "E_OCR_FAILED", "crashed"),
        Case("tốt.png", marked("KẾ HOẠCH"), lines=F.PLAN_LINES[1:4]),
        Case("tốt hai trang.pdf", lambda p, s: F.scan_pdf(p, [F.text_page(F.PLAN_LINES[:4], height_in=2.2)] * 2),
             lines=F.PLAN_LINES[:4]),
    )
    run = run_battery(tmp_path, cases, "--ocr-timeout", 10, env={"SOHOA_TESSERACT_CMD": str(wrapper)})
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    for case in cases:
        record = run.record(case.name)
        if case.code:
            assert record["error"]["code"] == case.code and record["error"]["stage"] == "ocr"
            (line,) = run.lines_about(case.name)
            assert case.says in line
        else:
            assert record["status"] == "ok" and F.recall(case.lines, record["text"]) >= MIN_RECALL
    assert run.after == run.before
    assert not wrapper_processes(wrapper), "a hung tesseract was left running"


@pytest.mark.parametrize("mode, says", [
    ("absent", "tesseract is not installed"),
    ("no-vie", "language model 'vie' is not installed"),
    ("no-model", "cannot load its language model 'vie'"),
])
def test_missing_tesseract_or_model_exits_3_with_install_hint(tmp_path, wrapper, mode, says):
    doc = F.save_image(F.text_page(height_in=1.5), tmp_path / "trang.png", "PNG")
    digest = F.sha256(doc)
    cmd = tmp_path / "no-such-tesseract" if mode == "absent" else wrapper
    done = sohoa("process", doc, "--out", tmp_path / "out", env={"SOHOA_TESSERACT_CMD": str(cmd), "FAULTY_TESSERACT": mode})
    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert says in line and "apt-get install tesseract-ocr tesseract-ocr-vie" in line
    assert F.sha256(doc) == digest
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())  # stopped before any work


def test_output_folder_that_is_a_file_stops_before_reading(tmp_path):
    doc = F.save_image(F.text_page(height_in=1.5), tmp_path / "trang.png", "PNG")
    blocker = tmp_path / "records"
    blocker.write_text("not a folder")
    done = sohoa("process", doc, "--out", blocker)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "cannot write into the output folder" in line and str(blocker) in line
    assert blocker.read_text() == "not a folder"


def test_read_only_output_folder_stops_before_reading(tmp_path):
    """A folder without write permission: exit 2 at once, nothing processed, nothing lost."""
    base = tmp_path / "shared"
    base.mkdir()
    doc = F.save_image(F.text_page(height_in=1.5), base / "trang.png", "PNG")
    out = base / "records"
    out.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # root writes anywhere: run the command as nobody, as an archivist's account would
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot drop the right to write")
        for folder in (tmp_path, *tmp_path.parents):
            folder.chmod(folder.stat().st_mode | 0o011) if folder != Path("/") else None
        base.chmod(0o755)
        doc.chmod(0o644)
        prefix = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    out.chmod(0o555)
    done = subprocess.run(prefix + SOHOA + ["process", str(doc), "--out", str(out)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "HOME": str(base)})
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "cannot write into the output folder" in line and "Permission denied" in line
    assert list(out.iterdir()) == [] and doc.exists()


def test_record_that_cannot_be_written_is_reported_and_the_rest_are_written(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    F.text_pdf(inputs / "một.pdf")
    F.text_pdf(inputs / "hai.pdf")
    out = tmp_path / "out"
    (out / "một.json").mkdir(parents=True)  # something in the way of that record
    done = sohoa("process", inputs, "--out", out)
    assert done.returncode == 1
    (line,) = [ln for ln in done.stderr.splitlines() if "một" in ln]
    assert "[E_OUTPUT]" in line and "could not be written" in line
    assert json.loads((out / "hai.json").read_text(encoding="utf-8"))["status"] == "ok"


# ------------------------------------------------------------------ bugs and surprises stay inside one document


def test_a_text_stage_bug_fails_only_its_document(tmp_path, monkeypatch):
    """E.g. a parser refusing a 1M-character text: that document gets E_INTERNAL, the others their records."""
    import pipeline.run as run
    from pipeline.engine import process_paths

    docs = [F.text_pdf(tmp_path / f"{name}.pdf") for name in ("một", "hai", "ba")]
    real = run.build_record

    def build(source, pages, settings):
        if source.path.endswith("hai.pdf"):
            raise ValueError("[E088] Text of length 1110000 exceeds maximum of 1000000")
        return real(source, pages, settings)

    monkeypatch.setattr(run, "build_record", build)  # worker processes are forked after the patch
    outcomes = {o.job.path.name: o for o in process_paths(docs, Settings(workers=1, restore=False))}
    records = {name: json.loads(o.record_json) for name, o in outcomes.items()}
    assert records["hai.pdf"]["status"] == "failed" and outcomes["hai.pdf"].error.code == ErrorCode.E_INTERNAL.value
    assert "E088" in records["hai.pdf"]["error"]["message"]
    assert records["một.pdf"]["status"] == records["ba.pdf"]["status"] == "ok"


def test_a_parser_surprised_by_a_file_means_damaged_not_a_crash(tmp_path, monkeypatch):
    import pipeline.ingest as ingest

    def surprised(path):
        raise KeyError("/Kids")

    monkeypatch.setattr(ingest, "count_pdf_pages", surprised)
    with pytest.raises(SohoaError) as err:
        ingest.ingest(F.text_pdf(tmp_path / "lạ.pdf"))
    assert err.value.code is ErrorCode.E_CORRUPT and "damaged" in err.value.message


def test_every_error_code_is_explained_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    for code in ErrorCode:
        assert f"| `{code.value}` |" in table, code.value
