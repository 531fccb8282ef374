"""A fast stand-in Processor for the batch/watch/executor tests (no tesseract).

It reads real files and behaves like the pipeline where the machinery cares: a page count, a
per-page step, a record carrying the content hash, refusals of empty/truncated/bad files. Every
call is appended to $FAKE_LOG (one short line, O_APPEND, so concurrent workers never interleave),
which is how the tests check that nothing is processed twice. $FAKE_DELAY slows each step down so a
test can kill a run in the middle.

Fake scan format: b"FAKESCAN pages=<n>\\n" + any bytes + b"\\nEND\\n" (END missing = truncated).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ErrorCode, SohoaError
from pipeline.processor import Processor


@dataclass(frozen=True)
class FakeSource:
    path: str
    sha256: str
    pages: int


def make_scan(path: Path, pages: int = 1, body: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(scan_bytes(pages, body))
    return path


def scan_bytes(pages: int = 1, body: bytes = b"") -> bytes:
    return f"FAKESCAN pages={pages}\n".encode() + body + b"\nEND\n"


def _log(*parts) -> None:
    target = os.environ.get("FAKE_LOG")
    if target:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (" ".join(str(p) for p in parts) + "\n").encode())
        finally:
            os.close(fd)


def _delay() -> None:
    time.sleep(float(os.environ.get("FAKE_DELAY", "0")))


def ingest(path: Path, settings) -> FakeSource:
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    _log("ingest", sha)
    _delay()
    if not data:
        raise SohoaError(ErrorCode.E_EMPTY, stage="ingest")
    m = re.match(rb"FAKESCAN pages=(\d+)\n", data)
    if not m:
        raise SohoaError(ErrorCode.E_UNSUPPORTED, stage="ingest")
    if not data.endswith(b"\nEND\n"):
        raise SohoaError(ErrorCode.E_TRUNCATED, stage="ingest")
    return FakeSource(str(path), sha, int(m.group(1)))


def ocr_page(source: FakeSource, number: int, settings) -> dict:
    _log("page", source.sha256, number)
    _delay()
    return {"number": number, "text": f"page {number} of {source.sha256[:12]}"}


def build_record(source: FakeSource, pages: list[dict], settings) -> str:
    _log("record", source.sha256)
    record = {"source": {"name": Path(source.path).name, "sha256": source.sha256, "pages": source.pages},
              "pages": pages, "text": "\n\n".join(p["text"] for p in pages)}
    return json.dumps(record, ensure_ascii=False, indent=2)


def failed_record(path: Path, error: SohoaError, source, settings) -> str:
    sha = source.sha256 if source else hashlib.sha256(Path(path).read_bytes()).hexdigest()
    _log("failed", sha)
    return json.dumps({"source": {"name": Path(path).name, "sha256": sha},
                       "error": {"code": error.code.value, "stage": error.stage, "message": error.message}})


PROCESSOR = Processor(ingest, ocr_page, build_record, failed_record)
SPEC = "tests.batch_fakes:PROCESSOR"
