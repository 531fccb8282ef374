"""A plan issued by a decision and printed after it ('Điều 1. Ban hành kèm theo Quyết định này Kế
hoạch …', then the decision's Nơi nhận and signature, then 'KẾ HOẠCH' and the plan itself).

The record stays the decision's (its header, signer and recipients); the attached plan adds its
sections, and with them its TỔ CHỨC THỰC HIỆN assignments. Appendix tables ('PHỤ LỤC') after it
are not part of its structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from pipeline.structure import tables
from pipeline.structure.recipients import is_noi_nhan
from pipeline.structure.text import DocText, fold

_APPENDIX = re.compile(r"^\W*phu luc\b")


@dataclass(frozen=True)
class Attachment:
    noi_nhan: int        # the decision's own 'Nơi nhận:' line: its body ends there
    start: int           # the attached document's type line ('KẾ HOẠCH')
    end: int             # where its text ends: an appendix, a later Nơi nhận, or the document's end


def find_attachment(dt: DocText, body_start: int) -> Optional[Attachment]:
    """The attached plan after the decision's Nơi nhận, when one is printed there."""
    types = {fold(t) for t in tables.lexicon()["attached_types"]}
    lines = dt.lines
    first = next((ln.index for ln in lines[body_start:] if is_noi_nhan(ln.text)), None)
    if first is None:
        return None
    start = next((ln.index for ln in lines[first + 1:]
                  if ln.text.strip().isupper() and fold(ln.text).strip() in types), None)
    if start is None:
        return None
    end = next((ln.index for ln in lines[start + 1:]
                if is_noi_nhan(ln.text) or (_APPENDIX.match(fold(ln.text)) and ln.text.strip().isupper())),
               len(lines))
    return Attachment(first, start, end)
