"""Held-out real documents: hand-written gold for corpus documents (tests/gold/corpus/<id>.json),
scored against the structure stage when ../shared/corpus is present (the corpus text is never in the repo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import corpus
from bench.structure import Case, score, strict

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD = sorted((ROOT / "tests" / "gold" / "corpus").glob("*.json"))


def test_corpus_gold_is_well_formed():
    assert len(GOLD) >= 2
    for p in GOLD:
        g = json.loads(p.read_text())
        assert g["corpus_id"] == p.stem
        for key in ("document", "signer", "citations", "assignments", "recipients", "sections", "funding_sources"):
            assert key in g, f"{p.name} lacks {key}"


def test_plain_drops_markdown_emphasis_only():
    assert corpus.plain("*Căn cứ Tờ trình số 52/TTr-STC* *ngày 23 tháng* *11 năm 2025;*") == \
        "Căn cứ Tờ trình số 52/TTr-STC ngày 23 tháng 11 năm 2025;"


@pytest.fixture(scope="module")
def held_out():
    if not (SHARED / corpus.CORPUS_FILE).exists():
        pytest.skip(f"{SHARED / corpus.CORPUS_FILE} absent: the corpus lives in ../shared beside the repo")
    docs = corpus.by_ids(SHARED, [p.stem for p in GOLD])
    missing = [p.stem for p in GOLD if p.stem not in docs]
    assert not missing, f"gold for ids the corpus does not hold: {missing}"
    return [Case(p.stem, json.loads(p.read_text()), corpus.plain(docs[p.stem].text)) for p in GOLD]


def test_held_out_corpus_documents_score_at_the_acceptance_levels(held_out):
    """Header ≥ 0.98, citations instance F1 ≥ 0.95, signer ≥ 0.95, recipients recall ≥ 0.90 (the clean-text
    acceptance levels) hold on the real documents too. Assignments do not reach the acceptance level
    here (docs/BENCHMARKS.md, Structure): this floor (agencies F1 ≥ 0.78, roles ≥ 0.90, measured
    0.83 / 0.94 over the six batches, in-sample now) guards against regressions. The misses are
    appendix tables of chủ trì / phối hợp columns, generic bodies named in passing, and the gold's
    convention of naming groups as printed where the gazetteer has one name for them."""
    s = score(held_out, strict)
    failed = {k: round(s[k], 3) for k, floor in [("header", 0.98), ("citations_f1", 0.95), ("agencies_f1", 0.78),
                                                  ("role_acc", 0.90), ("signer", 0.95), ("recipients_r", 0.90)]
              if s[k] < floor}
    assert not failed, f"{failed}; per document: {s['cases']}"
