"""Deadlines in task text: 'trước ngày 10/11', 'từ ngày … đến ngày …', 'hằng năm', 'định kỳ 06 tháng'."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from pipeline.structure import dates, tables
from pipeline.structure.model import Deadline
from pipeline.structure.text import DocText, fold, phrase_pattern

_MONTH_YEAR = r"(?P<mo>[01]?\d)\s*(?:/|nam)\s*(?P<moy>(?:19|20)\d{2})"


def _prefixed(pattern: str, prefix: str) -> str:
    """A date pattern with its group names prefixed, to use it twice in one regex."""
    return pattern.replace("?P<", f"?P<{prefix}").replace("?P=", f"?P={prefix}")


@lru_cache(maxsize=1)
def _by_date_re() -> re.Pattern:
    openers = sorted((fold(o) for o in tables.lexicon()["deadline_openers"]), key=len, reverse=True)
    alts = "|".join(phrase_pattern(o) for o in openers)
    return re.compile(rf"\b(?:{alts})\s*(?:{dates.WORDS}|{dates.NUMERIC}|{_MONTH_YEAR}|{dates.DAY_MONTH})")


_FROM_TO_RE = re.compile(rf"\btu ngay\s*{_prefixed(dates.NUMERIC, 'a_')}\s*(?:den|toi)(?: het)? ngay\s*{_prefixed(dates.NUMERIC, 'b_')}")


@lru_cache(maxsize=1)
def _recurrence_re() -> tuple[re.Pattern, dict[str, str]]:
    table = {fold(p): r["duration"] for r in tables.lexicon()["recurrence"] for p in r["phrases"]}
    alts = "|".join(phrase_pattern(p) for p in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b"), table


def _iso_of(m: re.Match, year: Optional[int]) -> Optional[str]:
    g = m.groupdict()
    if g.get("wy"):
        return dates.iso(g["wy"], g.get("wm"), g.get("wd") if g.get("wm") else None)
    if g.get("ny"):
        return dates.iso(g["ny"], g["nm"], g["nd"])
    if g.get("dd"):
        d, mo = int(g["dd"]), int(g["dm"])
        if not (1 <= d <= 31 and 1 <= mo <= 12):
            return None
        return f"{year:04d}-{mo:02d}-{d:02d}" if year else f"--{mo:02d}-{d:02d}"
    if g.get("mo"):
        return dates.iso(g["moy"], g["mo"])
    return None


def find_deadlines(dt: DocText, start: int, end: int, year: Optional[int] = None) -> list[Deadline]:
    """Deadlines in text[start:end]; a day/month without year takes the document's year if known."""
    folded = fold(dt.text[start:end])
    out: list[tuple[int, Deadline]] = []
    taken = []
    for m in _FROM_TO_RE.finditer(folded):
        b = dates.iso(m.group("b_ny"), m.group("b_nm"), m.group("b_nd"))
        raw = dt.text[start + m.start():start + m.end()]
        out.append((m.start(), Deadline(raw=raw, date=b, kind="from_to", provenance=dt.provenance(start + m.start(), start + m.end()))))
        taken.append((m.start(), m.end()))
    for m in _by_date_re().finditer(folded):
        if any(x <= m.start() < y for x, y in taken):
            continue
        raw = dt.text[start + m.start():start + m.end()]
        out.append((m.start(), Deadline(raw=raw, date=_iso_of(m, year), kind="by_date",
                                        provenance=dt.provenance(start + m.start(), start + m.end()))))
    rx, table = _recurrence_re()
    for m in rx.finditer(folded):
        if any(x <= m.start() < y for x, y in taken):
            continue
        raw = dt.text[start + m.start():start + m.end()]
        out.append((m.start(), Deadline(raw=raw, recurrence=table[" ".join(m.group(0).split())], kind="recurring",
                                        provenance=dt.provenance(start + m.start(), start + m.end()))))
        taken.append((m.start(), m.end()))
    for phrase in tables.lexicon()["on_demand"]:
        for m in re.finditer(rf"\b{re.escape(fold(phrase))}\b", folded):
            out.append((m.start(), Deadline(raw=dt.text[start + m.start():start + m.end()], kind="on_demand",
                                            provenance=dt.provenance(start + m.start(), start + m.end()))))
    out.sort(key=lambda x: x[0])
    return [d for _, d in out]
