"""One line through tokenize → policy → candidates → Viterbi → text with the original spacing and case."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from pipeline.pagetext import nfc
from pipeline.restore.candidates import Costs, Inventory
from pipeline.restore.decode import viterbi
from pipeline.restore.lm import MODEL_FILE, VOCAB_FILE, TrigramLM
from pipeline.restore.policy import Mode, changeable, line_stats, name_runs, options
from pipeline.restore.syllables import apply_case, case_of, has_marks
from pipeline.restore.tokens import BOS, EOS, Token, lm_symbol, tokenize

_CHUNK = re.compile(r"\S+")
_SENTENCE_END = set(".:;?!")


@dataclass
class Restorer:
    lm: TrigramLM
    inv: Inventory
    costs: Costs = field(default_factory=Costs)
    _cache: dict = field(default_factory=dict, repr=False)

    @staticmethod
    def available(folder: Path) -> bool:
        return (folder / MODEL_FILE).exists() and (folder / VOCAB_FILE).exists()

    @classmethod
    def load(cls, folder: Path, costs: Costs | None = None) -> "Restorer":
        lm = TrigramLM.load(folder)
        return cls(lm=lm, inv=Inventory(lm.vocab, lm.freq, folder), costs=costs or Costs())

    def mode_of(self, line: str) -> Mode:
        tokens = list(tokenize(nfc(line)))
        return line_stats(tokens, self.inv, self._movable(tokens, None, 0.0)).mode

    def restore_line(self, line: str, word_conf: Sequence[float] | None = None, trusted: float = 101.0) -> str:
        """`word_conf`: OCR confidence per whitespace-separated word; words at or above `trusted` that are syllables stay."""
        line = nfc(line)
        tokens = list(tokenize(line))
        confs = _chunk_confs(line, tokens, word_conf)
        movable = self._movable(tokens, confs, trusted)
        if not any(movable):
            return line
        mode = line_stats(tokens, self.inv, movable).mode
        if mode is Mode.NONE:
            return line
        names = name_runs(tokens)
        movable = [ok and not (i in names and (mode is Mode.TONE or has_marks(tokens[i].text.lower())))
                   for i, ok in enumerate(movable)]
        index = self.lm.index
        slots: list[int] = []                      # token index of each LM position
        decided: list[bool] = []                   # whether the position has candidates to choose from
        ids: list[np.ndarray] = []
        costs: list[np.ndarray] = []
        for i, tok in enumerate(tokens):
            symbol = lm_symbol(tok, index)
            unsure = confs is not None and confs[i] < trusted
            opts = self._options(tok, mode, unsure) if movable[i] else None
            if opts is not None:
                cand, cost = opts
                if case_of(tok.text) == "title" and slots and tokens[slots[-1]].text not in _SENTENCE_END:
                    cost = cost - self.costs.capital_weight * self.lm.cap[cand]
                ids.append(cand)
                costs.append(cost)
            elif symbol is not None:
                ids.append(np.array([index[symbol]], dtype=np.int64))
                costs.append(np.zeros(1))
            else:
                continue
            slots.append(i)
            decided.append(opts is not None)
        if not any(decided):
            return line
        if all(len(x) == 1 for x in ids):
            chosen = [0] * len(ids)
        else:
            chosen = viterbi(self.lm, ids, costs, index[BOS], index[EOS])
        out, last = [], 0
        for i, cand, k, free in zip(slots, ids, chosen, decided):
            if not free:
                continue
            tok = tokens[i]
            word = self.lm.vocab[int(cand[k])]
            if word == tok.text.lower():
                continue
            out.append(line[last:tok.start])
            out.append(apply_case(word, case_of(tok.text)))
            last = tok.end
        if not out:
            return line
        out.append(line[last:])
        return nfc("".join(out))

    def _options(self, tok: Token, mode: Mode, unsure: bool) -> tuple[np.ndarray, np.ndarray] | None:
        """Candidate ids and costs as arrays, memoized: the same syllables recur on every page."""
        key = (tok.text.lower(), tok.kind, mode, unsure)
        hit = self._cache.get(key, False)
        if hit is False:
            opts = options(tok, self.inv, mode, self.costs, unsure=unsure)
            hit = (np.array([o[0] for o in opts], dtype=np.int64), np.array([o[1] for o in opts])) if opts else None
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def _movable(self, tokens: list[Token], confs: list[float] | None, trusted: float) -> list[bool]:
        inv = self.inv
        out = []
        for i, tok in enumerate(tokens):
            nxt = tokens[i + 1].text if i + 1 < len(tokens) and tokens[i + 1].start == tok.end else ""
            ok = changeable(tok, inv, nxt)
            if ok and confs is not None and confs[i] >= trusted and inv.is_syllable(tok.text.lower()):
                ok = False
            out.append(ok)
        return out


def _chunk_confs(line: str, tokens: list[Token], word_conf: Sequence[float] | None) -> list[float] | None:
    """Each token's OCR word confidence, when the words line up one-to-one with whitespace chunks."""
    if not word_conf:
        return None
    starts = [m.start() for m in _CHUNK.finditer(line)]
    if len(starts) != len(word_conf):
        return None
    return [float(word_conf[bisect.bisect_right(starts, t.start) - 1]) for t in tokens]
