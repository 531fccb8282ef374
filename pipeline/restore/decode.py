"""Viterbi decoding: a cheap bigram max-marginal pass prunes each position to a few candidates,
then the exact trigram Viterbi runs on what is left. LM look-ups of a line go in batches."""

from __future__ import annotations

import numpy as np

from pipeline.restore.lm import TrigramLM

KEEP = 3   # candidates per position after the bigram pass


def viterbi(lm: TrigramLM, ids: list[np.ndarray], costs: list[np.ndarray], bos: int, eos: int,
            keep: int = KEEP) -> list[int]:
    """Index of the chosen candidate at each position: max of LM log-prob minus candidate costs."""
    pos = [np.array([bos], dtype=np.uint64)] * 2 + [x.astype(np.uint64) for x in ids] + [np.array([eos], dtype=np.uint64)]
    pen = [np.zeros(1)] * 2 + list(costs) + [np.zeros(1)]
    kept = _prune(lm, pos, pen, keep)
    pos = [p[k] for p, k in zip(pos, kept)]
    pen = [c[k] for c, k in zip(pen, kept)]

    trans = lm.cubes([(pos[t - 2], pos[t - 1], pos[t]) for t in range(2, len(pos))])
    score = np.zeros((1, 1))
    back: list[np.ndarray] = []
    for t, cube in enumerate(trans, start=2):
        total = score[:, :, None] + cube
        back.append(np.argmax(total, axis=0))
        score = np.max(total, axis=0) - pen[t][None, :]
    # the last position is </s> (one candidate): state (j, 0)
    j, k = int(np.argmax(score[:, 0])), 0
    chosen = [k, j]
    for bp in reversed(back[1:]):
        h = int(bp[j, k])
        chosen.append(h)
        j, k = h, j
    chosen.reverse()          # pos[1..]: the second <s>, the candidates, </s>
    return [int(kept[t][c]) for t, c in zip(range(2, len(pos) - 1), chosen[1:-1])]


def _prune(lm: TrigramLM, pos: list[np.ndarray], pen: list[np.ndarray], keep: int) -> list[np.ndarray]:
    """Indices of the `keep` best candidates per position by bigram max-marginal (forward + backward)."""
    everything = [np.arange(len(p)) for p in pos]
    if all(len(p) <= keep for p in pos):
        return everything
    trans = lm.pairs([(pos[t - 1], pos[t]) for t in range(1, len(pos))])
    fwd = [np.zeros(1)]
    for t in range(1, len(pos)):
        fwd.append(np.max(fwd[-1][:, None] + trans[t - 1], axis=0) - pen[t])
    bwd = [np.zeros(1)] * len(pos)
    for t in range(len(pos) - 2, -1, -1):
        bwd[t] = np.max(trans[t] + (bwd[t + 1] - pen[t + 1])[None, :], axis=1)
    return [
        idx if len(idx) <= keep else np.sort(np.argsort(-(f + b), kind="stable")[:keep])
        for idx, f, b in zip(everything, fwd, bwd)
    ]
