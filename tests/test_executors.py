"""Executors: failures cross process boundaries as data, and a Dask cluster gives the same records as
the local process pool (the batch engine does not know which one it drives)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from pipeline.batch import BatchOptions, run_batch
from pipeline.config import Settings
from pipeline.errors import ErrorCode, MissingDependency, SohoaError
from pipeline.executors import LocalExecutor, call_safely, result_of
from tests.batch_fakes import SPEC, make_scan, rendered_page  # noqa: F401


def _raise(exc: Exception):
    raise exc


def test_failures_become_picklable_data():
    sohoa = call_safely(_raise, SohoaError(ErrorCode.E_ENCRYPTED, stage="ingest"))
    missing = call_safely(_raise, MissingDependency("tesseract is not installed", "apt-get install tesseract-ocr"))
    bug = call_safely(_raise, ValueError("boom"))
    for result in (sohoa, missing, bug):
        assert pickle.loads(pickle.dumps(result)) == result
    assert (sohoa.error.code, sohoa.error.stage) == ("E_ENCRYPTED", "ingest")
    assert missing.error.missing_dependency and isinstance(missing.error.to_exception(), MissingDependency)
    assert missing.error.to_exception().hint.startswith("apt-get")
    assert bug.error.code == "E_INTERNAL" and "boom" in bug.error.message
    assert call_safely(pow, 2, 10).value == 1024


def test_local_executor_runs_tasks_in_other_processes():
    import os

    ex = LocalExecutor(2)
    try:
        futures = [ex.submit(os.getpid) for _ in range(4)]
        while len(done := {f for f in futures if f.done()}) < 4:
            ex.wait_any(set(futures) - done, 5)
        pids = {result_of(f).value for f in futures}
    finally:
        ex.close()
    assert os.getpid() not in pids


def _records_without_times(out: Path) -> list[dict]:
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    for r in records:
        r.get("pipeline", {}).pop("created", None)
    return records


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


def test_dask_cluster_gives_the_same_records_as_local(tmp_path, dask_scheduler):
    src = tmp_path / "src"
    for i in range(6):
        make_scan(src / f"d{i % 2}" / f"scan{i // 2}.pdf", pages=1 + i % 3, body=bytes([i]))
    (src / "broken.pdf").write_bytes(b"FAKESCAN pages=2\n")
    settings = Settings(workers=2)
    local = run_batch(BatchOptions(src, tmp_path / "local", processor=SPEC, progress=False), settings)
    dask = run_batch(BatchOptions(src, tmp_path / "dask", executor="dask", scheduler=dask_scheduler,
                                  processor=SPEC, progress=False), settings)
    assert local == dask == 1                                     # broken.pdf failed in both
    assert _records_without_times(tmp_path / "local") == _records_without_times(tmp_path / "dask")
    names = lambda d: sorted(p.name for p in d.glob("*.json"))  # noqa: E731
    assert names(tmp_path / "local") == names(tmp_path / "dask")
    summary = json.loads((tmp_path / "dask" / "summary.json").read_text())
    assert summary["executor"] == "dask" and summary["status"] == {"done": 6, "failed": 1}


@pytest.mark.slow
def test_dask_real_ocr_same_record_as_local(tmp_path, dask_scheduler, rendered_page):
    """The real pipeline on one rendered page: identical records from both executors, timestamps aside."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "page.png").write_bytes(rendered_page.read_bytes())
    settings = Settings(workers=2)
    assert run_batch(BatchOptions(src, tmp_path / "local", progress=False), settings) == 0
    assert run_batch(BatchOptions(src, tmp_path / "dask", executor="dask", scheduler=dask_scheduler,
                                  progress=False), settings) == 0
    local, dask = _records_without_times(tmp_path / "local"), _records_without_times(tmp_path / "dask")
    assert local == dask and local[0]["status"] == "ok" and local[0]["text"]
