"""Viterbi decoding: a cheap bigram max-marginal pass prunes each position to a few candidates,
then the exact trigram Viterbi runs on what is left. Positions are padded to a common width so
each line's LM look-ups are two array operations."""

from __future__ import annotations

import numpy as np

from pipeline.restore.lm import TrigramLM

KEEP = 3          # candidates per position after the bigram pass
PAD_COST = 1e9    # padding slots are never chosen


def viterbi(lm: TrigramLM, ids: list[np.ndarray], costs: list[np.ndarray], bos: int, eos: int,
            keep: int = KEEP) -> list[int]:
    """Index of the chosen candidate at each position: max of LM log-prob minus candidate costs."""
    width = max(len(x) for x in ids)
    n = len(ids) + 3                                   # <s> <s> … </s>
    grid = np.full((n, width), bos, dtype=np.uint64)
    pen = np.full((n, width), PAD_COST)
    pen[:2, 0] = 0.0
    for t, (x, c) in enumerate(zip(ids, costs), start=2):
        grid[t, :len(x)] = x
        pen[t, :len(x)] = c
    grid[-1, 0], pen[-1, 0] = eos, 0.0

    k = min(keep, width)
    if width > k:
        order = _prune(lm, grid, pen)[:, :k]
    else:
        order = np.tile(np.arange(width), (n, 1))
    g = np.take_along_axis(grid, order, axis=1)
    p = np.take_along_axis(pen, order, axis=1)

    trans = lm.trigram_grid(g[:-2], g[1:-1], g[2:])   # (n-2, k, k, k): from (a, b) at t-2, t-1 to c at t
    score = np.full((k, k), -PAD_COST)
    score[0, 0] = 0.0                                  # (<s>, <s>)
    back = np.empty((n, k, k), dtype=np.intp)
    for t in range(2, n):
        total = score[:, :, None] + trans[t - 2]
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) - p[t][None, :]
    j, c = int(np.argmax(score[:, 0])), 0              # </s> sits in slot 0
    chosen = np.empty(n, dtype=np.intp)
    chosen[n - 1], chosen[n - 2] = c, j
    for t in range(n - 1, 1, -1):
        chosen[t - 2] = back[t][chosen[t - 1], chosen[t]]
    return [int(order[t, chosen[t]]) for t in range(2, n - 1)]


def viterbi_many(lm: TrigramLM, lattices: list[tuple[list[np.ndarray], list[np.ndarray]]], bos: int, eos: int,
                 keep: int = KEEP) -> list[list[int]]:
    """`viterbi` of several lines in one pass: the lines joined by fixed `</s> <s> <s>` positions,
    which the trigram cannot see across, so each line's choice is the one it would get alone; the
    per-call cost of the look-ups is paid once per document instead of once per line."""
    one = np.zeros(1)
    ids: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    starts = []
    for k, (x, c) in enumerate(lattices):
        if k:
            ids.extend([np.array([eos]), np.array([bos]), np.array([bos])])
            costs.extend([one, one, one])
        starts.append(len(ids))
        ids.extend(x)
        costs.extend(c)
    chosen = viterbi(lm, ids, costs, bos, eos, keep)
    return [chosen[s:s + len(x)] for s, (x, _) in zip(starts, lattices)]


def _prune(lm: TrigramLM, grid: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """Candidate slots of each position, best first by bigram max-marginal (forward + backward)."""
    n = len(grid)
    trans = lm.bigram_grid(grid[:-1], grid[1:])       # (n-1, w, w)
    fwd = np.empty_like(pen)
    fwd[0] = -pen[0]
    for t in range(1, n):
        fwd[t] = (fwd[t - 1][:, None] + trans[t - 1]).max(axis=0) - pen[t]
    bwd = np.zeros_like(pen)
    for t in range(n - 2, -1, -1):
        bwd[t] = (trans[t] + (bwd[t + 1] - pen[t + 1])[None, :]).max(axis=1)
    return np.argsort(-(fwd + bwd), axis=1, kind="stable")
