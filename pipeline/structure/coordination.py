"""'phối hợp (với) <agencies>' clauses: the bodies a task is to be carried out with (role support),
and the subject before a '… chủ trì, phối hợp …' (role lead) where the gazetteer does not know it."""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from pipeline.structure import agencies, names, nlp, tables
from pipeline.structure.text import DocText, fold, phrase_pattern


@lru_cache(maxsize=2)
def _coord_re(accented: bool) -> re.Pattern:
    """'phối hợp (với) <body>' up to a verb or a stop. Accented text is matched as printed: the opener
    in any case, the stops in lowercase only ('Phòng Nông nghiệp và Phát triển nông thôn' holds no
    verb; folded, 'viễn thông bảo đảm' would hold the stop 'thông báo'). Text without marks is
    matched folded. A new dash item ends the body too."""
    lex = tables.lexicon()
    form = (lambda p: p.lower()) if accented else fold
    openers = "|".join(phrase_pattern(form(o)) for o in sorted(lex["coordination_openers"], key=len, reverse=True))
    # the subject verbs of two words or more: one-word ones collide with names ('Tuyên giáo')
    words = (set(lex["coordination_stops"]) | {v for v in lex["subject_verbs"] if " " in v}) - {"phối hợp"}
    stops = "|".join(phrase_pattern(form(s)) for s in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?i:\b(?:{openers})\b)\s*(?P<body>.{{0,240}}?)(?=\s(?:{stops})\b|[;.:]|\n\s*[-+•]|$)", re.S)


def subject_before(text: str, lo: int, at: int) -> list[tuple[str, int, int]]:
    """The agency a sentence opens with, right before its 'chủ trì' ('Phòng Kế hoạch - Tài chính chủ
    trì, phối hợp …'): for names the gazetteer does not know."""
    start = max((text.rfind(c, lo, at) for c in ".;:\n"), default=-1) + 1
    start = max(start, lo)
    name = text[start:at].strip(" ,-–\n")
    if not name or len(name.split()) > 10 or not name[0].isupper() or not names.starts_like_agency(name) \
            or names.is_bare_head(name):
        return []
    s0 = text.find(name, start, at)
    return [(name, s0, s0 + len(name))]


def support_from(doc: Doc, dt: DocText, start: int, end: int) -> list[tuple[str, int, int]]:
    """Agencies named in the 'phối hợp với …' clauses of text[start:end]: the clause split into
    agency names (each must start like one: a head word or a gazetteer name); gazetteer agencies
    inside a part that does not start like one ('các đơn vị như Sở Y tế') still count."""
    found = []
    span = dt.text[start:end]
    accented = fold(span) != span.lower()
    for m in _coord_re(accented).finditer(span if accented else fold(span)):
        b0, b1 = start + m.start("body"), start + m.end("body")
        b1 = _through_group_noun(dt.text, b0, b1)
        body = dt.text[b0:b1].replace("\n", " ")      # same offsets; a list wraps at " và\n"
        pos = 0
        for part in names.split_agencies(body):
            at = body.find(part, pos)
            at = at if at >= 0 else pos
            pos = at + len(part)
            p0, p1 = b0 + at, b0 + at + len(part)
            ents = nlp.agency_spans(doc, p0, p1 + 1)
            own_name = (len(part.split()) >= 2 and (part[0].isupper() or fold(part).startswith("cac "))
                        and names.starts_like_agency(part) and not names.is_bare_head(part)
                        and not any(e.start_char == p0 for e in ents))
            if own_name:       # 'Ban Tuyên giáo và Dân vận Tỉnh ủy': a name the gazetteer does not know
                name = names.trim_group(part)
                found.append((name, p0, p0 + len(name)))
                continue
            found.extend(_with_level(dt.text, e.start_char, e.end_char) for e in ents)
            if not (ents and names.is_group(ents[-1].text)):    # 'các sở, ngành, địa phương' is one group
                found.extend(_generic_bodies(dt.text, ents[-1].end_char if ents else p0, p1))
    return found


def _generic_bodies(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Lowercase bodies in a comma list ('Sở Y tế, địa phương'; 'lực lượng chức năng, lực lượng tại
    chỗ hỗ trợ …'), each cut where its name ends."""
    found = []
    pos = start
    for piece in text[start:end].split(","):
        lead = len(piece) - len(piece.lstrip())
        name = names.generic_body(piece) if piece.strip() else None
        if piece.strip() and not name:
            break                      # the list of names is over
        if name:      # as printed, capitalized: 'Cơ quan báo chí', not the group 'Các cơ quan báo chí'
            found.append((name[:1].upper() + name[1:], pos + lead, pos + lead + len(name)))
        pos += len(piece) + 1
    return found


def _with_level(text: str, start: int, end: int) -> tuple[str, int, int]:
    """A gazetteer name with the level printed after it ('Đoàn Thanh niên Cộng sản Hồ Chí Minh' + ' xã'):
    `agencies.normalize` keeps it for bodies at several levels and drops it for the others."""
    m = agencies.LEVEL_AFTER.match(text, end)
    end = m.end() if m else end
    return text[start:end], start, end


def _through_group_noun(text: str, b0: int, b1: int) -> int:
    """A body cut by a stop inside a kind of body ('các viện' | 'nghiên cứu …'): run on through it."""
    tail = fold(text[b0:b1]).rstrip()
    for noun in sorted(tables.lexicon()["group_nouns"], key=len, reverse=True):
        words = fold(noun).split()
        for k in range(1, len(words)):
            head, rest = " ".join(words[:k]), " ".join(words[k:])
            after = fold(text[b1:b1 + len(rest) + 2])
            if (tail == head or tail.endswith(" " + head)) and after.lstrip().startswith(rest):
                return b1 + len(after) - len(after.lstrip()) + len(rest)
    return b1
