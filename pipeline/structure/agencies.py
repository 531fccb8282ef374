"""Agency names: split a heading into agencies, normalize each against the gazetteer (with its
validity dates: the 2025 reorganization merged departments and ended the district level)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from pipeline.structure import nlp, tables
from pipeline.structure.model import Agency
from pipeline.structure.text import fold, squash

_TRAIL = " :;,.-–"


@lru_cache(maxsize=1)
def _head_re() -> re.Pattern:
    heads = sorted((fold(h) for h in tables.lexicon()["agency_heads"]), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(h) for h in heads) + r")\b")


def starts_like_agency(text: str) -> bool:
    t = fold(text.strip())
    return bool(_head_re().match(t)) or bool(nlp.lookup_agency(text))


def is_bare_head(text: str) -> bool:
    """A head word with no name ('Các', 'Sở', 'các cơ quan'): what a clause cut short leaves."""
    m = _head_re().match(fold(text.strip()))
    return bool(m) and len(fold(text.strip())[m.end():].split()) < 1


def split_agencies(heading: str) -> list[str]:
    """'Đài Phát thanh - Truyền hình tỉnh, Báo Quảng Trị' → two; 'Các sở, ban, ngành' stays one:
    split at ' và ' before an agency head, at ', ' before a capitalized agency head."""
    parts = [heading]
    for sep, need_upper in ((" và ", False), (", ", True)):
        nxt = []
        for p in parts:
            pieces = p.split(sep)
            cur = pieces[0]
            for piece in pieces[1:]:
                s = piece.strip()
                if s and (not need_upper or s[0].isupper()) and _head_re().match(fold(s)):
                    nxt.append(cur)
                    cur = piece
                else:
                    cur = cur + sep + piece
            nxt.append(cur)
        parts = nxt
    return [squash(p).strip(_TRAIL) for p in parts if squash(p).strip(_TRAIL)]


@lru_cache(maxsize=1)
def _normalizer():
    from underthesea import text_normalize  # loaded once, only when an unknown name needs it
    return text_normalize


def tidy_name(printed: str) -> str:
    """An unknown agency name: tone marks in modern placement (underthesea), first letter capital."""
    words = squash(printed).strip(_TRAIL).split(" ")
    norm = _normalizer()
    words = [norm(w) if w.isalpha() else w for w in words]
    name = " ".join(words)
    return name[:1].upper() + name[1:]


def _valid_on(entry: dict, date: Optional[str]) -> Optional[bool]:
    if not date or not (entry.get("valid_from") or entry.get("valid_to")):
        return None if not date else True
    if entry.get("valid_to") and date[: len(entry["valid_to"])] > entry["valid_to"][: len(date)]:
        return False
    if entry.get("valid_from") and date[: len(entry["valid_from"])] < entry["valid_from"][: len(date)]:
        return False
    return True


def normalize(printed: str, doc_date: Optional[str] = None) -> Agency:
    printed = squash(printed).strip(_TRAIL)
    entry = nlp.lookup_agency(printed)
    if entry is None:
        return Agency(name=tidy_name(printed), printed=printed, valid_on_document_date=None)
    successor = nlp.gazetteer_entry(entry["successor"])["name"] if entry.get("successor") else None
    return Agency(name=entry["name"], printed=printed, gazetteer_id=entry["id"], code=entry.get("code"),
                  level=entry.get("level"), valid_on_document_date=_valid_on(entry, doc_date), successor=successor)
