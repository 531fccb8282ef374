"""Document cache: a word the document has settled on elsewhere decides the doubtful places.

A plan about communication says "truyền thông" (communication) sixty times; the corpus-trained
model reads a few of them as the commoner "truyền thống" (tradition), where the context of the
line alone does not tell. A cache language model (Kuhn & De Mori, 1990) fixes that: after every
line is decoded once, each choice between accent forms is re-scored by what the rest of the
document chose in the same accent-stripped context (the syllable before, or after), leave-one-out,
so a place never votes for itself. Only lines that lost their accents (full / garble mode) take
part: in accented text the accents are the evidence, and the cache must not overrule them.
Lines whose choices the cache agrees with are not decoded again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Optional

import numpy as np

from pipeline.pagetext import nfc
from pipeline.restore.restorer import Lattice, Restorer
from pipeline.restore.syllables import strip

CACHE_WEIGHT = 1.0   # nats per unit of log cache share, added to a candidate's cost
MIN_SUPPORT = 3      # other places of the same context needed before the cache speaks
_PRIOR = 0.5         # add-½ smoothing of the cache shares

Context = tuple[str, str, str]   # ('L' or 'R', neighbour key, own key)


def restore_lines(restorer: Restorer, lines: list[str], confs: Optional[list] = None,
                  trusted: float = 101.0) -> list[str]:
    """Each line restored, the doubtful choices of unaccented lines settled by the whole set of lines."""
    confs = confs or [None] * len(lines)
    lats = [restorer.lattice(line, c, trusted) for line, c in zip(lines, confs)]
    live = [k for k, lat in enumerate(lats) if lat is not None]
    chosen: list[Optional[list[int]]] = [None] * len(lines)
    for k, pick in zip(live, restorer.decode_many([lats[k] for k in live])):
        chosen[k] = pick
    places = [_places(lat) if lat else [] for lat in lats]
    cache = _count(lats, chosen, places) if len(lines) > 1 else {}
    again = {}
    for k in live:
        costs = _cached_costs(lats[k], chosen[k], places[k], cache) if cache and places[k] else None
        if costs is not None:
            again[k] = replace(lats[k], costs=costs)
    for k, pick in zip(again, restorer.decode_many(list(again.values()))):
        chosen[k] = pick
    return [nfc(line) if lat is None else restorer.render(lat, pick) for line, lat, pick in zip(lines, lats, chosen)]


def _places(lat: Lattice) -> list[tuple[int, list[Context]]]:
    """The LM positions that choose between forms in a line that lost its accents, each with its
    contexts: the accent-stripped keys of the syllable before and of the one after."""
    if not lat.mode.weak_marks:
        return []
    keys: Optional[list[str]] = None
    out = []
    for p, (free, ids) in enumerate(zip(lat.decided, lat.ids)):
        if not free or len(ids) < 2:
            continue
        if keys is None:
            keys = [strip(lat.tokens[i].text.lower()) for i in lat.slots]
        ctxs = []
        if p > 0:
            ctxs.append(("L", keys[p - 1], keys[p]))
        if p + 1 < len(keys):
            ctxs.append(("R", keys[p + 1], keys[p]))
        out.append((p, ctxs))
    return out


def _count(lats: list[Optional[Lattice]], chosen: list[Optional[list[int]]],
           places: list[list[tuple[int, list[Context]]]]) -> dict[Context, Counter]:
    """For each context, how often each syllable id was chosen there."""
    cache: dict[Context, Counter] = {}
    for lat, pick, where in zip(lats, chosen, places):
        for p, ctxs in where:
            word = int(lat.ids[p][pick[p]])
            for ctx in ctxs:
                cache.setdefault(ctx, Counter())[word] += 1
    return cache


def _cached_costs(lat: Lattice, pick: list[int], where: list[tuple[int, list[Context]]],
                  cache: dict[Context, Counter]) -> Optional[list[np.ndarray]]:
    """The lattice's costs with the cache's opinion added; None when the cache agrees with every
    choice (then decoding again could change nothing it has a say in)."""
    voted = []
    disagrees = False
    for p, ctxs in where:
        mine = int(lat.ids[p][pick[p]])
        for ctx in ctxs:
            votes = cache.get(ctx)
            if votes is None or sum(votes.values()) - 1 < MIN_SUPPORT:
                continue
            voted.append((p, ctx))
            others = votes.copy()
            others[mine] -= 1                                # leave this place out
            disagrees |= others.most_common(1)[0][0] != mine
    if not disagrees:
        return None
    costs = list(lat.costs)
    for p, ctx in voted:
        ids, mine = lat.ids[p], int(lat.ids[p][pick[p]])
        votes = cache[ctx]
        seen = sum(votes.values()) - 1
        share = np.array([votes.get(int(w), 0) - (int(w) == mine) for w in ids], dtype=float)
        bonus = -CACHE_WEIGHT * np.log((share + _PRIOR) / (seen + _PRIOR * len(ids)))
        costs[p] = costs[p] + (bonus - bonus.min())
    return costs
