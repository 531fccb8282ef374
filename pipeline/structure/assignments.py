"""Assignments: who must do what, by when.

Three sources: the items of the TỔ CHỨC THỰC HIỆN section (agency heading + tasks; role from the
tasks' verbs: chủ trì → lead, phối hợp → support; 'Đề nghị …' headings → requested), the
'phối hợp với <agencies>' clauses inside tasks and '<agency> chủ trì, phối hợp với <agencies>'
anywhere (support), and 'Đơn vị chủ trì: … / Đơn vị phối hợp: …' lines anywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from spacy.tokens import Doc

from pipeline.structure import agencies, deadlines, execution, nlp, sections, tables
from pipeline.structure.model import Assignment, Task
from pipeline.structure.sections import Node
from pipeline.structure.text import DocText, fold, phrase_pattern, squash

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")


@lru_cache(maxsize=1)
def _coord_re() -> re.Pattern:
    lex = tables.lexicon()
    openers = "|".join(phrase_pattern(fold(o)) for o in sorted(lex["coordination_openers"], key=len, reverse=True))
    # the subject verbs of two words or more: folded, one-word ones collide with names ('Tuyên giáo')
    words = (set(lex["coordination_stops"]) | {v for v in lex["subject_verbs"] if " " in v}) - {"phối hợp"}
    stops = "|".join(phrase_pattern(fold(s)) for s in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{openers})\b\s*(?P<body>.{{0,240}}?)(?=\s(?:{stops})\b|[;.:]|$)", re.S)


_LABEL_RE = re.compile(r"^\W*(?:don vi|co quan)\s+(?P<role>chu tri|phoi hop)\s*:\s*")


def _tasks_of(node: Node, dt: DocText, year: Optional[int]) -> list[Task]:
    """One task per child item, else one per sentence of the item's own text."""
    tasks = []
    if node.children:
        for child in node.children:
            text = squash(" ".join(x for x in [child.heading, child.text.replace("\n", " ")] if x))
            if text:
                tasks.append(Task(text=text, deadlines=deadlines.find_deadlines(dt, child.start, child.end, year),
                                  provenance=dt.provenance(child.start, child.end)))
    body = node.text
    if body:
        for para in body.split("\n"):
            for sent in _SENTENCE_SPLIT.split(para):
                sent = squash(sent)
                if not sent:
                    continue
                at = dt.text.find(sent[:30], node.start, node.end + 1)
                span = (at, at + len(sent)) if at >= 0 else (node.start, node.end)
                tasks.insert(len(tasks) if node.children else len(tasks),
                             Task(text=sent, deadlines=deadlines.find_deadlines(dt, span[0], span[1], year),
                                  provenance=dt.provenance(*span)))
    return tasks


_REQUEST_PREFIX = re.compile(r"^(?:Đề nghị|đề nghị|De nghi)\s+")


def _without_request(heading: str) -> str:
    """'Đề nghị Ủy ban MTTQ tỉnh …' → 'Ủy ban MTTQ tỉnh …': the agencies a request is addressed to."""
    return _REQUEST_PREFIX.sub("", heading)


_STANDING_ROLE = re.compile(r"^la (?:co quan|don vi) (?:thuong truc|dau moi)\s*,?\s*")   # 'Là cơ quan thường trực, chủ trì …'
_ADVERBS = re.compile(r"^(?:(?:chu dong|tich cuc|tiep tuc|khan truong|thuong xuyen)\s+)+")


def _role(heading: str, tasks: list[Task], opening: Optional[str] = None) -> str:
    """From the verbs the tasks open with ('Chủ động phối hợp …' counts as 'phối hợp'); `opening`:
    what follows the agencies when the item's first sentence names them itself."""
    if fold(heading).startswith(tuple(fold(o) for o in tables.lexicon()["request_openers"])):
        return "requested"
    texts = [t.text for t in tasks]
    if opening is not None:
        texts = [opening] + texts[1:]
    verbs = [_ADVERBS.sub("", _STANDING_ROLE.sub("", fold(t)))[:20] for t in texts]
    if any(v.startswith("chu tri") for v in verbs):
        return "lead"
    if verbs and verbs[0].startswith("phoi hop"):
        return "support"
    return "other"


def _agency_items(node: Node) -> list[tuple[Node, str, Optional[str]]]:
    """(item, agencies, opening) for the items of an implementation section, descending through
    sub-headings that are not agencies ('1. Phân công nhiệm vụ'). The agencies are the item's heading
    ('1. Sở Tài chính:'), or the subject its text opens with ('- Sở Nội vụ hướng dẫn …'), and then
    `opening` is the rest of that first sentence."""
    out = []
    for child in node.children:
        heading = child.heading or ""
        if heading and agencies.starts_like_agency(_without_request(heading)):
            out.append((child, heading, None))
            continue
        subject = None if heading else agencies.leading_subject(child.text)
        if subject:
            out.append((child, subject, squash(child.text)[len(subject):].lstrip(" ,")))
        elif child.kind not in ("dash", "plus"):
            out.extend(_agency_items(child))
    return out


def _support_from(doc: Doc, dt: DocText, start: int, end: int) -> list[tuple[str, int, int]]:
    """Agencies named in the 'phối hợp với …' clauses of text[start:end]: the clause split into
    agency names (each must start like one: a head word or a gazetteer name); gazetteer agencies
    inside a part that does not start like one ('các đơn vị như Sở Y tế') still count."""
    found = []
    folded = fold(dt.text[start:end])
    for m in _coord_re().finditer(folded):
        b0, b1 = start + m.start("body"), start + m.end("body")
        body = dt.text[b0:b1].replace("\n", " ")      # same offsets; a list wraps at " và\n"
        pos = 0
        for part in agencies.split_agencies(body):
            at = body.find(part, pos)
            at = at if at >= 0 else pos
            pos = at + len(part)
            p0, p1 = b0 + at, b0 + at + len(part)
            ents = nlp.agency_spans(doc, p0, p1 + 1)
            own_name = (len(part.split()) >= 2 and (part[0].isupper() or fold(part).startswith("cac "))
                        and agencies.starts_like_agency(part) and not agencies.is_bare_head(part)
                        and not any(e.start_char == p0 for e in ents))
            if own_name:       # 'Ban Tuyên giáo và Dân vận Tỉnh ủy': a name the gazetteer does not know
                found.append((part, p0, p1))
            else:
                found.extend((e.text, e.start_char, e.end_char) for e in ents)
    return found


def find_assignments(nodes: list[Node], doc: Doc, dt: DocText, body: tuple[int, int], doc_date: Optional[str]) -> list[Assignment]:
    year = int(doc_date[:4]) if doc_date else None
    out: dict[tuple[str, str], Assignment] = {}

    def add(printed: str, role: str, tasks: list[Task], source: str, span: tuple[int, int], conf: float):
        agency = agencies.normalize(printed, doc_date)
        key = (fold(agency.name), role)
        if key in out:
            out[key].tasks.extend(t for t in tasks if t not in out[key].tasks)
            out[key].deadlines.extend(d for t in tasks for d in t.deadlines)
            return
        out[key] = Assignment(agency=agency, role=role, tasks=list(tasks), deadlines=[d for t in tasks for d in t.deadlines],
                              source=source, confidence=conf, provenance=dt.provenance(*span))

    impl = sections.find(nodes, tables.lexicon()["implementation_headings"])
    if impl is not None:
        for item, heading, opening in _agency_items(impl):
            tasks = _tasks_of(item, dt, year)
            role = _role(heading, tasks, opening)
            bare = _without_request(heading)
            h0 = dt.text.find(bare[:20], item.start, item.end + 1)
            h0 = h0 if h0 >= 0 else item.start
            names = agencies.split_agencies(bare)
            own = {fold(agencies.normalize(n, doc_date).name) for n in names}
            for name in names:
                add(name, role, tasks, "implementation_section", (h0, h0 + len(bare)), 0.9 if role != "other" else 0.7)
            for text, s0, s1 in _support_from(doc, dt, item.start, item.end):
                if fold(agencies.normalize(text, doc_date).name) not in own:
                    task = next((t for t in tasks if t.provenance.span and t.provenance.span[0] <= s0 <= t.provenance.span[1]), None)
                    add(text, "support", [task] if task else [], "coordination", (s0, s1), 0.8)

    # '<agency> chủ trì, phối hợp với <agencies>' outside the implementation section
    lo, hi = body
    skip = (impl.start, impl.end) if impl is not None else (0, 0)
    for m in re.finditer(r"chu\s+tri\s*,?\s*(?=phoi\s+hop)", fold(dt.text[lo:hi])):
        at = lo + m.start()
        if skip[0] <= at <= skip[1]:
            continue
        before = [e for e in nlp.agency_spans(doc, max(lo, at - 120), at) if not dt.text[e.end_char:at].strip(" ,")]
        if before:
            add(before[-1].text, "lead", [], "coordination", (before[-1].start_char, before[-1].end_char), 0.7)
            close = re.compile(r"[.;](?!\d)|\n\s*\n").search(dt.text, at, hi)   # to the end of the sentence
            for text, s0, s1 in _support_from(doc, dt, at, close.start() if close else hi):
                add(text, "support", [], "coordination", (s0, s1), 0.7)

    # '<A>; <B> và <C> chịu trách nhiệm thi hành Quyết định này' (role other: all answer for it alike)
    for clause in execution.find_clauses(dt, lo, hi):
        sentence = squash(dt.text[clause.start:clause.end])
        task = Task(text=sentence, deadlines=deadlines.find_deadlines(dt, clause.start, clause.end, year),
                    provenance=dt.provenance(clause.start, clause.end))
        for name, s0, s1 in clause.names:
            add(name, "other", [task], "execution_clause", (s0, s1), 0.8)

    # 'Đơn vị chủ trì: … / Đơn vị phối hợp: …'
    for ln in dt.lines:
        m = _LABEL_RE.match(fold(ln.text))
        if not m:
            continue
        role = "lead" if m.group("role") == "chu tri" else "support"
        rest = ln.text[m.end():]
        for name in agencies.split_agencies(re.sub(r"[;.]\s*$", "", rest)):
            add(name, role, [], "lead_support_line", (ln.start + m.end(), ln.end), 0.9)
    return list(out.values())
