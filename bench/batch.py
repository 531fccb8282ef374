"""`make bench-batch`: pages/minute of a 40-page `sohoa batch` with 2 workers, and its peak memory.

The sample scans (samples/scans/, the 300 dpi scanned ones by preference) are copied until the batch
holds at least --pages pages. Each copy gets a distinct trailer after the end of the file (ignored by
every reader) so its content hash differs: batch deduplicates identical files, and the point is to
OCR every page. The batch runs as a real subprocess from a fresh OUT folder; pages/minute is the OCR'd
pages over the wall time of the whole command (start-up, ingest, structure and writing included).
The CPU time of the whole process tree (rusage of the reaped children: batch, its workers, their
tesseract and poppler processes) is reported too: on a shared, busy machine the wall-clock figure
mostly measures the other load, while CPU seconds per page do not.
With --dask the same batch also runs on a Dask LocalCluster of the same size.

Results print as markdown and are saved to bench/results/batch.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench.measure import run_measured
from pipeline.batch import SCAN_SUFFIXES
from pipeline.config import Settings
from pipeline.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "samples" / "scans"
RESULTS = ROOT / "bench" / "results"


def sample_scans(folder: Path) -> list[Path]:
    """The 300 dpi scanned sample PDFs (as `make bench` uses for throughput); else every scan in `folder`.

    The born-digital PDF is left out: its pages come from the text layer, not OCR."""
    manifest = folder.parent / "manifest.json"
    if manifest.exists():
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        scans = [folder.parent / e["scan"] for e in entries
                 if e.get("format") == "pdf" and (e.get("dpi") or 0) >= 300 and not _born_digital(e)]
        if scans:
            return sorted(scans)
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in SCAN_SUFFIXES and "digital" not in p.name)


def _born_digital(entry: dict) -> bool:
    return bool(entry.get("text_layer") or entry.get("born_digital")) or "digital" in entry["scan"]


def build_batch(scans: list[Path], target_pages: int, dest: Path) -> int:
    """Distinct copies of the scans in dest/ until there are >= target_pages pages; returns the page count."""
    counts = {s: ingest(s, Settings()).pages for s in scans}
    pages, n = 0, 0
    while pages < target_pages:
        for scan in scans:
            if pages >= target_pages:
                break
            copy = dest / f"{n:03d}-{scan.name}"
            copy.write_bytes(scan.read_bytes() + f"\n%sohoa-bench-copy-{n}\n".encode())
            pages += counts[scan]
            n += 1
    return pages


def run(src: Path, out: Path, workers: int, executor: str) -> dict:
    cmd = [sys.executable, "-m", "pipeline.cli", "batch", str(src), "--out", str(out), "--workers", str(workers),
           "--executor", executor, "--log-every", "3600"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = run_measured(cmd, env=env, poll=0.2, pss=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads((out / "summary.json").read_text())
    pages = summary["pages_ocr"]
    return {"executor": executor, "workers": workers, "documents": summary["documents"], "pages": pages,
            "status": summary["status"], "exit": m.returncode, "seconds": round(m.seconds, 1),
            "pages_per_minute": round(pages * 60 / m.seconds, 1), "peak_rss_mb": round(m.peak_rss_mb),
            "peak_pss_mb": round(m.peak_pss_mb), "cpu_seconds": round(cpu, 1),
            "cpu_seconds_per_page": round(cpu / pages, 2) if pages else None,
            # what `workers` otherwise idle cores would give at this CPU cost per page (contention-free estimate)
            "pages_per_minute_cpu_bound": round(pages * 60 * workers / cpu, 1) if cpu else None}


def machine() -> str:
    model = ""
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", load average before the run %.1f (other work on the machine slows the figures)" % os.getloadavg()[0]
    return f"{os.cpu_count()} cores {model}, Python {platform.python_version()}, {platform.system()} {platform.release()}{load}"


def markdown(results: list[dict], pages: int, scans: list[Path]) -> str:
    lines = [f"Batch of {pages} pages from {len(scans)} sample scans ({', '.join(s.name for s in scans)}), "
             f"{machine()}, {date.today().isoformat()}.", "",
             "| executor | workers | documents | pages | wall s | pages/min (wall) | CPU s/page | pages/min if the cores were idle | peak RSS MB (summed) | peak PSS MB | exit |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['executor']} | {r['workers']} | {r['documents']} | {r['pages']} | {r['seconds']} | "
                     f"**{r['pages_per_minute']}** | {r['cpu_seconds_per_page']} | {r['pages_per_minute_cpu_bound']} | "
                     f"{r['peak_rss_mb']} | {r['peak_pss_mb']} | {r['exit']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=Path, default=SCANS, help="folder of sample scans (default samples/scans)")
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dask", action=argparse.BooleanOptionalAction, default=True,
                    help="also run on a Dask LocalCluster of --workers workers")
    args = ap.parse_args(argv)
    scans = sample_scans(args.scans)
    if not scans:
        print(f"no sample scans in {args.scans}: run `make samples` first", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-batch-"))
    try:
        src = work / "src"
        src.mkdir()
        pages = build_batch(scans, args.pages, src)
        results = [run(src, work / "out-local", args.workers, "local")]
        if args.dask:
            results.append(run(src, work / "out-dask", args.workers, "dask"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = markdown(results, pages, scans)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "batch.json").write_text(json.dumps({"date": date.today().isoformat(), "machine": machine(),
                                                    "pages": pages, "runs": results}, indent=2) + "\n")
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
