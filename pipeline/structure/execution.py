"""The execution clause of a decision: '<A>; <B> và <C> chịu trách nhiệm thi hành Quyết định này.'

Each body named before the verb becomes an assignment with role `other` (the clause makes them all
responsible for carrying the document out; it names no lead and no partner). Head-of-agency titles
are dropped to name the body ('Chánh Văn phòng UBND tỉnh' → 'Văn phòng UBND tỉnh').
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.structure import agencies, names, nlp, tables
from pipeline.structure.text import DocText, fold, squash

WHO_MAX_CHARS = 700
# an OCR speck between a word and a lowercase one, where no punctuation belongs
_SPECK_IN_WORDS = re.compile(r"(?<=\w)[:`'~](?=\s+[a-zà-ỹđ])")
_PERSONS = re.compile(r"^(?:cac\s+)?(?:ca nhan|ong|ba|ong \(ba\)|thanh vien)\b")


@dataclass(frozen=True)
class Clause:
    names: list[tuple[str, int, int]]   # (printed body name, start, end) in the document text
    start: int                          # the whole sentence
    end: int


@lru_cache(maxsize=1)
def _clause_re() -> re.Pattern:
    lex = tables.lexicon()["execution_clause"]
    verbs = "|".join(re.escape(fold(v)).replace(r"\ ", r"\s+") for v in sorted(lex["verbs"], key=len, reverse=True))
    objs = "|".join(re.escape(fold(o)).replace(r"\ ", r"\s+") for o in sorted(lex["objects"], key=len, reverse=True))
    # '… chịu trách nhiệm thi hành Quyết định này', or a verb that names the decision itself and ends
    # the sentence ('… căn cứ Quyết định thi hành./.')
    return re.compile(rf"\s+(?:{verbs})(?:\s+(?:{objs})\s+nay|(?=\s*\./?\.?))")


_SUBJECT_START = re.compile(r"\.|\n\s*\n")


def _subject_start(text: str, lo: int, hi: int) -> int:
    """Start of the subject before hi: after the last '.' or blank line (the sentence or paragraph start)."""
    last = lo
    for m in _SUBJECT_START.finditer(text, lo, hi):
        last = m.end()
    return last


def _split_subjects(who: str) -> list[tuple[str, int]]:
    """'A; B và C' → [(A, 0), (B, …), (C, …)]: at ';', and at ',' / ' và ' before a head title or agency."""
    out, pos = [], 0
    for piece in re.split(r"(;)", who):
        if piece == ";":
            pos += 1
            continue
        sub_pos = 0
        for name in _split_titles(piece):
            at = piece.find(name, sub_pos)
            at = at if at >= 0 else sub_pos
            sub_pos = at + len(name)
            out.extend((n, pos + at) for n in _distribute(name))
        pos += len(piece)
    return out


_LIST_RE = re.compile(r"^(?P<title>.*?)\b(?:các|cac)\s+(?P<head>\w+)\s*:\s*(?P<list>.+)$", re.S)


def _distribute(name: str) -> list[str]:
    """'Giám đốc các Sở: Tài chính, Kế hoạch và Đầu tư' → 'Giám đốc Sở Tài chính', 'Giám đốc Sở Kế hoạch và Đầu tư'."""
    m = _LIST_RE.match(name)
    if not m:
        return [name]
    title, head = squash(m.group("title")), m.group("head")
    items = [squash(x) for x in m.group("list").split(",") if squash(x)]
    out, i = [], 0
    while i < len(items):        # 'Văn hóa, Thể thao và Du lịch' is one item: the longest the gazetteer knows
        j = next((j for j in range(len(items), i + 1, -1)
                  if _known(f"{head} {', '.join(items[i:j])}")), i + 1)
        out.append(squash(f"{title} {head} {', '.join(items[i:j])}"))
        i = j
    return out


def _known(name: str) -> bool:
    hit = nlp.lookup_agency_span(name)
    return bool(hit) and hit[1] >= len(name) - 1


def _split_titles(piece: str) -> list[str]:
    """Split at ' và ' / ', ' when a head title follows ('… đặc khu và Thủ trưởng các cơ quan …')."""
    titles = tuple(fold(t) + " " for t in tables.lexicon()["head_titles"])
    parts = re.split(r"(\s+và\s+|,\s+)", piece)
    out = [parts[0]]
    for sep, nxt in zip(parts[1::2], parts[2::2]):
        head = fold(squash(nxt))
        if (head.startswith(titles) or ("v" in sep and names.starts_like_agency(squash(nxt)))) \
                and not names.one_name_across(agencies.body_of(out[-1]), sep, nxt):   # 'Văn phòng HĐND và UBND huyện'

            out.append(nxt)
        else:
            out[-1] += sep + nxt
    return [squash(x).strip(" ,;") for x in out if squash(x).strip(" ,;")]


def find_clauses(dt: DocText, start: int, end: int) -> list[Clause]:
    text = dt.text[start:end]
    out = []
    for m in _clause_re().finditer(fold(text)):
        who_start = _subject_start(text, max(0, m.start() - WHO_MAX_CHARS), m.start())
        who = _SPECK_IN_WORDS.sub(" ", text[who_start:m.start()])     # 'Giám: đốc' → 'Giám  đốc' (same length)
        if len(who.strip()) < 3:
            continue
        lead = len(who) - len(who.lstrip())
        bodies = []
        for name, at in _split_subjects(who.strip()):
            body = agencies.body_of(name)
            named = names.starts_like_agency(body) or names.is_group("các " + body)   # 'cơ quan, đơn vị …'
            if not named and body == name or _PERSONS.match(fold(body)):
                continue          # neither a titled head nor an agency, or persons: not a body we can name
            p0 = start + who_start + lead + at
            bodies.append((body, p0, p0 + len(name)))
        if bodies:
            out.append(Clause(bodies, start + who_start + lead, start + m.end()))
    return out
