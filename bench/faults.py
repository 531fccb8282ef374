"""`make bench` (faults): memory of a 300-page scan, the decompression bomb, the text stages' worst case.

1. A 300-page scanned PDF (A4 at 300 dpi, image only, a plan's opening lines and a page number on
   every page) through `sohoa process --workers 2`: wall time, pages/minute and the peak RSS of the
   whole process tree (sohoa, its workers, pdftoppm, tesseract), also per quarter of the run: flat
   memory means the last quarter peaks no higher than the first.
2. A 40000×40000 PNG (1.6 Gpx): refused by the pixel limit; time and peak RSS of the refusing process.
3. The structure parser on one line of N citations (a broken text layer can flatten a document
   into one line): seconds for growing N, to show how the cost grows.

Results print as markdown and are saved to bench/results/faults.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LIMIT_MB = 1536


def scanned_pdf(path: Path, pages: int) -> Path:
    from tests.faultfiles import PLAN_LINES, pdf, text_page

    return pdf(path, (text_page(PLAN_LINES + (f"Trang {n} / {pages}",), height_in=11.69) for n in range(1, pages + 1)))


def long_document(work: Path, pages: int, workers: int) -> dict:
    doc = scanned_pdf(work / "ba trăm trang.pdf", pages)
    trace: list[tuple[float, float]] = []
    exe = Path(sys.executable).with_name("sohoa")
    cmd = [str(exe), "process", str(doc), "--out", str(work / "out"), "--workers", str(workers), "-q"]
    with open(work / "stderr.txt", "w") as err:
        run = run_measured(cmd, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, trace=trace, pss=True, stderr=err)
    record = json.loads((work / "out" / "ba trăm trang.json").read_text(encoding="utf-8"))
    quarters = [max((mb for t, mb in trace if q * run.seconds / 4 <= t < (q + 1) * run.seconds / 4), default=0.0)
                for q in range(4)]
    return {
        "pages": pages, "workers": workers, "returncode": run.returncode, "status": record["status"],
        "pages_in_record": len(record["pages"]), "seconds": round(run.seconds, 1),
        "pages_per_minute": round(pages / run.seconds * 60, 1), "peak_rss_mb": round(run.peak_rss_mb), "peak_pss_mb": round(run.peak_pss_mb),
        "peak_rss_mb_by_quarter": [round(q) for q in quarters], "pdf_mb": round(doc.stat().st_size / 2**20, 1),
    }


BOMB_PROBE = """
import re, sys, time
from pipeline.errors import SohoaError
from pipeline.ingest import ingest
start = time.perf_counter()
try:
    ingest(sys.argv[1])
    code = "accepted"
except SohoaError as exc:
    code = exc.code.value
peak_kb = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)  # not ru_maxrss: kept across exec
print(code, time.perf_counter() - start, int(peak_kb) / 1024)
"""


def bomb(work: Path) -> dict:
    from tests.faultfiles import bomb_png

    path = bomb_png(work / "bomb.png")
    out = subprocess.run([sys.executable, "-c", BOMB_PROBE, str(path)], capture_output=True, text=True, check=True)
    code, seconds, peak = out.stdout.split()
    return {"pixels": 40_000 * 40_000, "file_kb": round(path.stat().st_size / 1024), "code": code,
            "seconds": round(float(seconds), 3), "peak_rss_mb": round(float(peak))}


def citations_on_one_line(counts=(125, 250, 500)) -> list[dict]:
    from pipeline.structure import extract_text

    rows = []
    for n in counts:
        text = "Căn cứ Luật số 12/2015/QH13 ngày 19 tháng 6 năm 2015; " * n
        start = time.perf_counter()
        extract_text(text)
        rows.append({"citations": n, "chars": len(text), "seconds": round(time.perf_counter() - start, 2)})
    return rows


def markdown(res: dict) -> str:
    d, b = res["long_document"], res["bomb"]
    lines = [
        f"Command: `make bench` (`python -m bench.faults`), {res['date']}, {res['machine']}.",
        "",
        "| case | measured | target |",
        "|---|---|---|",
        f"| {d['pages']}-page scanned PDF ({d['pdf_mb']} MB), `--workers {d['workers']}`: peak memory of the process tree, "
        "PSS (shared pages counted once) | "
        f"**{d['peak_pss_mb']} MB** | ≤ {LIMIT_MB} MB |",
        f"| same run, summed RSS (shared pages counted in every process) | {d['peak_rss_mb']} MB; peak per quarter of the "
        f"run: {' / '.join(map(str, d['peak_rss_mb_by_quarter']))} MB | flat |",
        f"| same run: time, throughput | {d['seconds']} s, {d['pages_per_minute']} pages/minute, "
        f"{d['pages_in_record']} pages in the record ({d['status']}) | |",
        f"| 40000×40000 PNG ({b['file_kb']} KB on disk) | {b['code']} in {b['seconds']} s, peak RSS {b['peak_rss_mb']} MB "
        "(decoding would need 200 MB at 1 bit, 1.6 GB at 8 bits) | refused without decoding |",
    ]
    for row in res["citations_on_one_line"]:
        lines.append(f"| structure parser, one line of {row['citations']} citations ({row['chars']:,} chars) "
                     f"| {row['seconds']} s | grows linearly |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-faults-") as tmp:
        work = Path(tmp)
        res = {
            "date": date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "long_document": long_document(work, args.pages, args.workers),
            "bomb": bomb(work),
            "citations_on_one_line": citations_on_one_line(),
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(res))
    ok = res["long_document"]["peak_pss_mb"] <= LIMIT_MB and res["long_document"]["returncode"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
