"""`make bench-restore`: accuracy, harmlessness, speed and memory of diacritics restoration.

1. Held-out corpus documents (split off by document before training, see pipeline.restore.corpus)
   and ../shared/seeds: syllable accuracy with every diacritic stripped; share of syllables changed
   when the input is already correct; synthetic English-model garble (the confusion table applied
   backwards, for development only).
2. Sample scans (samples/manifest.json): OCR with `tesseract -l eng` → CER before/after
   `restore_text`; OCR with `-l vie` of each scan → CER before/after `restore_page` (word confidences).
3. Speed on one core (syllables/s, stripped and correct input) and peak resident memory.

Prints a markdown report; saves bench/results/restore.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

from bench.metrics import char_errors
from pipeline.restore import corpus as corpus_io
from pipeline.restore.syllables import is_well_formed, strip, tone_placement_variant
from pipeline.restore.tokens import tokenize

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
MAX_LINES = 3000


# ---------------------------------------------------------------- evaluation text

def is_prose(line: str) -> bool:
    words = [t.text for t in tokenize(line) if t.kind == "word"]
    return len(words) >= 6 and sum(is_well_formed(w.lower()) for w in words) >= 0.9 * len(words)


Docs = list[list[str]]      # evaluation text: prose lines, grouped by the document they come from


def held_out_docs(corpus: Path, limit: int = MAX_LINES) -> tuple[Docs, Docs]:
    """Prose lines of all held-out documents, and of the administrative ones only (each sampled
    evenly over the documents' lines, kept grouped by document and in order)."""
    docs = list(corpus_io.read_documents(corpus))
    boiler = corpus_io.boilerplate_keys(docs)
    held = [d for d in sorted(docs, key=lambda d: (d["source"], d["id"])) if corpus_io.is_held_out(d["id"])]

    def sample(chosen: list[dict]) -> Docs:
        lines = [(k, line) for k, d in enumerate(chosen) for line in corpus_io.clean_lines(d["text"], boiler) if is_prose(line)]
        grouped: dict[int, list[str]] = {}
        for k, line in lines[:: max(1, len(lines) // limit)][:limit]:
            grouped.setdefault(k, []).append(line)
        return list(grouped.values())

    return sample(held), sample([d for d in held if corpus_io.is_administrative(d)])


def seed_docs(seeds: Path) -> Docs:
    return [
        [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if is_prose(line)]
        for path in sorted(seeds.glob("*.txt"))
    ]


def by_document(restore_text):
    """A document's lines through `restore_text` at once (its document cache sees them all)."""
    return lambda lines: restore_text("\n".join(lines)).split("\n")


def by_line(restore_text):
    """Each line through `restore_text` alone: what a caller feeding single lines gets."""
    return lambda lines: [restore_text(line) for line in lines]


def garble(line: str, rng: random.Random) -> str:
    """Synthetic English-model OCR: accents mostly lost, some letters confused (table read backwards)."""
    swaps = [("ư", "w"), ("đ", "d"), ("ố", "6"), ("ơ", "0"), ("l", "1"), ("ế", "é"), ("ươ", "wo"), ("ộ", "g")]
    out = []
    for tok in line.split(" "):
        for src, dst in swaps:
            if src in tok and rng.random() < 0.25:
                tok = tok.replace(src, dst, 1)
        out.append(strip(tok) if rng.random() < 0.85 else tok)
    return " ".join(out)


# ---------------------------------------------------------------- measures

def syllable_pairs(truth: str, guess: str) -> list[tuple[str, str]]:
    """Word tokens of truth and guess, paired by position (restoration never moves token boundaries)."""
    a = [t.text for t in tokenize(truth) if t.kind in ("word", "garble")]
    b = [t.text for t in tokenize(guess) if t.kind in ("word", "garble")]
    return list(zip(a, b)) if len(a) == len(b) else []


def same_syllable(truth: str, guess: str) -> bool:
    """Equal, or the other correct placement of the tone on oa/oe/uy (hoà = hòa, uỷ = ủy)."""
    return truth == guess or tone_placement_variant(truth) == guess


def accuracy(truths: Docs, inputs: Docs, restore_doc) -> dict:
    right = total = misaligned = 0
    outputs = [line for doc in inputs for line in restore_doc(doc)]
    for truth, out in zip([line for doc in truths for line in doc], outputs):
        pairs = syllable_pairs(truth, out)
        if not pairs:
            misaligned += 1
            continue
        total += len(pairs)
        right += sum(same_syllable(a, b) for a, b in pairs)
    return {"syllables": total, "accuracy": right / max(1, total), "misaligned_lines": misaligned}


def change_rate(docs: Docs, restore_doc) -> dict:
    changed = total = 0
    examples = []
    for line, out in zip([line for doc in docs for line in doc], [line for doc in docs for line in restore_doc(doc)]):
        pairs = syllable_pairs(line, out)
        total += len(pairs)
        diff = [(a, b) for a, b in pairs if a != b]          # any change counts here, even hoà → hòa
        changed += len(diff)
        if diff and len(examples) < 15:
            examples.extend(f"{a}→{b}" for a, b in diff[:2])
    return {"syllables": total, "changed": changed, "rate": changed / max(1, total), "examples": examples}


def cer_pair(before: str, after: str, truth: str) -> dict:
    eb, n = char_errors(before, truth)
    ea, _ = char_errors(after, truth)
    return {"cer_before": eb / max(1, n), "cer_after": ea / max(1, n), "chars": n}


def speed(docs: Docs, restore_doc) -> dict:
    sylls = sum(1 for doc in docs for line in doc for t in tokenize(line) if t.kind == "word")
    t0 = time.process_time()
    for doc in docs:
        restore_doc(doc)
    cpu = time.process_time() - t0
    return {"syllables": sylls, "cpu_seconds": round(cpu, 2), "syllables_per_second": round(sylls / max(cpu, 1e-9))}


def fresh_process_figures(docs: Docs) -> dict:
    """Load time, speed and peak memory of restoration alone: measured in a new process pinned to
    one core, so neither the corpus this benchmark reads nor a warm cache counts."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure_alone, (docs,))


def _measure_alone(docs: Docs) -> dict:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from pipeline.restore import MODEL_DIR, get_restorer, restore_text
    t0 = time.perf_counter()
    c0 = time.process_time()
    get_restorer()
    out = {"load_seconds": time.perf_counter() - t0, "load_cpu_seconds": time.process_time() - c0,
           "model_mb": sum(p.stat().st_size for p in MODEL_DIR.iterdir()) / 1e6}
    out["stripped"] = speed([[strip(x) for x in doc] for doc in docs], by_document(restore_text))
    out["correct"] = speed(docs, by_document(restore_text))
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM). ru_maxrss would carry over the parent's peak
    through fork + exec on Linux, i.e. count the corpus the parent holds."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- sample scans

def sample_entries() -> list[dict]:
    path = ROOT / "samples" / "manifest.json"
    if not path.exists():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [e for e in entries if e.get("format") != "pdf-digital"]   # a text layer is not OCR


def ocr_page_texts(scan: Path, lang: str) -> list:
    """The pipeline's own OCR of every page (layout, ink removal…) with restoration switched off.
    Pages are OCR'd in 2 processes (one tesseract each)."""
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.config import Settings
    from pipeline.ingest import ingest

    settings = Settings.from_env(lang=lang, restore=False)
    source = ingest(scan, settings)
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(_ocr_one, [(source, n, settings) for n in range(1, source.pages + 1)]))


def _ocr_one(args):
    from pipeline.run import ocr_page
    return ocr_page(*args)


def samples_report(entries: list[dict], restore_text, restore_page) -> dict:
    from pipeline.pagetext import join_pages
    out: dict[str, list] = {"eng": [], "vie": []}
    for e in entries:
        scan, truth_path = ROOT / "samples" / e["scan"], ROOT / "samples" / e["truth"]
        if not scan.exists() or not truth_path.exists():
            continue
        truth = truth_path.read_text(encoding="utf-8")
        eng = ocr_page_texts(scan, "eng")
        before = join_pages(eng)
        after = restore_text(before)
        out["eng"].append({"scan": e["scan"], **cer_pair(before, after, truth)})
        vie = ocr_page_texts(scan, "vie")
        restored = [restore_page(p) for p in vie]
        out["vie"].append({"scan": e["scan"], **cer_pair(join_pages(vie), join_pages(restored), truth)})
    return out


def _pooled(rows: list[dict]) -> dict:
    n = sum(r["chars"] for r in rows)
    return {
        "cer_before": sum(r["cer_before"] * r["chars"] for r in rows) / max(1, n),
        "cer_after": sum(r["cer_after"] * r["chars"] for r in rows) / max(1, n),
        "samples": len(rows),
        "worse": [r["scan"] for r in rows if r["cer_after"] > r["cer_before"] + 1e-12],
    }


# ---------------------------------------------------------------- report

def markdown(res: dict) -> str:
    pct = lambda x: f"{100 * x:.2f}%"  # noqa: E731
    rows = ["| measure | data | result | target |", "|---|---|---|---|"]
    for name, key in (("held-out corpus, all", "held_out"), ("held-out, administrative", "held_out_admin"), ("seeds", "seeds")):
        r = res[key]
        rows.append(f"| syllable accuracy, diacritics stripped | {name} ({r['stripped']['syllables']:,} syll.) | {pct(r['stripped']['accuracy'])} | ≥ 99.0% |")
        rows.append(f"| the same, each line restored alone | {name} | {pct(r['stripped_by_line']['accuracy'])} | – |")
        rows.append(f"| syllables changed on correct text | {name} ({r['correct']['syllables']:,} syll.) | {pct(r['correct']['rate'])} | ≤ 0.1% |")
        rows.append(f"| syllable accuracy, synthetic garble (dev only) | {name} | {pct(r['garble']['accuracy'])} | – |")
    s = res.get("samples")
    if s and s["eng"]["samples"]:
        e, v = s["eng"], s["vie"]
        rows.append(f"| CER `-l eng` OCR before → after | {e['samples']} sample scans | {pct(e['cer_before'])} → {pct(e['cer_after'])} (ratio {e['cer_after'] / max(e['cer_before'], 1e-9):.2f}) | ≤ 1/3 |")
        rows.append(f"| CER `-l vie` OCR before → after | {v['samples']} sample scans | {pct(v['cer_before'])} → {pct(v['cer_after'])}; worse on: {', '.join(v['worse']) or 'none'} | lower, none worse |")
    else:
        rows.append("| CER on sample scans | samples/manifest.json missing | not measured | |")
    sp = res["speed"]
    rows.append(f"| speed, stripped input (one core) | held-out | {sp['stripped']['syllables_per_second']:,} syll./s | ≥ 10,000 |")
    rows.append(f"| speed, correct input (one core) | held-out | {sp['correct']['syllables_per_second']:,} syll./s | ≥ 10,000 |")
    rows.append(f"| model load | models/restore | {sp['load_seconds']:.2f} s wall ({sp['load_cpu_seconds']:.2f} s CPU), {sp['model_mb']:.1f} MB on disk | ≤ 3 s, ≤ 60 MB |")
    rows.append(f"| peak resident memory | restoring process | {sp['peak_rss_mb']:.0f} MB | ≤ 500 MB |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--lines", type=int, default=MAX_LINES, help="held-out lines to evaluate")
    ap.add_argument("--no-samples", action="store_true", help="skip OCR of the sample scans")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    from pipeline.restore import restore_page, restore_text
    res: dict = {}
    rng = random.Random(2024)
    held, admin = held_out_docs(args.shared / "corpus", args.lines)
    seeds = seed_docs(args.shared / "seeds")
    whole, alone = by_document(restore_text), by_line(restore_text)
    for key, docs in (("held_out", held), ("held_out_admin", admin), ("seeds", seeds)):
        stripped = [[strip(x) for x in doc] for doc in docs]
        res[key] = {
            "documents": len(docs), "lines": sum(map(len, docs)),
            "stripped": accuracy(docs, stripped, whole),
            "stripped_by_line": accuracy(docs, stripped, alone),
            "correct": change_rate(docs, whole),
            "garble": accuracy(docs, [[garble(x, rng) for x in doc] for doc in docs], whole),
        }
    res["speed"] = fresh_process_figures(held)
    entries = [] if args.no_samples else sample_entries()
    if entries:
        raw = samples_report(entries, restore_text, restore_page)
        res["samples"] = {"eng": _pooled(raw["eng"]), "vie": _pooled(raw["vie"]), "per_sample": raw}
    res["load_avg"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    res["machine"] = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    res["date"] = date.today().isoformat()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "restore.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(res))
    print(f"\nmachine: {res['machine']}; load average at the end: {res['load_avg']}; date: {res['date']}", file=sys.stderr)
    for key in ("held_out", "held_out_admin", "seeds"):
        print(f"{key} changes on correct text: {res[key]['correct']['examples']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
