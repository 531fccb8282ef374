"""Citations: every reference to another document, with type, symbol, date, issuer and role.

A citation is anchored on a document symbol (`doc.spans["symbol"]`) or on a law cited by name
with its date ("Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"). Around the anchor:
the type word before 'số' (which also settles code collisions such as CT), 'ngày <date>' after it,
then 'của <issuer>' up to the first stop word. Matching runs on folded text, values come from the
printed text, so OCR-damaged diacritics and spacing still parse.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Optional

from spacy.tokens import Doc

from pipeline.structure import agencies, dates, symbols, tables
from pipeline.structure.model import Citation
from pipeline.structure.text import DocText, fold, phrase_pattern, squash

ISSUER_MAX_WORDS = 14
_SO = r"(?:s[o06]\b|s[o06](?=\s))"


@lru_cache(maxsize=1)
def _type_words() -> list[tuple[str, str]]:
    words = tables.load("document_types")["citation_words"]
    return sorted(((fold(w), w) for w in words), key=lambda x: len(x[0]), reverse=True)


@lru_cache(maxsize=1)
def _before_re() -> re.Pattern:
    alts = "|".join(phrase_pattern(f) for f, _ in _type_words())
    return re.compile(rf"(?P<type>{alts})\s*(?:{_SO}\s*)?[:.]?\s*$")


@lru_cache(maxsize=1)
def _law_re() -> re.Pattern:
    # 'Luật <Name starting uppercase> [số SYMBOL] ngày <date>' — the name may not cross ; . or a newline pair
    # the name may wrap over lines of a hard-wrapped text, but not over a blank line, ';', '.' or '('
    return re.compile(
        rf"(?<![\w])(?P<kw>(?:bo )?luat)\s+(?P<name>(?:[^\n;.()]|\n(?!\s*\n)){{3,320}}?)\s*(?:{_SO}\s*(?P<sym>[\w/\-–]+)\s*)?,?\s*(?:ngay|thang)\b"
    )


@lru_cache(maxsize=1)
def _issuer_stop_re() -> re.Pattern:
    stops = sorted(tables.lexicon()["issuer_stops"], key=len, reverse=True)
    alts = "|".join(phrase_pattern(s.lower()) for s in stops)
    # 'số' ends an issuer only before a number ('… số 12/KH-UBND'), not in 'chuyển đổi số'
    return re.compile(rf"\s(?:{alts})(?=[\s,;.:]|$)|\ssố(?=\s*\d)|[,;.:()“”\"]")


_AFTER_DATE_RE = re.compile(r"^\s*,?\s*(?:ban hanh\s+|ky\s+)?(?:ngay\s*)?")
_OF_RE = re.compile(r"^\s*,?\s*(?:cua|do)\s+")


_COMMITTEE_RE = re.compile(
    r"(?:to giup viec\s+)?ban chi dao(?:\s+(?:trung uong|quoc gia|tinh|thanh pho|cua chinh phu))?(?:\s+ve(?=\s))?")


def _issuer_stop(window: str, head: Optional[re.Match]) -> Optional[re.Match]:
    """Where the issuer starting the window ends. A steering committee (`head`: its match of
    _COMMITTEE_RE) is named by its field ('Ban Chỉ đạo về phát triển khoa học, công nghệ, đổi mới
    sáng tạo và chuyển đổi số tỉnh'): after its head the name runs on over 'về' and commas before
    lowercase words."""
    low = window.lower()
    if not head:
        return _issuer_stop_re().search(low)
    pos = head.end()
    while True:
        stop = _issuer_stop_re().search(low, pos)
        if stop is None or stop.group(0) != "," or not window[stop.end():].lstrip()[:1].islower():
            return stop
        pos = stop.end()


def _cut_at_type_word(words: list[str]) -> list[str]:
    """A Capitalized document-type word after the issuer's first two words starts what the cited
    document says ('Văn phòng Chính phủ Kết luận Phiên họp …') or the next citation ('Chính phủ và
    Chương trình hành động số …'); lowercase it is part of a name ('… và đề án 06')."""
    types = _type_word_starts()
    for k in range(2, len(words)):
        if words[k][:1].isupper() and fold(" ".join(words[k:k + 3]) + " ").startswith(types):
            return words[:k - 1] if fold(words[k - 1]) == "va" else words[:k]
    return words


@lru_cache(maxsize=1)
def _type_word_starts() -> tuple[str, ...]:
    return tuple(fold(w) + " " for w in tables.load("document_types")["citation_words"])


def _issuer_at(text: str, pos: int) -> tuple[Optional[str], int]:
    """'của <issuer>' starting at pos: the issuer and where it ends."""
    m = _OF_RE.match(fold(text[pos:pos + 12]))
    if not m:
        return None, pos
    start = pos + m.end()
    window = text[start:start + 240]
    committee = _COMMITTEE_RE.match(fold(window.lower()))
    stop = _issuer_stop(window, committee)
    raw = window[: stop.start() if stop else len(window)]
    words = _cut_at_type_word(raw.split())
    limit = ISSUER_MAX_WORDS * 2 if committee else ISSUER_MAX_WORDS
    if not words or len(words) > limit:
        words = words[:limit]
    issuer = squash(" ".join(words)).strip(" -,")
    if not issuer:
        return None, pos
    if stop and window[stop.start():stop.start() + 1] == "," and fold(issuer) in _titles():
        # 'của Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ': a bare title continues after the comma
        nxt = _issuer_stop_re().search(window.lower(), stop.end())
        more = squash(window[stop.end(): nxt.start() if nxt else len(window)])
        if more and more[0].isupper():
            words = (issuer + ", " + more).split()
            issuer = " ".join(words)
    end = start + text[start:].find(words[-1]) + len(words[-1]) if words else start
    return issuer, end


# 'có hiệu lực từ ngày …' is when a law applies, not its date; a name does not say so
_NOT_A_TITLE = re.compile(r"\bhiệu lực\b|\btừ\s*$", re.I)
@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(fold(t) for t in tables.lexicon()["head_titles"])


_BEFORE_ISSUER_RE = re.compile(r"\bcua\s+(?P<iss>[^;.]{3,100}?)\s+tai\s*$")
_SUBJECT_TAIL_RE = re.compile(r"(?P<iss>[^;.\n]{2,80}?)\s+(?:da\s+)?(?:co|ban hanh|gui)\s*$")


@lru_cache(maxsize=1)
def _head_start_re() -> re.Pattern:
    heads = sorted((fold(h) for h in tables.lexicon()["agency_heads"] if h.upper() != "CÁC"), key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[\s,;(]))(?:" + "|".join(re.escape(h) for h in heads) + r")\b")


def _issuer_before(text: str, start: int) -> Optional[str]:
    """The issuer printed before the citation: 'của <issuer> tại Tờ trình số …', or the agency that is
    the subject of 'Bộ Khoa học và Công nghệ có công văn số …'."""
    window = text[max(0, start - 120):start]
    folded = fold(window)
    m = _BEFORE_ISSUER_RE.search(folded)
    if m:
        return squash(window[m.start("iss"):m.end("iss")])
    for h in _head_start_re().finditer(folded):
        if not window[h.start()].isupper():
            continue
        t = _SUBJECT_TAIL_RE.match(folded, h.start())
        if t:
            return squash(window[t.start("iss"):t.end("iss")])
    return None


class _DateIndex(list):
    """Date spans sorted by start, with their starts for bisect (a citation looks up the date after it)."""

    def __init__(self, spans):
        super().__init__(sorted(spans, key=lambda s: s.start_char))
        self.starts = [s.start_char for s in self]


def _date_at(text: str, pos: int, date_spans) -> tuple[Optional[str], int]:
    """A date right after pos ('ngày 18/01/2022', ', ngày 18 tháng 01 năm 2022')."""
    folded = fold(text[pos:pos + 40])
    m = _AFTER_DATE_RE.match(folded)
    gap_end = pos + (m.end() if m else 0)
    starts = [sp.start_char for sp in date_spans] if not isinstance(date_spans, _DateIndex) else date_spans.starts
    for span in date_spans[bisect.bisect_left(starts, pos):]:
        if pos <= span.start_char <= gap_end:
            return span.label_, span.end_char
        if span.start_char > gap_end:
            break
    return None, pos


def _infer_type(sym: symbols.Symbol, word_type: Optional[str]) -> Optional[str]:
    if word_type:
        return word_type
    rules = tables.load("document_types").get("collisions", {})
    code = sym.first_code
    if code.upper() in rules:
        rule = rules[code.upper()]
        issuer_part = sym.parts[-1] if len(sym.parts) > 1 else ""
        return rule["type"] if issuer_part in rule["issuers"] else rule["otherwise"]
    name = symbols.type_name_of_code(symbols.type_code_of(sym))
    if name:
        return name
    if sym.parts and re.match(r"^QH\d*$", sym.parts[-1]):
        return None  # a Luật or a Nghị quyết of the National Assembly: needs the word
    return "Công văn"


def find_citations(doc: Doc, dt: DocText, exclude: tuple[int, int] | None, roles) -> list[Citation]:
    """Citations in reading order. `roles(start)` tells legal_basis from reference."""
    text = doc.text
    folded = fold(text)
    date_spans = _DateIndex(doc.spans["date"])
    out: list[tuple[int, Citation]] = []
    taken: list[tuple[int, int]] = []

    # laws cited by name (and 'Luật … số 83/2015/QH13 ngày …')
    for m in _law_re().finditer(folded):
        kw_start = m.start("kw")
        if exclude and exclude[0] <= kw_start < exclude[1]:
            continue
        if not text[kw_start].isupper() or _NOT_A_TITLE.search(text[m.start("name"):m.end("name")]):
            continue
        date, date_end = _date_at(text, m.end("name"), date_spans)
        if not date:
            continue
        found = symbols.find_symbols(text, m.start("sym"), m.end("sym")) if m.group("sym") else []
        sym = found[0] if found else None
        issuer, end = _issuer_at(text, date_end)
        end = max(end, date_end)
        kw = "Bộ luật" if m.group("kw").startswith("bo") else "Luật"
        title = squash(text[kw_start:m.end("name")])
        out.append((kw_start, Citation(
            text=squash(text[kw_start:end]), type=kw, number=sym.number if sym else None,
            symbol=sym.text if sym else None, title=title, date=date, issuer=agencies.respell(issuer),
            role=roles(kw_start), confidence=0.8, provenance=dt.provenance(kw_start, end))))
        taken.append((kw_start, end))

    # the document's own symbol ('Kèm theo Kế hoạch số 552/KH-UBND' over an appendix) is no citation
    own = {x.text for x in symbols.find_symbols(text, *exclude)} if exclude else set()
    prev_before: Optional[tuple[int, str]] = None
    for span in doc.spans["symbol"]:
        s0, s1 = span.start_char, span.end_char
        if exclude and exclude[0] <= s0 < exclude[1]:
            continue
        if any(a <= s0 < b for a, b in taken):
            continue
        found = symbols.find_symbols(text, s0, s1)
        if not found:
            continue
        sym = found[0]
        if sym.text in own:
            continue
        before = _before_re().search(folded[max(0, s0 - 40):s0])
        start = s0 - (len(folded[max(0, s0 - 40):s0]) - before.start("type")) if before else s0
        word_type = dict(_type_words())[" ".join(before.group("type").split())] if before else None
        ctype = _infer_type(sym, word_type)
        date, end = _date_at(text, sym.end, date_spans)
        issuer, end2 = _issuer_at(text, end if date else sym.end)
        if issuer is None:
            issuer = _issuer_before(text, start)
        if issuer is None and prev_before and re.fullmatch(r"[\s,;]*(?:va\s*)?", folded[prev_before[0]:start]):
            issuer = prev_before[1]          # 'của X tại Tờ trình số …, Công văn số …': X for both
        prev_before = (max(end, sym.end), issuer) if issuer and not _OF_RE.match(folded[(end if date else sym.end):][:12]) else None
        end = max(end, end2, sym.end)
        conf = 0.5 + 0.2 * bool(word_type) + 0.15 * bool(date) + 0.15 * bool(issuer)
        out.append((start, Citation(
            text=squash(text[start:end]), type=ctype, number=sym.number, symbol=sym.text, date=date,
            issuer=agencies.respell(issuer), role=roles(start), confidence=round(conf, 2), provenance=dt.provenance(start, end))))
    out.sort(key=lambda x: x[0])
    cites = [c for _, c in out]
    _share_issuers(cites, folded)
    return cites


_LIST_GAP = re.compile(r"[\s,;]*(?:va\s*)?(?:so\s*)?")


def _share_issuers(cites: list[Citation], folded: str) -> None:
    """'Công điện số 007/CĐ-UBND ngày …, số 008/CĐ-UBND và số 009/CĐ-UBND ngày … của UBND tỉnh': one
    'của …' closing a list of symbols names the issuer of each, one date a run of the same type; a
    citation without its own takes the next one's when only list punctuation, 'và' or 'số' lies between."""
    for k in range(len(cites) - 2, -1, -1):
        c, n = cites[k], cites[k + 1]
        if not (c.provenance.span and n.provenance.span):
            continue
        if not _LIST_GAP.fullmatch(folded[c.provenance.span[1]:n.provenance.span[0]]):
            continue
        if not c.issuer and n.issuer:
            c.issuer = n.issuer
        if not c.date and n.date and n.type == c.type:   # 'số 008/CĐ-UBND và số 009/CĐ-UBND ngày 19/11/2025'
            c.date = n.date
