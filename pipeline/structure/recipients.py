"""Nơi nhận: one recipient per dash item, with its purpose '(để b/c)' and the archive line 'Lưu: …'."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from pipeline.structure import tables
from pipeline.structure.model import Recipient
from pipeline.structure.text import DocText, fold, squash

_NOI_NHAN_RE = re.compile(r"^\W*noi\s*nhan\s*:?")
# the item dash as printed or as OCR reads it ('~', '~-', '—', '¬')
_ITEM_RE = re.compile(r"^\s*(?:[~¬]\s*)?[-–—−+•~¬]\s*(?P<t>.+)$")
# the archive line whose dash OCR lost or misread ('“LƯU: VT, VX.')
_ARCHIVE_RE = re.compile(r"^\W{0,2}(?P<t>(?:[Ll][ưuƯU]u|LƯU|LUU)\s*:.+)$")
_PAREN_RE = re.compile(r"\((?P<p>[^()]{1,30})\)\s*[;.,]?\s*$")
_GAP_RE = re.compile(r"\s{3,}|\t")


@lru_cache(maxsize=1)
def _purposes() -> list[tuple[str, str]]:
    table = tables.lexicon()["recipient_purposes"]
    return sorted(((fold(p), k) for k, ps in table.items() for p in ps), key=lambda x: len(x[0]), reverse=True)


def purpose_of(text: str) -> Optional[str]:
    f = fold(text.replace("€", "c")).strip(" ()")      # OCR reads the c of '(b/c)' as '€'
    for phrase, key in _purposes():
        if f == phrase or f.endswith(" " + phrase) or f.startswith(phrase):
            return key
    return None


def is_noi_nhan(text: str) -> bool:
    return bool(_NOI_NHAN_RE.match(fold(text)))


def find_noi_nhan(dt: DocText) -> Optional[int]:
    """Index of the last 'Nơi nhận:' line."""
    idx = None
    for ln in dt.lines:
        if is_noi_nhan(ln.text):
            idx = ln.index
    return idx


def _brace_group(out: list[Recipient]) -> list[Recipient]:
    """The items a purpose printed on its own line covers (a brace '}' in print): the items just
    above it without a purpose of their own, back to one that has one or to a 'Như trên'."""
    group = []
    for r in reversed(out):
        if r.purpose is not None or r.archive or fold(r.name).startswith("nhu "):
            break
        group.append(r)
    return group


def find_recipients(dt: DocText, start: Optional[int]) -> list[Recipient]:
    if start is None:
        return []
    out: list[Recipient] = []
    braced: list[bool] = []      # items printed with a brace mark '}' at their right
    open_item = False            # the last item did not end with ';' or '.': a next line may continue it
    for ln in dt.lines[start + 1:]:
        text = _GAP_RE.split(ln.text.strip())[0] if ln.text.strip() else ""
        tail = _GAP_RE.split(ln.text.strip())[1:] if ln.text.strip() else []
        m = _ITEM_RE.match(text) or _ARCHIVE_RE.match(text)
        if not m:
            if not text:
                continue
            if text.startswith("(") and out and purpose_of(text):
                # '(b/c);' wrapping the item above, or a brace purpose covering the items above
                p = purpose_of(text)
                for r in ([out[-1]] if open_item else _brace_group(out)):
                    r.purpose = r.purpose or p
                open_item = False
                continue
            if out and open_item and (text[0].islower() or not _upper(text)):
                r = out[-1]             # a wrapped recipient line
                r.name = squash(f"{r.name} {text}").rstrip(" ;.,")
                open_item = not text.rstrip().endswith((";", "."))
                continue
            if out:
                break
            continue
        item = m.group("t").strip()
        brace = "}" in item or any(t.startswith("}") for t in tail)
        item = item.split("}")[0].rstrip()
        tail = [t.lstrip("} ").strip() for t in tail if t.lstrip("} ").strip()] + [x.strip() for x in m.group("t").split("}")[1:] if x.strip()]
        purpose = None
        pm = _PAREN_RE.search(item)
        if pm and purpose_of(pm.group("p")):
            purpose = purpose_of(pm.group("p"))
            item = item[: pm.start()]
        for t in tail:                          # '(b/c)' printed far right, after a gap
            if t.startswith("(") and purpose_of(t):
                purpose = purpose_of(t)
        archive = fold(item).startswith("luu")
        name = squash(item).rstrip(" ;.,")
        if archive:
            name = re.sub(r"\s*\([^)]*\)\s*$", "", name)
            name = re.sub(r"(?<=\w)\.\s*[A-ZĐ][a-zđ]{0,3}$", "", name)   # drafter's initials after the list ('… KGVX. Thg')
            purpose = purpose or "lưu"
        out.append(Recipient(name=name, purpose=purpose, archive=archive,
                             provenance=dt.provenance(ln.content_start, ln.end)))
        braced.append(brace)
        open_item = not item.rstrip().endswith((";", ".")) and not archive
    _spread_over_braces(out, braced)
    return out


def _spread_over_braces(out: list[Recipient], braced: list[bool]) -> None:
    """Items joined by one brace ('}' marks) share the purpose printed beside it."""
    k = 0
    while k < len(out):
        if not braced[k]:
            k += 1
            continue
        j = k
        while j < len(out) and braced[j]:
            j += 1
        purpose = next((r.purpose for r in out[k:j] if r.purpose), None)
        for r in out[k:j]:
            r.purpose = r.purpose or purpose
        k = j


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
