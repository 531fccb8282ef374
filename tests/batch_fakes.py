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
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    if b"CRASH" in Path(source.path).read_bytes():
        os._exit(7)                      # a worker dying under a page (segfault in a C library)
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

# helpers for the tests that run `sohoa` in a real subprocess --------------------------------------------
REPO = Path(__file__).resolve().parent.parent


def sohoa(*args: str, log: Path | None = None, delay: float = 0.0, **popen) -> subprocess.Popen:
    """Start `sohoa ARGS…` (python -m pipeline.cli) with the fake processor's log and delay."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "FAKE_DELAY": str(delay), "OMP_THREAD_LIMIT": "1"}
    if log is not None:
        env["FAKE_LOG"] = str(log)
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_until(condition, timeout: float = 60.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def log_lines(log: Path) -> list[list[str]]:
    return [ln.split() for ln in log.read_text().splitlines()] if log.exists() else []


def calls(log: Path, kind: str) -> Counter:
    """How often each document (or (document, page)) went through step `kind`."""
    return Counter(tuple(parts[1:]) if kind == "page" else parts[1] for parts in log_lines(log) if parts[0] == kind)


def sha_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def rendered_page(tmp_path_factory) -> Path:
    """A real 300 dpi scan-like PNG of a plan's header, for the few tests that run real OCR."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = sorted(Path("/usr/share/fonts").rglob("LiberationSerif-Regular.ttf"))
    if not fonts:
        pytest.skip("fonts-liberation2 is not installed")
    font = ImageFont.truetype(str(fonts[0]), 44)
    image = Image.new("L", (2480, 1100), 255)
    draw = ImageDraw.Draw(image)
    lines = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "KẾ HOẠCH", "Triển khai công tác chuyển đổi số năm 2024",
             "Căn cứ Quyết định số 06/QĐ-TTg ngày 06 tháng 01 năm 2022 của Thủ tướng Chính phủ;"]
    for i, text in enumerate(lines):
        draw.text((220, 160 + i * 100), text, font=font, fill=0)
    path = tmp_path_factory.mktemp("rendered") / "page.png"
    image.save(path, dpi=(300, 300))
    return path
