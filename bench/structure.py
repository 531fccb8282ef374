"""Field-level evaluation of the structure stage against hand-written gold (`make eval`).

Cases: the sample documents (samples/gold/<stem>.json; text from samples/truth/<stem>.txt, else
the sample source rendered to plain text in reading order) and the three seed plans
(tests/gold/seeds/<stem>.json; text from <shared>/seeds/<stem>.txt). Modes: `clean` (that text)
and `ocr` (sohoa records from --records DIR, else tesseract run here on samples/scans/<stem>.pdf).

Scores, GROBID style: header and signer field accuracy; citations instance-level P/R/F1 (symbol or
law title, date and issuer all right); assignment agencies P/R/F1 and role accuracy; recipients
recall; funding sources; top-level sections. Each under strict and diacritic-insensitive matching.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from bench import corpus
from pipeline.structure import extract_pages, extract_text, symbols
from pipeline.structure.model import Extraction
from pipeline.structure.text import fold, nfc, squash

ROOT = Path(__file__).resolve().parents[1]
HEADER_FIELDS = ["issuer.name", "issuer.parent", "symbol", "number", "type", "type_code", "place", "date", "title"]
SIGNER_FIELDS = ["authority", "on_behalf_of", "position", "name"]


def strict(v) -> Optional[str]:
    """'' and None alike: both say a field (an untitled article's heading) is empty."""
    return None if v is None or v == "" else re.sub(r"\s*([-–/])\s*", r"\1", squash(nfc(str(v)))).replace("–", "-")


def loose(v) -> Optional[str]:
    s = strict(v)
    return None if s is None else fold(s).strip(" .,;:")


@dataclass
class Case:
    name: str
    gold: dict
    text: Optional[str]
    pages: Optional[list] = None      # PageText of a record: scored with extract_pages


def _sample_text(stem: str) -> Optional[str]:
    truth = ROOT / "samples" / "truth" / f"{stem}.txt"
    if truth.exists():
        return truth.read_text(encoding="utf-8")
    src = ROOT / "samples" / "docs" / f"{stem}.txt"
    if not src.exists():
        return None
    from samples.docfile import parse_doc
    doc = parse_doc(src.read_text(encoding="utf-8"), stem)
    order = ("header_left", "number", "subject", "header_right", "place_date", "title", "body", "recipients", "signer")
    return "\n".join(re.sub(r"^@[bic]+\s+", "", ln).replace("**", "") for b in order for ln in doc.lines(b))


def clean_cases(shared: Path) -> list[Case]:
    cases = [Case(p.stem, json.loads(p.read_text()), _sample_text(p.stem)) for p in sorted((ROOT / "samples" / "gold").glob("*.json"))]
    for p in sorted((ROOT / "tests" / "gold" / "seeds").glob("*.json")):
        src = shared / "seeds" / f"{p.stem}.txt"
        cases.append(Case(f"seed:{p.stem}", json.loads(p.read_text()), src.read_text(encoding="utf-8") if src.exists() else None))
    return [c for c in cases if c.text is not None]


def _ocr_pdf(pdf: Path) -> str:
    """Plain tesseract OCR of a scan, one process per page (OMP_THREAD_LIMIT=1, --psm 4)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "300", "-gray", str(pdf), f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p*.pgm"))
        run = lambda pg: subprocess.run(["tesseract", str(pg), "-", "-l", "vie", "--psm", "4"], env=env, capture_output=True, text=True).stdout
        with ThreadPoolExecutor(2) as ex:
            return "\n\n".join(ex.map(run, pages))


def _pages_of(record: dict) -> list:
    """The record's pages as PageText (lines with boxes and layout regions), so the current parser
    reads them exactly as the pipeline's structure stage does (`extract_pages`)."""
    from pipeline.pagetext import Line, PageText

    return [PageText(p["number"], tuple(Line(ln["text"], tuple(ln["bbox"]), ln.get("conf", -1), region=ln.get("region", "body"))
                                        for ln in p.get("lines", [])), text_source=p.get("text_source", "ocr"))
            for p in record.get("pages", [])]


def _scans() -> list[dict]:
    """The rendered scans (samples/manifest.json), each with the sample document it shows."""
    manifest = ROOT / "samples" / "manifest.json"
    if manifest.exists():
        return json.loads(manifest.read_text())
    return [{"scan": f"scans/{p.name}", "doc": p.stem, "format": p.suffix.lstrip(".")}
            for p in sorted((ROOT / "samples" / "scans").glob("*.pdf"))]


def ocr_cases(records: Optional[Path]) -> list[Case]:
    """One case per scanned sample (text-layer PDFs left out: they are not OCR): the `sohoa process`
    record's pages when --records has it, else plain tesseract on the scan."""
    cases = []
    for entry in _scans():
        if "digital" in entry.get("format", ""):
            continue
        gold = ROOT / "samples" / "gold" / f"{entry['doc']}.json"
        scan = ROOT / "samples" / entry["scan"]
        if not gold.exists():
            continue
        rec = records / f"{scan.stem}.json" if records else None
        if rec is not None and rec.exists():
            record = json.loads(rec.read_text())
            pages = _pages_of(record)
            cases.append(Case(f"ocr:{scan.stem}", json.loads(gold.read_text()), record.get("text", ""), pages))
        elif scan.suffix == ".pdf" and scan.exists() and shutil.which("tesseract") and shutil.which("pdftoppm"):
            cases.append(Case(f"ocr:{scan.stem}", json.loads(gold.read_text()), _ocr_pdf(scan)))
    return cases


def _corpus_golds() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((ROOT / "tests" / "gold" / "corpus").glob("*.json"))}


def corpus_batches() -> list[int]:
    return sorted({g.get("batch", 0) for g in _corpus_golds().values()})


def corpus_gold_cases(shared: Path, batch: Optional[int] = None) -> list[Case]:
    """Hand-annotated corpus documents (tests/gold/corpus/<id>.json), when ../shared is there. Each
    batch was annotated blind, before the parser ran on it; its first-run figures are the held-out
    ones (docs/BENCHMARKS.md), later runs include fixes made after reading its misses."""
    golds = _corpus_golds()
    golds = {i: g for i, g in golds.items() if batch is None or g.get("batch") == batch}
    if not golds or not (shared / corpus.CORPUS_FILE).exists():
        return []
    docs = corpus.by_ids(shared, golds)
    return [Case(f"corpus:{i}", g, corpus.plain(docs[i].text)) for i, g in golds.items() if i in docs]


def corpus_summary(text: str) -> dict:
    """What the corpus check needs from one extraction (small, to cross the process boundary)."""
    t0 = time.perf_counter()
    ex = extract_text(text)
    d = ex.document
    return {"symbol": d.symbol, "type": d.type, "type_code": d.type_code, "date": d.date, "issuer": d.issuer.name,
            "title": d.title, "citations": len(ex.citations), "cit_symbol": sum(c.symbol is not None for c in ex.citations),
            "cit_date": sum(c.date is not None for c in ex.citations), "cit_issuer": sum(c.issuer is not None for c in ex.citations),
            "seconds": time.perf_counter() - t0}


def _expected_code(symbol: str) -> tuple[bool, Optional[str]]:
    """(parsed, type code) of a corpus symbol; a symbol whose first part is no type code is a công văn's."""
    found = symbols.find_symbols(symbol, need_number=False)
    if not found:
        return False, None
    return True, symbols.type_code_of(found[0])


def corpus_eval(shared: Path, n: Optional[int], timeout: float = 60.0, show: int = 0) -> dict:
    """Header figures on the first n corpus documents (by id) that carry a portal-found symbol."""
    docs = corpus.with_symbol(shared, n)
    texts = [corpus.plain(d.text) for d in docs]
    outcomes = corpus.run_isolated(corpus_summary, texts, timeout)
    rows = []
    for d, text, o in zip(docs, texts, outcomes):
        r = dict(o.value) if o.status == "ok" else {}
        want = re.sub(r"\s+", "", d.symbol)
        got = re.sub(r"\s+", "", r.get("symbol") or "")
        parsed, code = _expected_code(want)
        year = re.search(r"/((?:19|20)\d\d)/", want)
        rows.append({"id": d.id, "status": o.status, "decree30_header": corpus.has_decree30_header(text), "want": want, "got": got or None, "symbol_ok": got == want,
                     "type_ok": o.status == "ok" and parsed and r.get("type_code") == code and (code is not None or r.get("type") == "Công văn"),
                     "year_ok": None if not year or not r.get("date") else r["date"][:4] == year.group(1),
                     **{k: r.get(k) for k in ("type", "type_code", "date", "issuer", "title", "citations", "cit_symbol", "cit_date", "cit_issuer", "seconds")},
                     "wall": o.seconds})
    ok = [r for r in rows if r["status"] == "ok"]
    n_docs = len(rows)
    rate = lambda key: sum(bool(r[key]) for r in rows) / max(1, n_docs)
    years = [r["year_ok"] for r in rows if r["year_ok"] is not None]
    secs = sorted(r["seconds"] for r in ok)
    cits = sum(r["citations"] for r in ok)
    framed = [r for r in rows if r["decree30_header"]]
    out = {
        "documents": n_docs, "documents_with_header": len(framed),
        "symbol_exact_with_header": sum(r["symbol_ok"] for r in framed) / max(1, len(framed)),
        "type_consistent_with_header": sum(bool(r["type_ok"]) for r in framed) / max(1, len(framed)),
        "date_found_with_header": sum(r["date"] is not None for r in framed) / max(1, len(framed)),
        "issuer_found_with_header": sum(r["issuer"] is not None for r in framed) / max(1, len(framed)), "symbol_exact": rate("symbol_ok"), "type_consistent": rate("type_ok"),
        "date_found": sum(r["date"] is not None for r in ok) / max(1, n_docs),
        "date_full": sum(bool(r["date"]) and len(r["date"]) == 10 for r in ok) / max(1, n_docs),
        "date_year_agrees": sum(years) / max(1, len(years)), "date_year_checked": len(years),
        "issuer_found": sum(r["issuer"] is not None for r in ok) / max(1, n_docs),
        "title_found": sum(r["title"] is not None for r in ok) / max(1, n_docs),
        "citations": cits, "citations_per_doc": cits / max(1, len(ok)),
        "citations_with_date": sum(r["cit_date"] for r in ok) / max(1, cits),
        "citations_with_issuer": sum(r["cit_issuer"] for r in ok) / max(1, cits),
        "crashes": sum(r["status"] == "crash" for r in rows), "timeouts": sum(r["status"] == "timeout" for r in rows),
        "seconds_mean": sum(secs) / max(1, len(secs)), "seconds_median": secs[len(secs) // 2] if secs else 0.0,
        "seconds_max": secs[-1] if secs else 0.0, "rows": rows,
    }
    return out


CORPUS_ROWS = [("documents", "documents", "{:d}"), ("… of which open with a Decree 30 header (motto in the first 40 lines)", "documents_with_header", "{:d}"),
               ("symbol exact match, documents with a header", "symbol_exact_with_header", "{:.3f}"),
               ("type / type_code consistent, documents with a header", "type_consistent_with_header", "{:.3f}"),
               ("date found, documents with a header", "date_found_with_header", "{:.3f}"),
               ("issuer found, documents with a header", "issuer_found_with_header", "{:.3f}"),
               ("symbol exact match (all)", "symbol_exact", "{:.3f}"),
               ("type / type_code consistent with the symbol", "type_consistent", "{:.3f}"),
               ("date found", "date_found", "{:.3f}"), ("date complete (YYYY-MM-DD)", "date_full", "{:.3f}"),
               ("date year = symbol year (where the symbol has one)", "date_year_agrees", "{:.3f}"),
               ("issuer found", "issuer_found", "{:.3f}"), ("title found", "title_found", "{:.3f}"),
               ("citations (total)", "citations", "{:d}"), ("citations per document", "citations_per_doc", "{:.1f}"),
               ("citations with a date", "citations_with_date", "{:.3f}"), ("citations with an issuer", "citations_with_issuer", "{:.3f}"),
               ("crashes", "crashes", "{:d}"), ("timeouts (60 s)", "timeouts", "{:d}"),
               ("seconds per document, mean", "seconds_mean", "{:.3f}"), ("seconds per document, median", "seconds_median", "{:.3f}"),
               ("seconds per document, max", "seconds_max", "{:.3f}")]


def _get(d: dict, dotted: str):
    for k in dotted.split("."):
        d = (d or {}).get(k)
    return d


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _multiset_tp(pred: list, gold: list) -> int:
    left = list(pred)
    tp = 0
    for g in gold:
        if g in left:
            left.remove(g)
            tp += 1
    return tp


def _unique_citations(ex: Extraction) -> list[dict]:
    """One entry per cited document (first occurrence, completed by later ones)."""
    seen: dict[str, dict] = {}
    for c in ex.citations:
        key = c.symbol or fold(c.title or c.text)
        d = seen.setdefault(key, {"symbol": c.symbol, "title": c.title, "date": c.date, "issuer": c.issuer, "type": c.type, "role": c.role})
        for k in ("date", "issuer", "type"):
            d[k] = d[k] or getattr(c, k)
    return list(seen.values())


def score(cases: list[Case], norm: Callable) -> dict:
    acc = {k: [0, 0] for k in ("header", "signer", "role_acc", "purpose_acc")}
    counts = {k: [0, 0, 0] for k in ("citations", "citation_docs", "agencies", "assign_pairs", "recipients", "funding", "sections")}
    per_case = {}
    elapsed = 0.0
    for case in cases:
        t0 = time.perf_counter()
        ex = extract_pages(case.pages) if case.pages else extract_text(case.text)
        elapsed += time.perf_counter() - t0
        pred = ex.model_dump()
        g = case.gold
        ok = sum(norm(_get(pred["document"], f)) == norm(_get(g["document"], f)) for f in HEADER_FIELDS)
        acc["header"][0] += ok
        acc["header"][1] += len(HEADER_FIELDS)
        sok = sum(norm(pred["signer"].get(f)) == norm(g["signer"].get(f)) for f in SIGNER_FIELDS)
        acc["signer"][0] += sok
        acc["signer"][1] += len(SIGNER_FIELDS)

        pc = _unique_citations(ex)
        key = lambda c: norm(c.get("symbol")) or norm(c.get("title"))
        inst = lambda c: (key(c), norm(c.get("date")), norm(c.get("issuer")))
        tp = _multiset_tp([inst(c) for c in pc], [inst(c) for c in g["citations"]])
        counts["citations"] = [a + b for a, b in zip(counts["citations"], (tp, len(pc), len(g["citations"])))]
        tpk = _multiset_tp([key(c) for c in pc], [key(c) for c in g["citations"]])
        counts["citation_docs"] = [a + b for a, b in zip(counts["citation_docs"], (tpk, len(pc), len(g["citations"])))]

        pa = {norm(a["agency"]["name"]) for a in pred["assignments"]}
        ga = {norm(a["agency"]) for a in g["assignments"]}
        counts["agencies"] = [a + b for a, b in zip(counts["agencies"], (len(pa & ga), len(pa), len(ga)))]
        pp = {(norm(a["agency"]["name"]), a["role"]) for a in pred["assignments"]}
        gp = {(norm(a["agency"]), a["role"]) for a in g["assignments"]}
        counts["assign_pairs"] = [a + b for a, b in zip(counts["assign_pairs"], (len(pp & gp), len(pp), len(gp)))]
        for ag, role in gp:
            if ag in pa:
                acc["role_acc"][0] += (ag, role) in pp
                acc["role_acc"][1] += 1

        pr = [norm(r["name"]) for r in pred["recipients"]]
        gr = [norm(r["name"]) for r in g["recipients"]]
        counts["recipients"] = [a + b for a, b in zip(counts["recipients"], (_multiset_tp(pr, gr), len(pr), len(gr)))]
        purposes = {norm(r["name"]): r["purpose"] for r in pred["recipients"]}
        for r in g["recipients"]:
            if norm(r["name"]) in purposes:
                acc["purpose_acc"][0] += purposes[norm(r["name"])] == r["purpose"]
                acc["purpose_acc"][1] += 1

        pf = {s for f in pred["funding"] for s in f["sources"]}
        gf = set(g.get("funding_sources", []))
        counts["funding"] = [a + b for a, b in zip(counts["funding"], (len(pf & gf), len(pf), len(gf)))]
        ps = [(norm(s["marker"]), norm(s["heading"])) for s in pred["sections"]]
        gs = [(norm(m), norm(h)) for m, h in g["sections"]]
        counts["sections"] = [a + b for a, b in zip(counts["sections"], (_multiset_tp(ps, gs), len(ps), len(gs)))]
        per_case[case.name] = {"header": f"{ok}/{len(HEADER_FIELDS)}", "signer": f"{sok}/{len(SIGNER_FIELDS)}",
                               "citations": f"{tp}/{len(pc)}p/{len(g['citations'])}g", "agencies": f"{len(pa & ga)}/{len(pa)}p/{len(ga)}g"}
    out = {k: (v[0] / v[1] if v[1] else 1.0) for k, v in acc.items()}
    for k, (tp, npred, ngold) in counts.items():
        p, r, f = prf(tp, npred, ngold)
        out[f"{k}_p"], out[f"{k}_r"], out[f"{k}_f1"] = p, r, f
    out["seconds_per_doc"] = elapsed / max(1, len(cases))
    out["cases"] = per_case
    return out


ROWS = [("header fields exact", "header"), ("signer fields", "signer"), ("citations instance F1", "citations_f1"),
        ("citations instance P", "citations_p"), ("citations instance R", "citations_r"), ("cited documents F1 (key only)", "citation_docs_f1"),
        ("assignment agencies F1", "agencies_f1"), ("assignment role accuracy", "role_acc"), ("(agency, role) pairs F1", "assign_pairs_f1"),
        ("recipients recall", "recipients_r"), ("recipients precision", "recipients_p"), ("recipient purpose accuracy", "purpose_acc"),
        ("funding sources F1", "funding_f1"), ("top-level sections F1", "sections_f1")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder holding seeds/")
    ap.add_argument("--records", type=Path, default=None, help="folder of `sohoa process` records (<stem>.json) for the OCR run")
    ap.add_argument("--no-ocr", action="store_true", help="score clean text only")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    ap.add_argument("--corpus", type=int, default=None, metavar="N",
                    help="instead: header check on the first N documents (by id) of <shared>/corpus/admin_docs.jsonl.gz that carry a symbol (0 = all)")
    ap.add_argument("--show", type=int, default=0, metavar="K", help="with --corpus: print K symbol misses to read")
    ap.add_argument("--docs", default=None, metavar="STEMS",
                    help="instead: score only these samples (comma-separated stems of samples/gold), one column: "
                         "the first run of a held-out batch")
    args = ap.parse_args(argv)
    if args.corpus is not None:
        return _main_corpus(args)
    if args.docs:
        return _main_docs(args)

    results = {"clean": score(clean_cases(args.shared), strict), "clean (diacritic-insensitive)": score(clean_cases(args.shared), loose)}
    for batch in corpus_batches():
        held_out = corpus_gold_cases(args.shared, batch)
        if held_out:
            results[f"corpus batch {batch}"] = score(held_out, strict)
    if not args.no_ocr:
        oc = ocr_cases(args.records)
        if oc:
            results["ocr"] = score(oc, strict)
            results["ocr (diacritic-insensitive)"] = score(oc, loose)
            scanned = {c.name.split(":", 1)[1] for c in oc}
            docs = {e["doc"] for e in _scans() if Path(e["scan"]).stem in scanned}
            clean_samples = [c for c in clean_cases(args.shared) if c.name in docs]
            results["clean, same samples"] = score(clean_samples, strict)
    cols = list(results)
    print("| metric | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for label, key in ROWS:
        print(f"| {label} | " + " | ".join(f"{results[c][key]:.3f}" for c in cols) + " |")
    print(f"| seconds per document | " + " | ".join(f"{results[c]['seconds_per_doc']:.3f}" for c in cols) + " |")
    for c in cols:
        print(f"\n{c}: " + "; ".join(f"{k} {v}" for k, v in results[c]["cases"].items()), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


def _main_docs(args) -> int:
    """The named samples alone (`--docs a,b,c`): how a batch of held-out documents scored when it came."""
    stems = [x.strip() for x in args.docs.split(",") if x.strip()]
    cases = [c for c in clean_cases(args.shared) if c.name in stems]
    missing = sorted(set(stems) - {c.name for c in cases})
    if missing:
        print(f"no gold for: {', '.join(missing)} (samples/gold/<stem>.json)", file=sys.stderr)
        return 2
    out = score(cases, strict)
    print(f"| metric | {len(cases)} documents |\n|---|---|")
    for label, key in ROWS:
        print(f"| {label} | {out[key]:.3f} |")
    for name, case in out["cases"].items():
        print(f"{name}: {case}", file=sys.stderr)
    return 0


def _main_corpus(args) -> int:
    if not (args.shared / corpus.CORPUS_FILE).exists():
        print(f"{args.shared / corpus.CORPUS_FILE} not found: the corpus lives in ../shared beside the repo", file=sys.stderr)
        return 2
    res = corpus_eval(args.shared, args.corpus or None)
    print("| corpus check (documents with a portal-found symbol) | value |")
    print("|---|---|")
    for label, key, fmt in CORPUS_ROWS:
        print(f"| {label} | {fmt.format(res[key])} |")
    misses = [r for r in res["rows"] if not r["symbol_ok"] or not r["type_ok"]]
    for r in misses[: args.show]:
        print(f"{r['id']} [{r['status']}] want {r['want']!r} got {r['got']!r} type {r['type']!r}/{r['type_code']!r} "
              f"date {r['date']!r} issuer {r['issuer']!r}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
