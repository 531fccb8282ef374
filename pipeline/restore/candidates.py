"""Candidate syllables for a token, each with a cost (nats) the decoder adds to the LM score.

Three sources: accent-stripped key → accented forms (the inventory); tone/shape changes of an
accented syllable (OCR dropping a tone on â/ê/ô/ơ/ư) at a price; and for tokens that are not
syllables at all, the OCR confusion table (w→ư, 6→ố, 1→l …) plus one free edit, at a higher price.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.restore.syllables import detone, is_well_formed, strip, tone_placement_variant

CONFUSIONS_FILE = "confusions.tsv"
PROTECTED_FILE = "protected.txt"
EDIT_COST = 3.0
_LETTERS = "abcdeghiklmnopqrstuvxy"


@dataclass(frozen=True)
class Costs:
    """Prices of changing what OCR/the typist wrote; tuned on held-out corpus text, never on samples."""
    restore_bare: float = 0.0     # unaccented token in a line that lost its accents
    keep_bare: float = 0.0
    tone_change: float = 6.0      # accented syllable → other tone, same vowel shapes (khân→khẩn)
    shape_change: float = 8.0     # accented syllable → other vowel shape (phó→phố)
    bare_in_accented: float = 7.0 # unaccented token in an accented line (trong, cho are real words)
    weak_marks: float = 1.0       # accents on a garbled (English-model) line are barely evidence
    max_forms: int = 10
    capital_weight: float = 1.0   # × log share of Capitalized uses, for a Capitalized word inside a sentence
    min_form_share: float = 0.002  # forms rarer than this share of their key's commonest are not offered


class Inventory:
    """Syllable ids by accent-stripped key, commonest first; confusions for garbled tokens."""

    def __init__(self, vocab: list[str], freq, folder: Path):
        self.index = {w: i for i, w in enumerate(vocab)}
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, w in enumerate(vocab):
            if is_well_formed(w):
                by_key[strip(w)].append(i)
        self.by_key = {k: sorted(ids, key=lambda i: (-int(freq[i]), i)) for k, ids in by_key.items()}
        self.freq = freq
        self.vocab = vocab
        self._garbled: dict[tuple[str, Costs], list[tuple[int, float]]] = {}
        self.confusions = _read_confusions(folder / CONFUSIONS_FILE)
        self.protected = {
            line.strip() for line in (folder / PROTECTED_FILE).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        }

    def is_syllable(self, low: str) -> bool:
        return low in self.index and is_well_formed(low)

    def forms(self, key: str, limit: int, min_share: float = 0.0) -> list[int]:
        ids = self.by_key.get(key, [])[:limit]
        if min_share and ids:
            floor = min_share * int(self.freq[ids[0]])
            ids = [i for i in ids if self.freq[i] >= floor] or ids[:1]
        return ids

    def accented(self, low: str, costs: Costs, *, weak: bool) -> list[tuple[int, float]]:
        """An accented syllable and its rivals: same key, priced by how much OCR would have had to get wrong."""
        own = self.index[low]
        out = [(own, 0.0)]
        shape = detone(low)
        twin = tone_placement_variant(low)
        for i in self.forms(strip(low), costs.max_forms, costs.min_form_share):
            if i == own or self.vocab[i] == twin:
                continue
            w = self.vocab[i]
            if weak:
                cost = costs.weak_marks
            elif not (set(w) - set(strip(w))):   # rival has no marks at all: OCR does not add accents
                cost = costs.shape_change + 2.0
            else:
                cost = costs.tone_change if detone(w) == shape else costs.shape_change
            out.append((i, cost))
        return out

    def bare(self, low: str, costs: Costs, *, accented_line: bool) -> list[tuple[int, float]]:
        """An unaccented token (or one whose accents make no syllable, "vién"): every form of its key."""
        out = []
        own = self.index.get(low)
        change = costs.bare_in_accented if accented_line else costs.restore_bare
        for i in self.forms(strip(low), costs.max_forms, costs.min_form_share):
            out.append((i, costs.keep_bare if i == own else change))
        if own is not None and all(i != own for i, _ in out):
            out.append((own, costs.keep_bare))
        return out

    def garbled(self, low: str, costs: Costs) -> list[tuple[int, float]]:
        """A token that is no syllable: confusion-table rewrites (up to two) and one free edit of its key."""
        hit = self._garbled.get((low, costs))
        if hit is None:
            if len(self._garbled) > 100_000:
                self._garbled.clear()
            hit = self._garbled[(low, costs)] = self._garbled_uncached(low, costs)
        return hit

    def _garbled_uncached(self, low: str, costs: Costs) -> list[tuple[int, float]]:
        key = strip(low)
        if len(key) > 8:
            return []
        best: dict[str, float] = {}
        for variant, cost in self._rewrites(key):
            if variant in self.by_key and cost < best.get(variant, 1e9):
                best[variant] = cost
        out: dict[int, float] = {}
        for variant, cost in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
            for rank, i in enumerate(self.forms(variant, costs.max_forms)):
                c = cost + 0.1 * rank
                if c < out.get(i, 1e9):
                    out[i] = c
        return sorted(out.items(), key=lambda kv: (kv[1], kv[0]))[: costs.max_forms]

    def _rewrites(self, key: str) -> list[tuple[str, float]]:
        first = [(key, 0.0)] + list(self._one_rewrite(key))
        out = list(first)
        for s, c in first[1:]:
            out.extend((s2, c + c2) for s2, c2 in self._one_rewrite(s))
        for s, c in first:
            out.extend((e, c + EDIT_COST) for e in _edits1(s))
        return out

    def _one_rewrite(self, key: str):
        for src, options in self.confusions.items():
            start = key.find(src)
            while start >= 0:
                for dst, cost in options:
                    yield key[:start] + dst + key[start + len(src):], cost
                start = key.find(src, start + 1)


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | replaces | inserts


def _read_confusions(path: Path) -> dict[str, list[tuple[str, float]]]:
    table: dict[str, list[tuple[str, float]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        next(rows)
        for garbled, meant, cost in rows:
            table[garbled].append((meant, float(cost)))
    return dict(table)
