"""The signer block: authority lines (TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH), position, name.

`authority`/`on_behalf_of` are the innermost prefix (the one the signer signs under); the whole
chain is kept. Found after 'Nơi nhận' (or in the last lines), tolerant of the two footer columns
arriving interleaved on one line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from pipeline.structure import tables
from pipeline.structure.names import is_bare_head
from pipeline.structure.model import AuthorityStep, Signer
from pipeline.structure.text import DocText, fold, squash

TAIL_LINES = 30
_SPECKS = re.compile(r"(?:\s+[^\w\s]{1,2})+\s*$")


@lru_cache(maxsize=1)
def _prefix_re() -> re.Pattern:
    alts = "|".join(re.escape(p[:-1]) for p in sorted(tables.authority_prefixes(), key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?P<p>{alts})\s*[.,]\s*(?P<of>[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ .,\-]+[A-ZĐÀ-Ỹ,])")


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.85


def _name_like(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in text) or text.startswith(("-", "+", "(")):
        return False
    return all(w[:1].isupper() for w in words) and not _upper(text.replace("’", "").replace("'", "")) or (
        _upper(text) and len(words) <= 5 and fold(text) not in {fold(o) for o in tables.lexicon()["signer_offices"]})


def _right_part(text: str) -> str:
    """The right column of an interleaved footer line ('- Lưu: VT.      PHÓ CHỦ TỊCH')."""
    parts = re.split(r"\s{3,}|\t", text.strip())
    return parts[-1] if len(parts) > 1 else text.strip()


def _continues_authority(of: str, text: str, rest) -> bool:
    """Whether an uppercase line right under an authority line is the rest of it: the authority
    line ends with a comma, the fragment is one word (no office is), or another authority line follows."""
    if not _upper(text) or text.startswith(("-", "+")):
        return False
    if of.rstrip().endswith(",") or len(text.split()) == 1 or is_bare_head(of):
        return True          # 'TM. ỦY BAN' / 'NHÂN DÂN': a body's head word alone names no one
    nxt = next((ln.text.strip() for ln in rest if not ln.blank), "")
    return bool(_prefix_re().match(nxt))


def find_signer(dt: DocText, noi_nhan: Optional[int]) -> Signer:
    lines = [ln for ln in dt.lines if not ln.blank]
    if not lines:
        return Signer()
    start = noi_nhan if noi_nhan is not None else max(0, lines[-1].index - TAIL_LINES)
    tail = [ln for ln in dt.lines[start:] if not ln.blank]
    chain: list[AuthorityStep] = []
    position = name = None
    first = last = None
    for k, ln in enumerate(tail):
        text = ln.text.strip()
        m = _prefix_re().search(text)
        if m and not text.lstrip().startswith(("-", "+")) or (m and re.search(r"\s{3,}|\t", text)):
            chain.append(AuthorityStep(authority=m.group("p").upper() + ".", of=squash(m.group("of"))))
            first = first or ln
            last = ln
            continue
        if chain and last is tail[k - 1] and position is None and _continues_authority(chain[-1].of, _right_part(text), tail[k + 1:]):
            # 'TM. ỦY BAN NHÂN' / 'DÂN', 'KT. TRƯỞNG BAN BAN CHÍNH SÁCH,' / 'THUẾ QUỐC TẾ': a wrapped authority line
            chain[-1] = AuthorityStep(authority=chain[-1].authority, of=squash(f"{chain[-1].of} {_right_part(text)}"))
            last = ln
            continue
        if not chain and position is None and not _upper(_right_part(text)):
            continue             # not yet in the signature block
        cand = _right_part(text) if (text.startswith(("-", "+")) or re.search(r"\s{3,}|\t", text)) else text
        cand = _SPECKS.sub("", cand)          # 'PHÓ GIÁM ĐỐC `': OCR specks after the words
        if cand.startswith(("-", "+")) or fold(cand).startswith(("noi nhan", "luu")):
            continue
        if position is None and _upper(cand) and (chain or fold(cand) in {fold(o) for o in tables.lexicon()["signer_offices"]}):
            position = squash(cand)
            first = first or ln
            last = ln
            continue
        if (position is not None or chain) and name is None and _name_like(squash(cand)):
            name = squash(cand)
            last = ln
            break
    if not chain and position is None:
        return Signer()
    chain = [AuthorityStep(authority=c.authority, of=c.of.rstrip(" ,")) for c in chain]
    inner = chain[-1] if chain else None
    found = [inner is not None, position is not None, name is not None]
    prov = dt.provenance(first.content_start, last.end) if first and last else None
    return Signer(authority=inner.authority if inner else None, on_behalf_of=inner.of if inner else None,
                  position=position, name=name, chain=chain, confidence=round(sum(found) / 3, 2), provenance=prov)
