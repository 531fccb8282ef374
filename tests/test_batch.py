"""`sohoa batch`: skip what is done, resume after kill -9 (down to the page), never stop for one bad file.

These run the real `sohoa batch` command in a subprocess on real files with the fast fake processor
(tests/batch_fakes.py), so they exercise the state DB, the process pool, signals, locking and the
atomic outputs — not OCR quality. `test_real_ocr_batch` runs the real pipeline on a rendered page.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.batch import BatchOptions, discover, output_names, run_batch
from pipeline.config import Settings
from pipeline.state import EXIT_LOCKED, fingerprint, folder_lock, models_hash
from tests.batch_fakes import SPEC, calls, make_scan, rendered_page, scan_bytes, sha_of, sohoa, wait_until  # noqa: F401

FAKE = ["--processor", SPEC]


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]


def _manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def _batch(src: Path, out: Path, log: Path, *extra: str, delay: float = 0.0, timeout: float = 120):
    proc = sohoa("batch", str(src), "--out", str(out), "--workers", "2", *FAKE, *extra, log=log, delay=delay)
    stdout, stderr = proc.communicate(timeout=timeout)
    return proc.returncode, stderr


def test_output_names_disambiguate_equal_stems():
    rels = [Path("a/scan.pdf"), Path("b/scan.pdf"), Path("c/d/other.tif"), Path("x.pdf"), Path("x.png"),
            Path("summary.pdf")]
    names = output_names(rels)
    assert names[Path("a/scan.pdf")] == "a__scan" and names[Path("b/scan.pdf")] == "b__scan"
    assert names[Path("c/d/other.tif")] == "other"
    assert names[Path("x.pdf")] != names[Path("x.png")]
    assert names[Path("summary.pdf")] != "summary"           # would clobber OUT/summary.json
    assert len(set(names.values())) == len(rels)


def test_fingerprint_follows_models_and_record_shaping_settings(tmp_path):
    models = tmp_path / "models"
    (models / "restore").mkdir(parents=True)
    (models / "restore" / "lm.bin").write_bytes(b"v1")
    base = Settings()
    first = fingerprint(base, models)
    assert fingerprint(replace(base, workers=7, ocr_timeout=5), models) == first     # run-only settings
    assert fingerprint(replace(base, dpi=200), models) != first
    (models / "restore" / "lm.bin").write_bytes(b"v2")
    models_hash.cache_clear()
    assert fingerprint(base, models) != first


def test_discover_skips_partial_hidden_and_out(tmp_path):
    for name in ["a.pdf", "sub/b.TIF", "c.pdf.part", "~$d.pdf", ".e.pdf", ".hidden/f.pdf", "notes.txt", "out/g.pdf"]:
        make_scan(tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path, exclude=tmp_path / "out")]
    assert found == ["a.pdf", "sub/b.TIF"]


def test_batch_outputs_skip_and_settings_change(tmp_path):
    src, out, log = tmp_path / "src", tmp_path / "out", tmp_path / "log"
    make_scan(src / "a" / "scan.pdf", pages=3)
    make_scan(src / "b" / "scan.pdf", pages=2, body=b"other")
    make_scan(src / "c.png", body=b"c")
    (src / "copy").mkdir()
    (src / "copy" / "c-again.png").write_bytes((src / "c.png").read_bytes())
    (src / "broken.pdf").write_bytes(scan_bytes(2)[:-4])          # truncated
    (src / "empty.jpg").write_bytes(b"")

    code, stderr = _batch(src, out, log)
    assert code == 1, stderr                                        # some failed, the run went on
    status = {m["path"]: m["status"] for m in _manifest(out)}
    assert status == {"a/scan.pdf": "done", "b/scan.pdf": "done", "c.png": "done", "copy/c-again.png": "duplicate",
                      "broken.pdf": "failed", "empty.jpg": "failed"}
    assert {p.name for p in out.glob("*.json")} >= {"a__scan.json", "b__scan.json", "c.json", "broken.json",
                                                     "empty.json", "summary.json"}
    errors = {m["path"]: m["error"]["code"] for m in _manifest(out) if "error" in m}
    assert errors == {"broken.pdf": "E_TRUNCATED", "empty.jpg": "E_EMPTY"}
    assert "broken.pdf" in stderr and "E_TRUNCATED" in stderr        # one line naming the file and why
    records = _records(out)
    assert len(records) == 5                                         # the duplicate shares c's record
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == {"done": 3, "duplicate": 1, "failed": 2} and summary["pages_ocr"] == 6

    first_ingests = sum(calls(log, "ingest").values())
    code, _ = _batch(src, out, log)                                  # unchanged: everything skipped
    assert code == 1                                                  # the two broken files still are
    assert sum(calls(log, "ingest").values()) == first_ingests
    assert {m["status"] for m in _manifest(out)} == {"skipped", "duplicate", "failed_earlier"}
    assert len(_records(out)) == 5

    code, _ = _batch(src, out, log, "--dpi", "200")                  # a setting that shapes records changed
    assert sum(calls(log, "ingest").values()) == first_ingests + 5
    assert {m["status"] for m in _manifest(out)} == {"done", "duplicate", "failed"}

    code, _ = _batch(src, out, log, "--dpi", "200", "--workers", "1")  # run-only settings do not reprocess
    assert {m["status"] for m in _manifest(out)} == {"skipped", "duplicate", "failed_earlier"}


def test_kill_9_mid_batch_then_rerun_finishes_each_document_once(tmp_path):
    """kill -9 while a multi-page document is half done; the rerun redoes no finished document and
    no finished page, every output is valid JSON, and every original is byte-identical."""
    src, out, log1, log2 = tmp_path / "src", tmp_path / "out", tmp_path / "log1", tmp_path / "log2"
    for i in range(10):
        make_scan(src / f"d{i // 5}" / f"doc{i:02d}.pdf", pages=4, body=f"document {i}".encode())
    before = {p.relative_to(src): sha_of(p) for p in src.rglob("*.pdf")}

    proc = sohoa("batch", str(src), "--out", str(out), "--workers", "2", *FAKE, log=log1, delay=0.15)
    state = out / "sohoa-state.sqlite"

    def half_done() -> bool:
        if not state.exists():
            return False
        try:
            with sqlite3.connect(state) as db:
                done = db.execute("SELECT count(*) FROM documents WHERE status='done'").fetchone()[0]
                pages = db.execute("SELECT count(*) FROM pages").fetchone()[0]
        except sqlite3.OperationalError:                                # schema not created yet
            return False
        return done >= 2 and pages >= 1

    wait_until(half_done, 60, "two documents done and one half done")
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with sqlite3.connect(state) as db:
        done_before = {r[0] for r in db.execute("SELECT sha256 FROM documents WHERE status='done'")}
        pages_before = {(r[0].split(":")[0], str(r[1])) for r in db.execute("SELECT key, number FROM pages")}
    assert 2 <= len(done_before) < 10

    code, stderr = _batch(src, out, log2)
    assert code == 0, stderr
    assert not set(calls(log2, "ingest")) & done_before                # finished documents not touched again
    assert not set(calls(log2, "page")) & pages_before                 # nor finished pages of the half-done one
    assert any(m.get("pages_resumed") for m in _manifest(out))
    for page, n in (calls(log1, "page") + calls(log2, "page")).items():
        assert n <= 2, page                                              # at most the in-flight pages twice
    records = _records(out)
    assert sorted(r["source"]["sha256"] for r in records) == sorted(before.values())
    for p in out.glob("*.json"):
        json.loads(p.read_text())                                        # no torn file
    assert not list(out.glob(".*.tmp"))
    assert {p.relative_to(src): sha_of(p) for p in src.rglob("*.pdf")} == before


def test_sigint_stops_cleanly_with_130_and_rerun_completes(tmp_path):
    src, out, log = tmp_path / "src", tmp_path / "out", tmp_path / "log"
    for i in range(8):
        make_scan(src / f"doc{i}.pdf", pages=2, body=bytes([i]))
    proc = sohoa("batch", str(src), "--out", str(out), "--workers", "2", *FAKE, log=log, delay=0.2)
    wait_until(lambda: sum(calls(log, "record").values()) >= 1, 60, "a first record")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    statuses = [m["status"] for m in _manifest(out)]
    assert "interrupted" in statuses and "done" in statuses
    code, _ = _batch(src, out, log)
    assert code == 0 and len(_records(out)) == 8


def test_a_crashing_worker_fails_only_its_document(tmp_path):
    src, out, log = tmp_path / "src", tmp_path / "out", tmp_path / "log"
    for i in range(6):
        make_scan(src / f"ok{i}.pdf", pages=2, body=bytes([i]))
    make_scan(src / "crash.pdf", pages=2, body=b"CRASH")
    code, stderr = _batch(src, out, log)
    assert code == 1, stderr
    status = {m["path"]: (m["status"], m.get("error", {}).get("code")) for m in _manifest(out)}
    assert status.pop("crash.pdf") == ("failed", "E_INTERNAL")
    assert set(status.values()) == {("done", None)}                 # the neighbours it took down were rerun
    assert "crash.pdf" in stderr and "crashed" in stderr


def test_lock_held_exits_75(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    make_scan(src / "a.pdf")
    with folder_lock(out / ".sohoa.lock"):
        code, stderr = _batch(src, out, tmp_path / "log")
    assert code == EXIT_LOCKED == 75 and "in use" in stderr


def test_usage_errors_exit_2(tmp_path):
    code, stderr = _batch(tmp_path / "missing", tmp_path / "out", tmp_path / "log")
    assert code == 2 and "no such file" in stderr
    make_scan(tmp_path / "src" / "a.pdf")
    code, stderr = _batch(tmp_path / "src", tmp_path / "out", tmp_path / "log", "--scheduler", "tcp://x:1")
    assert code == 2 and "--executor dask" in stderr


def test_missing_tesseract_exits_3_with_install_hint(tmp_path):
    """The real processor's preflight, with tesseract pointed at a program that does not exist."""
    make_scan(tmp_path / "src" / "a.pdf")
    env = {**os.environ, "SOHOA_TESSERACT_CMD": "/nonexistent/tesseract"}
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "batch", str(tmp_path / "src"), "--out",
                           str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "tesseract" in proc.stderr and "apt" in proc.stderr


@pytest.mark.slow
def test_real_ocr_batch(tmp_path, rendered_page):
    """The real pipeline through `sohoa batch`: a valid record, then a rerun that skips it."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "page.png").write_bytes(rendered_page.read_bytes())
    settings = Settings(workers=2)
    assert run_batch(BatchOptions(src, out, progress=False), settings) == 0
    record = json.loads((out / "page.json").read_text())
    assert record["status"] == "ok" and "KẾ HOẠCH" in record["text"]
    assert run_batch(BatchOptions(src, out, progress=False), settings) == 0
    assert _manifest(out)[0]["status"] == "skipped"


@pytest.mark.slow
def test_hanging_tesseract_times_out_one_page_and_the_batch_goes_on(tmp_path):
    """Real pipeline, with tesseract replaced by tests/faulty_tesseract.py, which hangs on a page
    reading 'TREO': that document fails with E_OCR_TIMEOUT after --ocr-timeout, the others are done."""
    import shutil
    import subprocess

    from tests import faultfiles as F

    wrapper = tmp_path / "tesseract-faulty"
    shutil.copy(Path(F.__file__).with_name("faulty_tesseract.py"), wrapper)
    wrapper.chmod(0o755)
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    page = lambda first: F.text_page((first,) + F.PLAN_LINES[1:4], height_in=2.2)  # noqa: E731
    F.save_image(page("TRANG TREO MÁY"), src / "treo.png", "PNG")
    F.save_image(page("KẾ HOẠCH"), src / "tot.png", "PNG")
    env = {**os.environ, "SOHOA_TESSERACT_CMD": str(wrapper), "OMP_THREAD_LIMIT": "1"}
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "batch", str(src), "--out", str(out),
                          "--ocr-timeout", "5"], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    status = {m["path"]: (m["status"], (m.get("error") or {}).get("code")) for m in _manifest(out)}
    assert status == {"treo.png": ("failed", "E_OCR_TIMEOUT"), "tot.png": ("done", None)}


def test_a_record_that_cannot_be_written_fails_alone(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    make_scan(src / "a.pdf", body=b"a")
    make_scan(src / "b.pdf", body=b"b")
    (out / "a.json").mkdir(parents=True)                    # something in the way of a's record
    code, stderr = _batch(src, out, tmp_path / "log")
    assert code == 1, stderr
    status = {m["path"]: (m["status"], (m.get("error") or {}).get("code")) for m in _manifest(out)}
    assert status == {"a.pdf": ("failed", "E_OUTPUT"), "b.pdf": ("done", None)}
    assert len(_records(out)) == 1
