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
from pipeline.restore.decode import viterbi, viterbi_many
from pipeline.restore.lm import MODEL_FILE, VOCAB_FILE, TrigramLM
from pipeline.restore.policy import Mode, changeable, line_stats, name_runs, options
from pipeline.restore.syllables import apply_case, case_of, has_marks
from pipeline.restore.tokens import BOS, EOS, Token, lm_symbol, tokenize

_CHUNK = re.compile(r"\S+")
DECODE_CHUNK_LINES = 100   # lines per joined Viterbi pass: ~3,000 positions, grids of a few MB
_PHRASE_OPENERS = set(".:;?!“\"‘'(«[")   # not '-': 'Lao động - Thương binh' goes on a name


@dataclass
class Lattice:
    """One line's decoding problem: for each LM position (`slots`: its token index) the candidate
    syllable ids and their costs; `decided` marks positions that have a choice at all."""
    line: str
    tokens: list[Token]
    mode: Mode
    slots: list[int] = field(default_factory=list)
    decided: list[bool] = field(default_factory=list)
    ids: list[np.ndarray] = field(default_factory=list)
    costs: list[np.ndarray] = field(default_factory=list)


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
        lat = self.lattice(line, word_conf, trusted)
        return nfc(line) if lat is None else self.render(lat, self.decode(lat))

    def lattice(self, line: str, word_conf: Sequence[float] | None = None, trusted: float = 101.0) -> Lattice | None:
        """The line's decoding problem: candidates and costs per LM position; None when nothing may change."""
        line = nfc(line)
        tokens = list(tokenize(line))
        confs = _chunk_confs(line, tokens, word_conf)
        movable = self._movable(tokens, confs, trusted)
        if not any(movable):
            return None
        mode = line_stats(tokens, self.inv, movable).mode
        if mode is Mode.NONE:
            return None
        names = name_runs(tokens)
        movable = [ok and not (i in names and (mode is Mode.TONE or has_marks(tokens[i].text.lower())))
                   for i, ok in enumerate(movable)]
        index = self.lm.index
        lat = Lattice(line, tokens, mode)
        for i, tok in enumerate(tokens):
            symbol = lm_symbol(tok, index)
            unsure = confs is not None and confs[i] < trusted
            opts = self._options(tok, mode, unsure) if movable[i] else None
            if opts is not None:
                cand, cost = opts
                if case_of(tok.text) == "title" and lat.slots and not _starts_phrase(line, tok.start):
                    cost = cost - self.costs.capital_weight * self.lm.cap[cand]
                lat.ids.append(cand)
                lat.costs.append(cost)
            elif symbol is not None:
                lat.ids.append(np.array([index[symbol]], dtype=np.int64))
                lat.costs.append(np.zeros(1))
            else:
                continue
            lat.slots.append(i)
            lat.decided.append(opts is not None)
        return lat if any(lat.decided) else None

    def decode(self, lat: Lattice) -> list[int]:
        """Index of the chosen candidate at each LM position."""
        if all(len(x) == 1 for x in lat.ids):
            return [0] * len(lat.ids)
        index = self.lm.index
        return viterbi(self.lm, lat.ids, lat.costs, index[BOS], index[EOS])

    def decode_many(self, lats: list[Lattice]) -> list[list[int]]:
        """`decode` of several lines at once (same choices, fewer look-up calls), in chunks of
        DECODE_CHUNK_LINES so the look-up grids of a long document stay small."""
        index = self.lm.index
        out: list[list[int]] = []
        for k in range(0, len(lats), DECODE_CHUNK_LINES):
            chunk = lats[k:k + DECODE_CHUNK_LINES]
            out.extend(viterbi_many(self.lm, [(lat.ids, lat.costs) for lat in chunk], index[BOS], index[EOS]))
        return out

    def render(self, lat: Lattice, chosen: list[int]) -> str:
        """The line with the chosen syllables in place, original spacing and letter case kept."""
        line, tokens = lat.line, lat.tokens
        out, last = [], 0
        for i, cand, k, free in zip(lat.slots, lat.ids, chosen, lat.decided):
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


def _starts_phrase(line: str, start: int) -> bool:
    """Whether a word opens a sentence or a quotation ('… thi đua “Vì người nghèo'): Capitalized
    there by rule, so its capital says nothing about a name."""
    before = line[:start].rstrip()
    return not before or before[-1] in _PHRASE_OPENERS


def _chunk_confs(line: str, tokens: list[Token], word_conf: Sequence[float] | None) -> list[float] | None:
    """Each token's OCR word confidence, when the words line up one-to-one with whitespace chunks."""
    if not word_conf:
        return None
    starts = [m.start() for m in _CHUNK.finditer(line)]
    if len(starts) != len(word_conf):
        return None
    return [float(word_conf[bisect.bisect_right(starts, t.start) - 1]) for t in tokens]
