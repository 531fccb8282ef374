"""Train the syllable trigram model: `python -m pipeline.restore.train --corpus ../shared/corpus --out models/restore`.

Interpolated modified-Kneser-Ney (one discount per order) over lowercase syllables, numbers and
punctuation as class symbols. Held-out documents (see corpus.is_held_out) never reach the counts.
Deterministic: same corpus in, byte-identical model out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from pipeline.restore import corpus as corpus_io
from pipeline.restore.lm import MODEL_FILE, VOCAB_FILE, pack_model
from pipeline.restore.syllables import is_well_formed, strip
from pipeline.restore.tokens import BOS, EOS, NUM, PUNCT, UNK, tokenize

HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")
MIN_SYLLABLE_COUNT = 10    # corpus syllables outside hunspell-vi need this many occurrences …
MIN_KEY_SHARE = 0.02       # … and this share of their accent-stripped key's commonest form (drops stray "tuong")
MIN_TRIGRAM_COUNT = 2      # singleton trigrams pruned: same accuracy, half the load time and memory
ADMIN_WEIGHT = 1           # in-domain up-weighting of trigram counts (see corpus.is_administrative)
SHIFT = np.uint64(16)
MASK16 = np.uint64(0xFFFF)


_SENTENCE_END = set(".:;?!")


def _symbols(line: str, title: Counter, mid: Counter) -> str:
    """LM symbols of a line; counts how often each syllable is capitalized inside a sentence."""
    out = []
    for tok in tokenize(line):
        if tok.kind == "word":
            low = tok.text.lower()
            if out and out[-1] not in _SENTENCE_END:
                mid[low] += 1
                if tok.text[:1].isupper() and tok.text[1:].islower():
                    title[low] += 1
            out.append(low)
        elif tok.kind == "num":
            out.append(NUM)
        elif tok.kind == "punct":
            if tok.text in PUNCT:
                out.append(tok.text)
        else:
            out.append(UNK)
    return " ".join(out)


def _doc_symbols(args: tuple[str, set[str]]) -> tuple[list[str], Counter, Counter]:
    text, boiler = args
    title: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    lines = [s for s in (_symbols(line, title, mid) for line in corpus_io.clean_lines(text, boiler)) if s]
    return lines, title, mid


def hunspell_syllables(path: Path = HUNSPELL_DIC) -> set[str]:
    if not path.exists():
        return set()
    words = set()
    for raw in path.read_text(encoding="utf-8").splitlines()[1:]:
        w = raw.split("/")[0].strip().lower()
        if is_well_formed(w):
            words.add(w)
    return words


def build_vocab(counts: Counter[str], extra: set[str]) -> list[str]:
    """Specials, punctuation, then syllables by descending count (ties by name): ids are stable."""
    top: dict[str, int] = {}
    for w, n in counts.items():
        if is_well_formed(w):
            top[strip(w)] = max(top.get(strip(w), 0), n)
    sylls = {
        w for w, n in counts.items()
        if n >= MIN_SYLLABLE_COUNT and is_well_formed(w) and n >= MIN_KEY_SHARE * top[strip(w)]
    } | extra
    ranked = sorted(sylls, key=lambda w: (-counts.get(w, 0), w))
    return [BOS, EOS, UNK, NUM] + sorted(PUNCT) + ranked


def trigram_counts(docs: list[list[str]], vocab: list[str], weights: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unique trigram keys (a<<32 | b<<16 | c) and their counts; every line padded `<s> <s> … </s>`.

    `weights`: an integer per document, its trigrams counted that many times (in-domain text up-weighted).
    """
    index = {w: i for i, w in enumerate(vocab)}
    unk, bos, eos = index[UNK], index[BOS], index[EOS]
    keys_parts, count_parts = [], []
    buf: list[int] = []

    def flush(weight: int) -> None:
        if not buf:
            return
        ids = np.asarray(buf, dtype=np.uint64)
        a, b, c = ids[:-2], ids[1:-1], ids[2:]
        ok = (a != eos) & (b != eos) & (c != bos)
        k = (a[ok] << np.uint64(32)) | (b[ok] << SHIFT) | c[ok]
        u, n = np.unique(k, return_counts=True)
        keys_parts.append(u)
        count_parts.append(n * weight)
        buf.clear()

    weights = weights or [1] * len(docs)
    for weight in sorted(set(weights)):
        for lines, doc_weight in zip(docs, weights):
            if doc_weight != weight:
                continue
            for line in lines:
                buf.extend((bos, bos))
                buf.extend(index.get(w, unk) for w in line.split())
                buf.append(eos)
            if len(buf) > 5_000_000:
                flush(weight)
        flush(weight)
    keys = np.concatenate(keys_parts)
    counts = np.concatenate(count_parts)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts)


def _discount(counts: np.ndarray) -> float:
    n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
    return float(n1 / (n1 + 2 * n2)) if n1 + n2 else 0.5


def _group(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique values of a sorted array and the start index of each run."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], starts


def kneser_ney(k3: np.ndarray, c3: np.ndarray, vocab_size: int, bos: int) -> dict[str, np.ndarray]:
    """Interpolated KN in back-off form: log p for stored n-grams, log back-off weight per context."""
    c3 = c3.astype(np.float64)
    # order 3: contexts (a,b) are runs of the sorted keys
    ctx3_all = k3 >> SHIFT
    ctx3, s3 = _group(ctx3_all)
    tot3 = np.add.reduceat(c3, s3)
    types3 = np.diff(np.r_[s3, len(k3)]).astype(np.float64)
    d3 = _discount(c3)
    gamma3 = d3 * types3 / tot3
    run3 = np.repeat(np.arange(len(ctx3)), np.diff(np.r_[s3, len(k3)]))

    # order 2: continuation counts N1+(. b c); raw counts after <s> (nothing precedes it)
    suf = k3 & np.uint64(0xFFFFFFFF)
    order = np.argsort(suf, kind="stable")
    suf_sorted = suf[order]
    k2, s2 = _group(suf_sorted)
    raw2 = np.add.reduceat(c3[order], s2)
    cont2 = np.diff(np.r_[s2, len(suf_sorted)]).astype(np.float64)
    first2 = (k2 >> SHIFT).astype(np.int64)
    cc2 = np.where(first2 == bos, raw2, cont2)
    d2 = _discount(cc2)
    tot2 = np.bincount(first2, weights=cc2, minlength=vocab_size)
    types2 = np.bincount(first2, minlength=vocab_size).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma2 = np.where(tot2 > 0, d2 * types2 / np.maximum(tot2, 1e-12), 1.0)

    # order 1: continuation counts N1+(. c), add-half smoothed so every syllable has mass
    last2 = (k2 & MASK16).astype(np.int64)
    cont1 = np.bincount(last2, minlength=vocab_size).astype(np.float64) + 0.5
    cont1[bos] = 0.0
    p1 = cont1 / cont1.sum()

    p2 = np.maximum(cc2 - d2, 0) / tot2[first2] + gamma2[first2] * p1[last2]
    p2_of_suffix = np.empty(len(k3))
    p2_of_suffix[order] = np.repeat(p2, np.diff(np.r_[s2, len(suf_sorted)]))
    p3 = np.maximum(c3 - d3, 0) / tot3[run3] + gamma3[run3] * p2_of_suffix

    keep = c3 >= MIN_TRIGRAM_COUNT
    with np.errstate(divide="ignore"):
        return {
            "k3": k3[keep], "lp3": np.log(p3[keep]),
            "k2": k2, "lp2": np.log(p2),
            "ctx3": ctx3, "bow3": np.log(gamma3),
            "lp1": np.log(np.maximum(p1, 1e-12)), "bow2": np.log(gamma2),
            "discounts": np.array([d2, d3]),
        }


def train(corpus: Path, out: Path, workers: int = 2, admin_weight: int = ADMIN_WEIGHT) -> dict:
    t0 = time.time()
    docs = list(corpus_io.read_documents(corpus))
    boiler = corpus_io.boilerplate_keys(docs)
    train_docs = [d for d in docs if not corpus_io.is_held_out(d["id"])]
    print(f"{len(docs)} documents, {len(train_docs)} for training, {len(boiler)} boilerplate lines", file=sys.stderr)
    with Pool(workers) as pool:
        results = pool.map(_doc_symbols, [(d["text"], boiler) for d in train_docs], chunksize=64)
    counts: Counter[str] = Counter()
    title: Counter[str] = Counter()
    mid: Counter[str] = Counter()
    symbol_docs = []
    for lines, t, m in results:
        symbol_docs.append(lines)
        title.update(t)
        mid.update(m)
        for line in lines:
            counts.update(line.split())
    del results
    vocab = build_vocab(counts, hunspell_syllables())
    if len(vocab) >= 1 << 16:
        raise SystemExit(f"vocabulary of {len(vocab)} does not fit 16-bit ids")
    print(f"{sum(counts.values()):,} tokens, vocabulary {len(vocab):,} ({time.time() - t0:.0f}s)", file=sys.stderr)
    weights = [admin_weight if corpus_io.is_administrative(d) else 1 for d in train_docs]
    k3, c3 = trigram_counts(symbol_docs, vocab, weights)
    print(f"{len(k3):,} trigram types ({time.time() - t0:.0f}s)", file=sys.stderr)
    tables = kneser_ney(k3, c3, len(vocab), vocab.index(BOS))
    freq = np.array([counts.get(w, 0) for w in vocab], dtype=np.int64)
    # log share of in-sentence occurrences written Capitalized: "Minh" is a name, "mình" is not
    cap = np.log(np.array([(title.get(w, 0) + 0.5) / (mid.get(w, 0) + 1.0) for w in vocab]))
    out.mkdir(parents=True, exist_ok=True)
    pack_model(tables, freq, cap, out / MODEL_FILE)
    (out / VOCAB_FILE).write_text("\n".join(vocab) + "\n", encoding="utf-8")
    stats = {
        "documents": len(docs), "training_documents": len(train_docs),
        "tokens": int(sum(counts.values())), "vocabulary": len(vocab),
        "trigram_types": int(len(k3)), "trigrams_kept": int(len(tables["k3"])),
        "bigrams": int(len(tables["k2"])), "discounts": [round(float(x), 4) for x in tables["discounts"]],
        "admin_weight": admin_weight, "seconds": round(time.time() - t0, 1),
    }
    (out / "training.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(stats), file=sys.stderr)
    return stats


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder with admin_docs.jsonl.gz and laws.jsonl.gz")
    ap.add_argument("--out", type=Path, default=Path("models/restore"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--admin-weight", type=int, default=ADMIN_WEIGHT,
                    help="times the trigrams of laws and documents with a symbol header are counted")
    args = ap.parse_args(argv)
    train(args.corpus, args.out, args.workers, args.admin_weight)


if __name__ == "__main__":
    main()
