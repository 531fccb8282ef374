"""Document symbols (số và ký hiệu) in the grammars of Decree 30/2020, Law 80/2015 and Party guidance.

administrative `82/KH-UBND` (number may be blank: `/KH-UBND`), công văn `4240/UBND-VX`,
normative `55/2023/TT-BTC`, National Assembly `24/2021/QH15`, Party `05-CT/TW`.
OCR noise tolerated: spaces around '/' and '-', 'QD' for 'QĐ' (fixed against the known codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from pipeline.structure import tables
from pipeline.structure.text import fold

_PART = r"[A-ZĐ][A-Za-zĐđ0-9&]{0,14}"
_SEP = r"[ \t]?[-–][ \t]?"
ADMIN = (
    rf"(?<![\w/])(?P<num>\d{{1,6}}[a-z]?)?[ \t]?/[ \t]?(?:(?P<year>(?:19|20)\d{{2}})[ \t]?/[ \t]?)?"
    rf"(?P<code>{_PART}(?:{_SEP}{_PART})*)(?![\w/])"
)
PARTY = rf"(?<![\w/])(?P<pnum>\d{{1,6}})[ \t]?[-–][ \t]?(?P<pcode>{_PART})[ \t]?/[ \t]?(?P<porg>{_PART})(?![\w/])"
SYMBOL_RE = re.compile(rf"{PARTY}|{ADMIN}")


@dataclass(frozen=True)
class Symbol:
    start: int
    end: int
    text: str             # normalized: no OCR spaces, known codes fixed
    number: Optional[str]
    year: Optional[str]
    parts: tuple[str, ...]  # code parts, e.g. ('QĐ', 'TTg'); Party: ('CT', 'TW')
    party: bool = False

    @property
    def first_code(self) -> str:
        return self.parts[0] if self.parts else ""


@lru_cache(maxsize=1)
def _known_parts() -> dict[str, str]:
    """Folded code -> printed code, for the codes the tables know (type codes, agency codes)."""
    known = {}
    for t in tables.document_types():
        if t.get("code"):
            known[fold(t["code"])] = t["code"]
    for a in tables.agencies():
        if a.get("code"):
            known.setdefault(fold(a["code"]), a["code"])
    for code in tables.load("document_types").get("symbol_parts", []):
        known.setdefault(fold(code), code)
    return known


@lru_cache(maxsize=1)
def _spelled_parts() -> frozenset[str]:
    """Every known code as spelled (uppercase): a printed code that is one of them is never respelled."""
    return frozenset(code.upper() for code in _known_parts().values()) | frozenset(
        t["code"].upper() for t in tables.document_types() if t.get("code"))


def fix_part(part: str) -> str:
    """'QD' -> 'QĐ' when the folded form is a known code and the printed one lost its Đ; a letter
    OCR doubled ('QĐĐ') is undone when that gives a known code."""
    if fold(part) not in _known_parts():
        single = re.sub(r"(.)\1", r"\1", part)
        if single != part and fold(single) in _known_parts():
            part = single
    if part.upper() in _spelled_parts():
        return part                # 'HD' is Hướng dẫn, a code of its own beside 'HĐ' (Hợp đồng)
    known = _known_parts().get(fold(part))
    if known and known.upper() != part.upper() and fold(known) == fold(part) and "Đ" in known.upper() and "Đ" not in part.upper():
        return known
    return part


def _split(code: str) -> tuple[str, ...]:
    return tuple(fix_part(p) for p in re.split(r"\s?[-–]\s?", code.strip()) if p)


def from_match(m: re.Match) -> Symbol:
    if m.group("pnum"):
        parts = (fix_part(m.group("pcode")), fix_part(m.group("porg")))
        text = f"{m.group('pnum')}-{parts[0]}/{parts[1]}"
        return Symbol(m.start(), m.end(), text, m.group("pnum"), None, parts, party=True)
    parts = _split(m.group("code"))
    num, year = m.group("num"), m.group("year")
    text = f"{num or ''}/{year + '/' if year else ''}{'-'.join(parts)}"
    return Symbol(m.start(), m.end(), text, num, year, parts)


def find_symbols(text: str, pos: int = 0, endpos: Optional[int] = None, *, need_number: bool = True) -> list[Symbol]:
    out = []
    for m in SYMBOL_RE.finditer(text, pos, len(text) if endpos is None else endpos):
        sym = from_match(m)
        if need_number and not sym.number:
            continue
        out.append(sym)
    return out


def type_code_of(sym: Symbol) -> Optional[str]:
    """The document-type code of a symbol (first code part, or the Party code), if it is one. A code
    that collides with an agency code ('CT': Chỉ thị or Cục Thuế) is a type code only when the issuer
    part is one that issues that type (5680/CT-CS is a letter of the Cục Thuế)."""
    codes = {fold(t["code"]): t["code"] for t in tables.document_types() if t.get("code")}
    code = codes.get(fold(sym.first_code))
    rule = tables.load("document_types").get("collisions", {}).get((code or "").upper())
    if rule and not sym.party and len(sym.parts) > 1 and sym.parts[-1] not in rule["issuers"]:
        return None
    return code


def type_name_of_code(code: Optional[str]) -> Optional[str]:
    if not code:
        return None
    for t in tables.document_types():
        if t.get("code") and fold(t["code"]) == fold(code):
            return t["name"]
    return None
