"""The header of a Decree 30/2020 document: issuer (+ parent), symbol, type, place, date, title.

The header is two columns (agency | national motto; số/ký hiệu | place-date) that reach us in
reading order (left column, right column), interleaved row by row (PDF text layers, OCR without
layout), or side by side on one line ("Số: /KH-UBND    Ninh Thuận, ngày …"). The parser therefore
finds each field by its own grammar anywhere in the header zone, after blanking the motto out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from pipeline.structure import agencies, dates, symbols, tables
from pipeline.structure.model import Document, Issuer
from pipeline.structure.text import DocText, TextLine, fold, squash

HEADER_SCAN_LINES = 45
TITLE_MAX_LINES = 5
_VV_RE = re.compile(r"\bv\s?/\s?v\b\s*[:.]?\s*")
# the place may start on the line above ('Hà' / 'Nội, ngày …'): a short all-letter fragment
_PLACE_DATE_RE = re.compile(r"(?P<place>(?:[^\W\d_]+(?:[ \t]+[^\W\d_]+){0,3}[ \t]*\n)?[^\W\d_][^\n,]{0,40}?)\s*,?\s*" + dates.WORDS)
_RULE_RE = re.compile(r"^[\s_\-–—=.*~]*$")
# 'Số:' after a column gap or a table bar, when the left column shares the line ('CHÍNH PHỦ   Số: 170/…')
_SO_MID_RE = re.compile(r"(?:\s|\|)s[o0]\s*:\s*(?=\d|/)")


@lru_cache(maxsize=1)
def _motto_re() -> re.Pattern:
    parts = []
    for phrase in tables.lexicon()["motto"]:
        words = re.split(r"\s*-\s*|\s+", fold(phrase))
        parts.append(r"[\s\-–]*".join(re.escape(w) for w in words if w))
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def _type_headings() -> dict[str, dict]:
    return {fold(t["heading"]): t for t in tables.document_types() if t.get("heading")}


@lru_cache(maxsize=1)
def _agency_head_re() -> re.Pattern:
    heads = sorted((fold(h) for h in tables.lexicon()["agency_heads"]), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(h) for h in heads) + r")\b")


@lru_cache(maxsize=1)
def _place_level_re() -> re.Pattern:
    levels = sorted((fold(h) for h in tables.lexicon()["place_levels"]), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(h) for h in levels) + r")(?:\s|$)")


def so_line_match(folded_line: str) -> Optional[re.Match]:
    """'Số:' at the start of a (folded) line, tolerating OCR 's6', 'so', 'sô'."""
    return re.match(r"^\W*s\s?[o06]\s*(?:[:.;]\s*|(?=[\d/]))", folded_line)


def uppercase_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


@dataclass
class HeaderResult:
    document: Document
    body_start: int          # index of the first line after the header and title
    own_symbol: Optional[tuple[int, int]]  # span of 'Số: …' through the symbol: the document's own, not a citation


def _cleaned_zone(dt: DocText, limit: int) -> dict[int, str]:
    """Lines[:limit] with the motto blanked out (same lengths). The motto is matched over the whole
    zone, so a motto hard-wrapped over two lines ('CỘNG HÒA XÃ' / 'HỘI CHỦ NGHĨA VIỆT NAM') goes too."""
    if not limit:
        return {}
    lines = dt.lines[:limit]
    base = lines[0].start
    zone = list(dt.text[base:lines[-1].end])
    for m in _motto_re().finditer(fold("".join(zone))):
        for k in range(m.start(), m.end()):
            if zone[k] != "\n":
                zone[k] = " "
    text = "".join(zone)
    return {ln.index: text[ln.start - base:ln.end - base] for ln in lines}


def split_issuer(lines: list[str]) -> Issuer:
    """'UBND TỈNH X' / 'SỞ Y' → parent + name; 'ỦY BAN NHÂN DÂN' / 'TỈNH X' → one name."""
    lines = [squash(x) for x in lines if squash(x)]
    if not lines:
        return Issuer()
    for k in range(1, len(lines)):
        head = fold(lines[k])
        if _agency_head_re().match(head) and not _place_level_re().match(head) and not _wrapped_head(lines[k - 1], lines[k]):
            return Issuer(name=" ".join(lines[k:]), parent=" ".join(lines[:k]))
    return Issuer(name=" ".join(lines), parent=None)


def _wrapped_head(prev: str, line: str) -> bool:
    """Whether a line break falls inside an agency head ('… ỦY' / 'BAN NHÂN DÂN …', '… HỘI' / 'ĐỒNG …')."""
    words = prev.split()
    if not words:
        return False
    last = fold(words[-1])
    m = _agency_head_re().match(f"{last} {fold(line)}")
    return bool(m) and m.end() > len(last) + 1


def _is_stop_line(text: str, first: bool = False, upper_ok: bool = False) -> bool:
    """Whether a line ends the title; the first title line may begin like a preamble item; an
    uppercase line continues an uppercase title (portal and some printed titles are all caps)."""
    t = text.strip()
    folded = fold(t)
    if not t or _RULE_RE.match(t):
        return True
    openers = tables.lexicon()["preamble_end"] + ([] if first else tables.lexicon()["legal_basis_openers"])
    if t[:1].isupper() and any(folded.startswith(fold(o) + " ") or folded == fold(o) for o in openers):
        return True          # a preamble item opens capitalized; '… ở nước ngoài' / 'theo hợp đồng …' goes on
    if re.match(r"^([IVX]+|\d+|[a-z])\s*[.)]\s", t):
        return True
    if _PLACE_DATE_RE.search(folded):
        return True
    if uppercase_share(t) > 0.8 and len([c for c in t if c.isalpha()]) > 3:
        return not upper_ok or _enacting_re().match(folded) is not None
    return False


@lru_cache(maxsize=1)
def _enacting_re() -> re.Pattern:
    """The enacting-authority line printed under a title ('ỦY BAN NHÂN DÂN TỈNH …', 'CHỦ TỊCH …')."""
    phrases = sorted((fold(p) for p in tables.lexicon()["enacting_authorities"]), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


def _title_after(lines: tuple[TextLine, ...], i: int, limit: int, upper: bool = False) -> tuple[Optional[str], int, list[TextLine]]:
    """Title lines after line i: stops at openers, markers, uppercase lines (unless `upper` and the
    title so far is uppercase: an all-caps title wrapped over lines), rules, or a blank line
    followed by a capitalized line (a hard-wrapped title continues in lowercase)."""
    parts: list[TextLine] = []
    j = i + 1
    saw_blank = False
    while j < limit and len(parts) < TITLE_MAX_LINES:
        ln = lines[j]
        t = ln.stripped
        if not t:
            saw_blank = True
            j += 1
            continue
        if parts and saw_blank and not t[0].islower():
            break
        upper_ok = upper and all(uppercase_share(p.text) > 0.8 for p in parts)
        if _is_stop_line(t, first=not parts, upper_ok=upper_ok) or _motto_re().search(fold(t)):
            if parts or not _RULE_RE.match(t):
                break
            j += 1
            continue
        parts.append(ln)
        saw_blank = False
        j += 1
        if t.endswith((".", ";")):
            break
    # a line-final ' -' before a lowercase continuation is a speck or a hyphen, not a word
    joined = [re.sub(r"\s+[-–]\s*$", "", p.text) if k + 1 < len(parts) and parts[k + 1].stripped[:1].islower() else p.text
              for k, p in enumerate(parts)]
    title = squash(" ".join(joined)).rstrip(" .") or None
    end = parts[-1].index + 1 if parts else i + 1
    return title, end, parts


def parse_header(dt: DocText) -> HeaderResult:
    lines = dt.lines
    limit = min(len(lines), _scan_limit(lines))
    doc = Document()
    prov = {}
    cleaned = _cleaned_zone(dt, limit)

    # type line (a heading may be hard-wrapped: 'THÔNG' / 'TƯ')
    type_line = type_last = None
    texts = [ln for ln in lines[:limit] if squash(cleaned[ln.index])]
    for k, ln in enumerate(texts):
        key = fold(squash(cleaned[ln.index]))
        last = ln
        if key not in _type_headings() and k + 1 < len(texts) and len(key.split()) <= 2:
            last = texts[k + 1]
            key = fold(squash(key + " " + cleaned[last.index]))
        if key in _type_headings():
            type_line, type_last = ln, last
            t = _type_headings()[key]
            doc.type, doc.type_code = t["name"], t["code"]
            prov["type"] = dt.provenance(ln.content_start, last.end)
            break
    zone_end = type_line.index if type_line else limit

    # số line and symbol (the symbol may sit on the next line: 'Số:' / '44/2025/QĐ-UBND')
    so_line, sym, sym_line, so_at = None, None, None, 0
    for ln in lines[:zone_end]:
        m = so_line_match(fold(cleaned[ln.index])) or _SO_MID_RE.search(fold(cleaned[ln.index]))
        if not m:
            continue
        so_line, so_at = ln, m.start()
        found = symbols.find_symbols(ln.text, m.end(), need_number=False)
        if found and not ln.text[m.end():found[0].start].strip():
            sym, sym_line = found[0], ln
        elif not ln.text[m.end():].strip():
            nxt = next((x for x in lines[ln.index + 1:zone_end] if not x.blank), None)
            found = symbols.find_symbols(nxt.text, 0, need_number=False) if nxt else []
            if found and not nxt.text[:found[0].start].strip():
                sym, sym_line = found[0], nxt
        break
    if sym:
        doc.symbol, doc.number = sym.text, sym.number
        prov["symbol"] = dt.provenance(sym_line.start + sym.start, sym_line.start + sym.end)
        code = symbols.type_code_of(sym)
        if code and (not doc.type or fold(code) != fold(doc.type_code or "")):
            # the symbol's type code is the document's own (a VBHN consolidating a THÔNG TƯ, say)
            doc.type_code, doc.type = code, symbols.type_name_of_code(code)

    # place and date, searched over the zone so a wrapped 'Hà Nội,' / 'ngày 02 tháng 12 năm 2025' parses;
    # only in a zone that looks like a header (motto, 'Số:' or a type line), not in the prose of a page
    framed = so_line is not None or type_line is not None or any(
        _motto_re().search(fold(ln.text)) for ln in lines[:zone_end])
    if zone_end and framed:
        base = lines[0].start
        zone = "\n".join(cleaned[ln.index] for ln in lines[:zone_end])
        skip = (sym_line.start - base + sym.end) if sym else 0
        m = _PLACE_DATE_RE.search(fold(zone), skip)
        if m:
            p0 = m.start("place")
            frag, nl, _ = zone[p0:m.end("place")].partition("\n")
            if nl and uppercase_share(frag) > 0.8:     # an uppercase line above is another column, not the place
                p0 += len(frag) + 1
            raw_place = re.split(r"\s{2,}|\t|\|", zone[p0:m.end("place")].strip())[-1]
            place = squash(raw_place).strip(" ,.:")
            if place and len(place.split()) <= 6:
                doc.place = place
                prov["place"] = dt.provenance(base + p0, base + m.end("place"))
            doc.date = dates.iso(m.group("wy"), m.group("wm"), m.group("wd") if m.group("wm") else None)
            prov["date"] = dt.provenance(base + m.end("place"), base + m.end())

    # issuer: uppercase lines at the top of the left column, before the 'Số' line
    issuer_end = so_line.index if so_line is not None else zone_end
    if so_line is not None and so_at > 0:       # 'CHÍNH PHỦ Số: 170/…': the left column shares the line
        cleaned[so_line.index] = cleaned[so_line.index][:so_at]
        issuer_end += 1
    issuer_lines: list[TextLine] = []
    has_regions = any(ln.region != "body" for ln in lines[:limit])
    for ln in lines[:issuer_end]:
        if has_regions and ln.region not in ("header_left",):
            continue
        text = _cell(cleaned[ln.index])
        if not text or _RULE_RE.match(text):
            if issuer_lines and not has_regions and _gap_closes_issuer(lines, ln.index, issuer_end, cleaned):
                break
            continue
        if _PLACE_DATE_RE.search(fold(text)) or _VV_RE.match(fold(text)):
            continue
        if uppercase_share(text) >= 0.7:
            issuer_lines.append(ln)
        elif issuer_lines:
            break
    if issuer_lines:
        doc.issuer = split_issuer([agencies.respell(_cell(cleaned[ln.index])) for ln in issuer_lines])
        prov["issuer"] = dt.provenance(issuer_lines[0].content_start, issuer_lines[-1].end)

    # title: under the type line, or the V/v of a công văn
    body_start = (max(so_line.index, sym_line.index if sym_line else 0) + 1) if so_line is not None else 0
    if type_line is not None:
        title, end, parts = _title_after(lines, type_last.index, len(lines), upper=True)
        vv = _VV_RE.match(fold(title)) if title else None
        doc.title = title[vv.end():].strip() or title if vv else title   # 'KẾ HOẠCH' / 'V/V HỖ TRỢ …': the V/v is no title word
        body_start = end
        if parts:
            prov["title"] = dt.provenance(parts[0].content_start, parts[-1].end)
    else:
        vv = _find_vv(lines, limit)
        if vv is not None:
            ln, at = vv
            first = ln.text[at:]
            title, end, parts = _title_after(lines, ln.index, limit) if not first.rstrip().endswith((".", ";")) else (None, ln.index + 1, [])
            doc.title = squash(" ".join([first] + [p.text for p in parts])).rstrip(" .") or None
            prov["title"] = dt.provenance(ln.start + at, (parts[-1].end if parts else ln.end))
            if not doc.type or doc.type_code is None or type_line is None:
                doc.type, doc.type_code = "Công văn", None     # a 'V/v' line and no type line: a letter
            body_start = max(body_start, end)
        elif sym and not doc.type:
            doc.type, doc.type_code = "Công văn", None
        body_start = max(body_start, _after_header_lines(lines, limit, body_start))

    found = [doc.issuer.name, doc.symbol, doc.type, doc.place, doc.date, doc.title]
    doc.confidence = round(sum(v is not None for v in found) / len(found), 2)
    doc.provenance = prov
    own = None
    if so_line is not None:
        own = (so_line.start + so_at, (sym_line.start + sym.end) if sym else so_line.end)
    return HeaderResult(doc, body_start, own)


def _scan_limit(lines) -> int:
    """Header zone: the first HEADER_SCAN_LINES non-blank lines."""
    seen = 0
    for ln in lines:
        if not ln.blank:
            seen += 1
            if seen >= HEADER_SCAN_LINES:
                return ln.index
    return len(lines)


def _cell(text: str) -> str:
    """A header line without table debris: the part before a '|' bar, rule runs ('-------', '___') dropped."""
    cell = squash(re.sub(r"[-_=–—]{2,}|_+$", " ", text.split("|")[0]))
    return re.sub(r"^[^\w(]+\s*", "", cell)        # a speck before the first word (': SỞ …')


def _gap_closes_issuer(lines, i, end, cleaned) -> bool:
    """A blank line inside the issuer block closes it only if the next text line is not uppercase."""
    for ln in lines[i + 1:end]:
        t = squash(cleaned[ln.index])
        if t:
            return uppercase_share(t) < 0.7
    return True


def _find_vv(lines, limit) -> Optional[tuple[TextLine, int]]:
    """The 'V/v …' line of a công văn and the offset (in the line) where its text starts."""
    for ln in lines[:limit]:
        indent = len(ln.text) - len(ln.text.lstrip())
        m = _VV_RE.match(fold(ln.text), indent)
        if m:
            return ln, m.end()
    return None


def _after_header_lines(lines, limit, start) -> int:
    """First line after the header fields of a document without a type line (công văn): after the
    motto, the first place-date line, and up to a 'Kính gửi' line (which opens the body)."""
    last = start
    seen_date = False
    for ln in lines[:limit]:
        f = fold(ln.text).strip()
        if f.startswith("kinh gui"):
            return max(start, ln.index)
        if _motto_re().search(f) or so_line_match(f) or (not seen_date and _PLACE_DATE_RE.search(f)):
            seen_date = seen_date or bool(_PLACE_DATE_RE.search(f))
            last = max(last, ln.index + 1)
        elif seen_date and f:
            break
    return last
