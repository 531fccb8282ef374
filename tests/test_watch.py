"""`sohoa watch ROOT`: every scan dropped in the inbox ends up exactly once in out/, with its original in
archive/, failed/ or duplicates/ — whatever the timing of copies, duplicates, signals and kill -9.

The watcher runs as a real `sohoa watch` subprocess over real files. Unless a test says otherwise it
uses the fast fake processor (tests/batch_fakes.py): these tests check the folder machinery (settling,
claiming, dedupe, recovery, signals), not OCR. `test_real_scan_through_watch` uses the real pipeline.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from pipeline.watch import Settler, original_name
from tests.batch_fakes import SPEC, calls, make_scan, rendered_page, scan_bytes, sha_of, sohoa, wait_until  # noqa: F401

FOLDERS = ("inbox", "work", "out", "archive", "failed", "duplicates")


def _start(root: Path, log: Path, *extra: str, delay: float = 0.0, real: bool = False):
    args = ["watch", str(root), "--settle", "1", "--rescan", "2", "--workers", "2", *extra]
    proc = sohoa(*args, *([] if real else ["--processor", SPEC]), log=log, delay=delay)
    wait_until(lambda: (root / "work").is_dir() or proc.poll() is not None, 30, "the watcher to start")
    return proc


def _stop(proc, timeout: float = 60) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, stderr
    return stderr


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _record_files(root: Path) -> list[Path]:
    """The records in out/ (temp files of a write in progress or interrupted, `.name.*.tmp`, are not records)."""
    return [p for p in _files(root / "out") if not p.name.startswith(".")]


def _records(root: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in _record_files(root)]


def test_settler_waits_for_size_and_mtime_to_hold(tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"a")
    s = Settler(settle=2.0)
    s.observe(f, now=0.0)
    assert s.ready(1.9) == []
    f.write_bytes(b"ab")                                   # still growing: the clock starts again
    s.observe(f, now=1.9)
    assert s.ready(3.0) == [] and s.ready(3.9) == [f]
    s.instant.add(f)                                       # a .part renamed to its final name
    assert s.ready(2.0) == [f]


def test_original_name_survives_the_claim_token():
    assert original_name("18c3f0a1b2~Kế hoạch 82.pdf") == "Kế hoạch 82.pdf"
    assert original_name("plain~name.pdf") == "plain~name.pdf"


def test_slow_chunked_copy_is_processed_once_after_it_is_complete(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log)
    data = scan_bytes(pages=3, body=b"x" * 200_000)
    target = root / "inbox" / "slow scan.pdf"
    with open(target, "wb") as fh:                          # a scanner writing over ~3 s, pausing < settle
        for i in range(0, len(data), len(data) // 8 + 1):
            fh.write(data[i:i + len(data) // 8 + 1])
            fh.flush()
            time.sleep(0.4)
    wait_until(lambda: len(_record_files(root)) == 1, 30, "the record")
    time.sleep(2.5)                                         # one more rescan: nothing else may happen
    _stop(proc)
    assert list(calls(log, "ingest").values()) == [1]
    assert [r["source"]["sha256"] for r in _records(root)] == [sha_of(root / "archive" / "slow scan.pdf")]
    assert sha_of(root / "archive" / "slow scan.pdf") == __import__("hashlib").sha256(data).hexdigest()
    assert not _files(root / "failed") and not _files(root / "inbox") and not _files(root / "work")


def test_part_file_is_ignored_until_renamed(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log, "--settle", "30")             # long settle: only the rename can make it ready
    part = root / "inbox" / "scan.pdf.part"
    make_scan(part, pages=1)
    (root / "inbox" / "~$lock.pdf").write_bytes(b"office lock")
    (root / "inbox" / ".hidden.pdf").write_bytes(b"dotfile")
    time.sleep(1.5)
    assert not calls(log, "ingest")
    part.rename(root / "inbox" / "scan.pdf")
    wait_until(lambda: len(_record_files(root)) == 1, 20, "the renamed scan's record")
    _stop(proc)
    assert sorted(p.name for p in _files(root / "inbox")) == [".hidden.pdf", "~$lock.pdf"]


def test_200_files_dropped_at_once(tmp_path):
    """200 small real files (fake scans) dropped together: 200 records, no duplicates, inbox/work empty."""
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log)
    staging = tmp_path / "staging"
    for i in range(200):
        make_scan(staging / f"scan {i:03d}.pdf", pages=1 + i % 3, body=f"document {i}".encode())
    for p in sorted(staging.iterdir()):
        p.rename(root / "inbox" / p.name)
    wait_until(lambda: len(_files(root / "archive")) == 200, 120, "200 archived originals")
    _stop(proc)
    records = _records(root)
    assert len(records) == 200
    assert len({r["source"]["sha256"] for r in records}) == 200
    assert not _files(root / "inbox") and not _files(root / "work")
    assert not _files(root / "duplicates") and not _files(root / "failed")
    assert set(calls(log, "record").values()) == {1}


def test_same_file_twice_gives_one_record_and_one_duplicate(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log)
    make_scan(root / "inbox" / "scan.pdf", pages=2, body=b"same")
    wait_until(lambda: len(_files(root / "archive")) == 1, 20, "the first copy")
    make_scan(root / "inbox" / "scan.pdf", pages=2, body=b"same")             # dropped again, same name
    make_scan(root / "inbox" / "renamed copy.pdf", pages=2, body=b"same")     # and under another name
    wait_until(lambda: len(_files(root / "duplicates")) == 4, 20, "two duplicates with notes")
    _stop(proc)
    assert len(_records(root)) == 1
    notes = [json.loads(p.read_text()) for p in (root / "duplicates").glob("*.duplicate.json")]
    assert {n["record"] for n in notes} == {"out/scan.json"} and len(notes) == 2
    assert {n["file"] for n in notes} == {"scan.pdf", "renamed copy.pdf"}
    assert sum(calls(log, "record").values()) == 1


def test_failure_goes_to_failed_with_error_json(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log)
    (root / "inbox" / "Công văn hỏng.pdf").write_bytes(scan_bytes(2)[:-3])  # truncated
    make_scan(root / "inbox" / "good.pdf")
    wait_until(lambda: len(_files(root / "failed")) == 2 and len(_files(root / "out")) == 1, 20, "both outcomes")
    _stop(proc)
    error = json.loads((root / "failed" / "Công văn hỏng.pdf.error.json").read_text())
    assert error["code"] == "E_TRUNCATED" and error["stage"] == "ingest" and error["message"]


def test_kill_9_then_restart_processes_each_document_once(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    staging = tmp_path / "staging"
    for i in range(30):
        make_scan(staging / f"doc{i:02d}.pdf", pages=1 + i % 3, body=f"doc {i}".encode())
    originals = sorted(sha_of(p) for p in staging.iterdir())
    proc = _start(root, log, delay=0.05)
    for p in sorted(staging.iterdir()):
        p.rename(root / "inbox" / p.name)
    wait_until(lambda: len(_record_files(root)) >= 6, 60, "some records")  # a temp file is not a record yet
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    done_before = {r["source"]["sha256"] for r in _records(root)}
    assert 6 <= len(done_before) < 30

    proc = _start(root, log)
    wait_until(lambda: len(_files(root / "archive")) == 30, 60, "all 30 archived")
    _stop(proc)
    records = _records(root)
    assert sorted(r["source"]["sha256"] for r in records) == originals      # each exactly once, all valid JSON
    assert sorted(sha_of(p) for p in _files(root / "archive")) == originals  # no original lost or changed
    assert not _files(root / "inbox") and not _files(root / "work")
    assert not _files(root / "duplicates") and not _files(root / "failed")
    assert len(_files(root / "out")) == 30                                  # stale temp files cleaned up
    redone = {sha[:8]: calls(log, "record")[sha] for sha in done_before if calls(log, "record")[sha] != 1}
    assert not redone, (redone, log.read_text())                            # finished ones not redone


def test_sigterm_finishes_in_flight_and_leaves_the_rest(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log, delay=0.3)
    for i in range(12):
        make_scan(root / "inbox" / f"doc{i:02d}.pdf", pages=2, body=bytes([i]))
    wait_until(lambda: calls(log, "ingest"), 30, "work to start")
    _stop(proc)
    done = _files(root / "archive")
    assert done and len(_files(root / "out")) == len(done)
    assert not _files(root / "work")                                  # in-flight finished or given back
    assert len(_files(root / "inbox")) + len(done) == 12


def test_second_watcher_on_the_same_root_exits_75(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    first = _start(root, log)
    second = sohoa("watch", str(root), "--processor", SPEC, log=log)
    _, stderr = second.communicate(timeout=60)
    assert second.returncode == 75 and "in use" in stderr
    _stop(first)


def test_poll_mode_sees_new_files(tmp_path):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log, "--poll", "--rescan", "600")         # only the polling observer can find it
    time.sleep(0.5)
    make_scan(root / "inbox" / "nfs.pdf")
    wait_until(lambda: len(_record_files(root)) == 1, 20, "the record")
    _stop(proc)


@pytest.mark.slow
def test_real_scan_through_watch(tmp_path, rendered_page):
    root, log = tmp_path / "root", tmp_path / "log"
    proc = _start(root, log, real=True)
    (root / "inbox" / "ke-hoach.png").write_bytes(rendered_page.read_bytes())
    wait_until(lambda: len(_files(root / "archive")) == 1, 120, "the real record")
    _stop(proc)
    record = json.loads((root / "out" / "ke-hoach.json").read_text())
    assert record["status"] == "ok" and record["source"]["sha256"] == sha_of(rendered_page)
