"""`make bench`: accuracy, throughput and memory of `sohoa process` on the sample scans.

1. Accuracy: every scanned sample (not the born-digital PDF) through `sohoa process`;
   CER of the record text (and of the raw OCR text) against samples/truth, and the
   header fields against samples/expected.
2. Throughput: the 300 dpi scanned PDFs, copied until there are at least --min-pages pages,
   through `sohoa process --workers 2`, then through `ocrmypdf -l vie --jobs 2 --output-type pdf
   --sidecar` in the same run; pages/minute of both and peak memory of sohoa's process tree.

Results print as a markdown table and are saved to bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench.measure import run_measured
from bench.metrics import char_errors

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
RESULTS = ROOT / "bench" / "results"
HEADER_FIELDS = ("issuer.name", "issuer.parent", "symbol", "number", "type", "type_code", "place", "date", "title")
SIGNER_FIELDS = ("authority", "on_behalf_of", "position", "name")


def sohoa_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("sohoa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]


def load_manifest(samples: Path) -> list[dict]:
    return json.loads((samples / "manifest.json").read_text(encoding="utf-8"))


def header_values(record: dict) -> dict[str, object]:
    doc, signer = record.get("document") or {}, record.get("signer") or {}
    values = {}
    for field in HEADER_FIELDS:
        value = doc
        for part in field.split("."):
            value = (value or {}).get(part)
        values[f"document.{field}"] = value
    for field in SIGNER_FIELDS:
        values[f"signer.{field}"] = signer.get(field)
    return values


def accuracy(samples: Path, entries: list[dict], workdir: Path, env: dict) -> dict:
    scans = [samples / e["scan"] for e in entries]
    out = workdir / "accuracy"
    run = run_measured(sohoa_cmd() + ["process", *map(str, scans), "--out", str(out), "--workers", "2", "-q"], env=env)
    rows = []
    for entry, scan in zip(entries, scans):
        record = json.loads((out / f"{scan.stem}.json").read_text(encoding="utf-8"))
        truth = (samples / entry["truth"]).read_text(encoding="utf-8")
        errors, length = char_errors(record["text"], truth)
        raw_errors, _ = char_errors(record["raw_text"], truth)
        expected = header_values(json.loads((samples / entry["expected"]).read_text(encoding="utf-8")))
        got = header_values(record)
        wrong = sorted(k for k in expected if got.get(k) != expected[k])
        rows.append({
            "scan": entry["scan"], "format": entry["format"], "dpi": entry["dpi"], "pages": entry["pages"],
            "chars": length, "errors": errors, "cer": errors / length, "raw_cer": raw_errors / length,
            "header_fields": len(expected), "header_wrong": wrong,
            "header_got": {k: got.get(k) for k in wrong}, "header_expected": {k: expected[k] for k in wrong},
        })
    return {"rows": rows, "seconds": run.seconds, "returncode": run.returncode}


def throughput(samples: Path, entries: list[dict], workdir: Path, env: dict, min_pages: int, with_ocrmypdf: bool) -> dict:
    pdfs = [e for e in entries if e["format"] == "pdf" and e["dpi"] >= 300]
    if not pdfs:
        return {}
    src = workdir / "throughput"
    src.mkdir()
    pages, copies = 0, 0
    while pages < min_pages:
        for entry in pdfs:
            shutil.copy(samples / entry["scan"], src / f"{copies:03d}-{Path(entry['scan']).name}")
            pages += entry["pages"]
            copies += 1
    files = sorted(src.iterdir())
    ours = run_measured(sohoa_cmd() + ["process", str(src), "--out", str(workdir / "tp-out"), "--workers", "2", "-q"], env=env)
    result = {
        "pages": pages, "files": len(files),
        "sohoa": {"seconds": ours.seconds, "pages_per_minute": pages / ours.seconds * 60, "peak_rss_mb": ours.peak_rss_mb,
                  "returncode": ours.returncode},
    }
    ocrmypdf = shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))
    if with_ocrmypdf and Path(ocrmypdf).exists():
        total = 0.0
        ref_dir = workdir / "ocrmypdf"
        ref_dir.mkdir()
        for f in files:
            m = run_measured([ocrmypdf, "-q", "-l", "vie", "--jobs", "2", "--output-type", "pdf",
                              "--sidecar", str(ref_dir / f"{f.stem}.txt"), str(f), str(ref_dir / f.name)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            total += m.seconds
        result["ocrmypdf"] = {"seconds": total, "pages_per_minute": pages / total * 60}
        result["speedup"] = result["sohoa"]["pages_per_minute"] / result["ocrmypdf"]["pages_per_minute"]
    return result


def markdown(acc: dict, tp: dict) -> str:
    lines = ["| scan | format | dpi | pages | CER (restored) | CER (raw OCR) | header fields wrong |", "|---|---|---|---|---|---|---|"]
    for r in acc["rows"]:
        wrong = ", ".join(r["header_wrong"]) or "none"
        lines.append(f"| {r['scan']} | {r['format']} | {r['dpi']} | {r['pages']} | {r['cer']:.2%} | {r['raw_cer']:.2%} | {wrong} |")
    hi = [r for r in acc["rows"] if r["dpi"] >= 300]
    if hi:
        e, n = sum(r["errors"] for r in hi), sum(r["chars"] for r in hi)
        lines.append(f"| **all 300 dpi scans** | | | | **{e / n:.2%}** | | |")
    if tp:
        s = tp["sohoa"]
        lines += ["", f"Throughput, {tp['pages']} pages of 300 dpi scanned PDF ({tp['files']} files), 2 workers:", "",
                  "| tool | seconds | pages/minute | peak RSS (process tree) |", "|---|---|---|---|",
                  f"| sohoa process --workers 2 | {s['seconds']:.1f} | {s['pages_per_minute']:.1f} | {s['peak_rss_mb']:.0f} MB |"]
        if "ocrmypdf" in tp:
            o = tp["ocrmypdf"]
            lines.append(f"| ocrmypdf -l vie --jobs 2 --output-type pdf --sidecar | {o['seconds']:.1f} | {o['pages_per_minute']:.1f} | |")
            lines.append(f"\nsohoa / ocrmypdf speed ratio: **{tp['speedup']:.2f}×**")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-pages", type=int, default=40, help="pages in the throughput set (default 40)")
    parser.add_argument("--no-ocrmypdf", action="store_true", help="skip the ocrmypdf reference run")
    parser.add_argument("--no-throughput", action="store_true", help="accuracy only")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="samples folder with manifest.json (default: the repo's)")
    args = parser.parse_args(argv)

    entries = [e for e in load_manifest(args.samples) if e["format"] != "pdf-digital"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-") as tmp:
        workdir = Path(tmp)
        acc = accuracy(args.samples, entries, workdir, env)
        tp = {} if args.no_throughput else throughput(args.samples, entries, workdir, env, args.min_pages, not args.no_ocrmypdf)
    result = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "accuracy": acc, "throughput": tp}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(markdown(acc, tp))
    for r in acc["rows"]:
        for k in r["header_wrong"]:
            print(f"  {r['scan']}: {k}: got {r['header_got'][k]!r}, expected {r['header_expected'][k]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
