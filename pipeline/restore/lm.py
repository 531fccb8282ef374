"""The syllable trigram model on disk and in memory: sorted integer n-gram keys + 8-bit log-probs.

Keys: trigram a<<32|b<<16|c (uint64), bigram b<<16|c and trigram context a<<16|b (uint32), with
16-bit syllable ids. Log-probs and back-off weights are natural logs quantized in steps of 0.1
(0 … -25.5). In memory each table is an open-addressing hash probed with whole arrays of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = "trigram.npz"
VOCAB_FILE = "vocab.txt"
QSTEP = 0.1


def _quantize(logp: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(-logp / QSTEP), 0, 255).astype(np.uint8)


def _dequantize(q: np.ndarray) -> np.ndarray:
    return (q.astype(np.float32) * np.float32(-QSTEP))


def pack_model(tables: dict[str, np.ndarray], freq: np.ndarray, cap: np.ndarray, path: Path) -> None:
    k3 = tables["k3"]
    np.savez(   # uncompressed: loading is a copy, not a 1–2 s decompression
        path,
        k3_hi=(k3 >> np.uint64(32)).astype(np.uint16),
        k3_lo=(k3 & np.uint64(0xFFFFFFFF)).astype(np.uint32),
        q3=_quantize(tables["lp3"]),
        k2=tables["k2"].astype(np.uint32), q2=_quantize(tables["lp2"]),
        ctx3=tables["ctx3"].astype(np.uint32), qbow3=_quantize(tables["bow3"]),
        lp1=tables["lp1"].astype(np.float32), bow2=tables["bow2"].astype(np.float32),
        freq=freq.astype(np.int64), cap=cap.astype(np.float32),
    )


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


class HashTable:
    """Open addressing with linear probing, load ≤ 0.5, probed with whole arrays of queries: one or
    two random memory reads per look-up instead of the ~20 of a binary search. Built in one sort:
    keys in home-slot order take slot max(home, previous slot + 1); the table has a tail instead of
    wrapping around, and always ends in an empty slot, so every probe run stops."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        """`values`: quantized log-probs (uint8, see _quantize); `get` returns them as floats."""
        keys = keys.astype(np.uint64)
        self.bits = max(4, int(np.ceil(np.log2(max(2 * len(keys), 16)))))
        home = self._home(keys).astype(np.int64)
        order = np.argsort(home, kind="stable")
        rank = np.arange(len(keys), dtype=np.int64)
        slot = np.maximum.accumulate(home[order] - rank) + rank if len(keys) else rank
        size = int(slot[-1]) + 2 if len(keys) else 2
        self.keys = np.full(max(size, (1 << self.bits) + 1), _EMPTY, dtype=np.uint64)
        self.values = np.zeros(len(self.keys), dtype=np.uint8)
        self.keys[slot] = keys[order]
        self.values[slot] = values[order]

    def _home(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (keys * _GOLDEN) >> np.uint64(64 - self.bits)

    def get(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values at the query keys (0 where absent) and the hit mask."""
        query = query.ravel()
        slot = self._home(query).astype(np.int64)
        out = np.zeros(len(query), dtype=np.uint8)
        hit = np.zeros(len(query), dtype=bool)
        active = np.arange(len(query))
        while len(active):
            s = slot[active]
            k = self.keys[s]
            found = k == query[active]
            out[active[found]] = self.values[s[found]]
            hit[active[found]] = True
            more = ~found & (k != _EMPTY)
            active = active[more]
            slot[active] = s[more] + 1
        return _dequantize(out), hit


@dataclass
class TrigramLM:
    vocab: list[str]
    index: dict[str, int]
    freq: np.ndarray
    cap: np.ndarray   # log share of in-sentence uses written Capitalized, per syllable
    tri: HashTable
    bi: HashTable
    ctx: HashTable
    lp1: np.ndarray
    bow2: np.ndarray

    @classmethod
    def load(cls, folder: Path) -> "TrigramLM":
        vocab = (folder / VOCAB_FILE).read_text(encoding="utf-8").split("\n")[:-1]
        with np.load(folder / MODEL_FILE) as z:
            k3 = (z["k3_hi"].astype(np.uint64) << np.uint64(32)) | z["k3_lo"].astype(np.uint64)
            return cls(
                vocab=vocab, index={w: i for i, w in enumerate(vocab)}, freq=z["freq"], cap=z["cap"],
                tri=HashTable(k3, z["q3"]),
                bi=HashTable(z["k2"], z["q2"]),
                ctx=HashTable(z["ctx3"], z["qbow3"]),
                lp1=z["lp1"], bow2=z["bow2"],
            )

    def bigram_grid(self, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """log p(c | b) with back-off for ids b (N, M) × c (N, M) → (N, M, M)."""
        sh = np.uint64(16)
        lp2, hit2 = self.bi.get((b[:, :, None] << sh) | c[:, None, :])
        base = self.bow2[b.astype(np.intp)][:, :, None] + self.lp1[c.astype(np.intp)][:, None, :]
        return np.where(hit2.reshape(base.shape), lp2.reshape(base.shape), base)

    def trigram_grid(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """log p(c | a b) for ids a, b, c (N, K) → (N, K, K, K); back-off terms looked up per pair."""
        sh = np.uint64(16)
        ab = (a[:, :, None] << sh) | b[:, None, :]                       # (N, K, K)
        lp3, hit3 = self.tri.get((ab[:, :, :, None] << sh) | c[:, None, None, :])
        bow3, _ = self.ctx.get(ab)
        lower = self.bigram_grid(b, c)                                   # (N, K, K)
        back = bow3.reshape(ab.shape)[:, :, :, None] + lower[:, None, :, :]
        return np.where(hit3.reshape(back.shape), lp3.reshape(back.shape), back)
