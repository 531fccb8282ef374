"""Dates as Vietnamese documents print them, to ISO (full or partial).

'18/01/2022', '23-6-2021', '18.01.2022', 'ngày 18 tháng 01 năm 2022', and the unfilled
'ngày    tháng 8 năm 2022' of a draft (→ '2022-08'). OCR spaces around separators are tolerated.
"""

from __future__ import annotations

import re
from typing import Optional

# numeric: d/m/yyyy with / - . separators, OCR spaces allowed around them
NUMERIC = r"(?P<nd>[0-3]?\d)\s?(?P<sep>[/\-.])\s?(?P<nm>[01]?\d)\s?(?P=sep)\s?(?P<ny>(?:19|20)\d{2})"
# words: ngày D tháng M năm Y — each part may be blank (drafts); folded text is matched
WORDS = r"ngay\s*(?P<wd>[0-3]?\d)?\s*(?:thang|th\.)\s*(?P<wm>[01]?\d)?\s*(?:nam|n\.)\s*(?P<wy>(?:19|20)\d{2})"
# day and month without a year: 'trước ngày 10/11'
DAY_MONTH = r"(?P<dd>[0-3]?\d)\s?/\s?(?P<dm>[01]?\d)(?![\d/])"
# month and year: 'tháng 9/2024', 'tháng 9 năm 2024'
MONTH_YEAR = r"thang\s*(?P<mm>[01]?\d)\s*(?:/|nam)\s*(?P<my>(?:19|20)\d{2})"

DATE_RE = re.compile(rf"(?:{WORDS})|(?:{NUMERIC})")


def iso(year: Optional[str], month: Optional[str] = None, day: Optional[str] = None) -> Optional[str]:
    """ISO date from printed parts; partial ('YYYY-MM', 'YYYY') when the later parts are blank or invalid."""
    if not year:
        return None
    y = int(year)
    m = int(month) if month else 0
    d = int(day) if day else 0
    if not 1 <= m <= 12:
        return f"{y:04d}"
    if not 1 <= d <= 31:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def from_match(m: re.Match) -> Optional[str]:
    """ISO date of a DATE_RE match."""
    g = m.groupdict()
    if g.get("wy"):
        return iso(g["wy"], g.get("wm"), g.get("wd") if g.get("wm") else None)
    if g.get("ny"):
        return iso(g["ny"], g["nm"], g["nd"])
    return None


def find_dates(folded: str, pos: int = 0, endpos: Optional[int] = None):
    """(start, end, iso) of every date in a folded text."""
    for m in DATE_RE.finditer(folded, pos, len(folded) if endpos is None else endpos):
        value = from_match(m)
        if value:
            yield m.start(), m.end(), value


def parse_date(text: str) -> Optional[str]:
    """ISO date of the first date in text (any printed form), or None."""
    from pipeline.structure.text import fold

    m = DATE_RE.search(fold(text))
    return from_match(m) if m else None
