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


@lru_cache(maxsize=2)
def _coord_re(accented: bool) -> re.Pattern:
    """'phối hợp (với) <body>' up to a verb or a stop. Accented text is matched as printed (lowercased):
    folded, 'viễn thông bảo đảm' would hold the stop 'thông báo'; text without marks is matched folded."""
    lex = tables.lexicon()
    form = (lambda p: p.lower()) if accented else fold
    openers = "|".join(phrase_pattern(form(o)) for o in sorted(lex["coordination_openers"], key=len, reverse=True))
    # the subject verbs of two words or more: one-word ones collide with names ('Tuyên giáo')
    words = (set(lex["coordination_stops"]) | {v for v in lex["subject_verbs"] if " " in v}) - {"phối hợp"}
    stops = "|".join(phrase_pattern(form(s)) for s in sorted(words, key=len, reverse=True))
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


def _without_request(heading: str) -> str:
    """'Đề nghị Ủy ban MTTQ tỉnh …' → 'Ủy ban MTTQ tỉnh …', 'Giao Sở …' → 'Sở …': the agencies."""
    n = agencies.opener_words(heading)
    return " ".join(squash(heading).split(" ")[n:]) if n else heading


_STANDING_ROLE = re.compile(r"^la (?:(?:co quan|don vi) )?(?:thuong truc|dau moi)\s*,?\s*")   # 'Là cơ quan thường trực, chủ trì …'
_ADVERBS = re.compile(r"^(?:(?:chu dong|tich cuc|tiep tuc|khan truong|thuong xuyen|(?:co|chiu) trach nhiem"
                      r"|(?:theo|can cu) (?:chuc nang, )?nhiem vu(?: duoc giao)?,?)\s+)+")   # 'Theo chức năng, nhiệm vụ, chủ trì …'


def _role(heading: str, texts: list[str]) -> str:
    """From the verbs the item's task clauses open with ('Chủ động phối hợp …' counts as 'phối hợp'):
    'chủ trì' in any → lead; every clause 'phối hợp' → support; 'Đề nghị …' → requested; else other."""
    if fold(heading).startswith(tuple(fold(o) for o in tables.lexicon()["request_openers"])):
        return "requested"
    verbs = [_ADVERBS.sub("", _STANDING_ROLE.sub("", fold(c.strip())))[:20]
             for t in texts for c in t.split(";") if c.strip()]
    if any(v.startswith("chu tri") for v in verbs) or any("duoc giao chu tri" in fold(t) for t in texts):
        return "lead"             # 'Triển khai nhiệm vụ được giao chủ trì tại Phụ lục'
    if verbs and all(v.startswith("phoi hop") for v in verbs):
        return "support"          # only 'phối hợp': a task of its own ('…; hướng dẫn …') makes it other
    return "other"


def _agency_items(node: Node) -> list[tuple[Node, str, Optional[str], bool]]:
    """(item, agencies, opening, opening_is_extra) for the items of an implementation section,
    descending through sub-headings that are not agencies ('1. Phân công nhiệm vụ'). The agencies are
    the item's heading ('1. Sở Tài chính:'), or the subject its text opens with ('- Sở Nội vụ hướng
    dẫn …'), and then `opening` is the rest of that first sentence (it stands for the first task).
    A heading that runs on into its first task ('3. Sở Y tế chủ trì, phối hợp với …') gives its
    agencies, and the rest is one more task text (`opening_is_extra`)."""
    out = []
    for child in node.children:
        heading = child.heading or ""
        if heading and agencies.starts_like_agency(_without_request(heading)):
            wrapped = _name_wrapped(heading, child.text)
            if wrapped:
                out.append((child, wrapped[0], wrapped[1], False))
                continue
            split = agencies.heading_subject(heading)
            if split:
                out.append((child, split[0], split[1], True))
            else:
                out.append((child, heading, None, False))
            continue
        subject = None if heading else agencies.leading_subject(child.text) or _colon_subject(child.text)
        if subject and _describes(squash(child.text)[:len(subject) + 40]):
            continue            # 'Trung tâm … là tổ chức hành chính thuộc …': a description, not a task
        if subject:
            out.append((child, subject, squash(child.text)[len(subject):].lstrip(" ,:"), False))
        elif child.kind not in ("dash", "plus"):
            out.extend(_agency_items(child))
    return out


def _label_value(dt: DocText, index: int, at: int) -> tuple[str, int]:
    """The value of an 'Đơn vị phối hợp: …' line with the lines it wraps onto (up to ';' or '.', a
    blank line or the next item): '… các cơ sở khám' / 'bệnh, chữa bệnh.'."""
    ln = dt.lines[index]
    parts, end = [ln.text[at:]], ln.end
    for nxt in dt.lines[index + 1:index + 4]:
        if re.search(r"[;.]\s*$", parts[-1]) or nxt.blank or sections.classify(nxt.text) or _LABEL_RE.match(fold(nxt.text)):
            break
        parts.append(nxt.text)
        end = nxt.end
    return squash(" ".join(parts)), end


def _describes(opening: str) -> bool:
    f = fold(opening)
    return any(f" {fold(v)} " in f" {f} " for v in tables.lexicon()["description_verbs"])


def _colon_subject(text: str) -> Optional[str]:
    """'Các cơ quan, đơn vị, địa phương thuộc tỉnh: Căn cứ …' → the agencies before the colon (an
    item whose heading ran on too long for the section parser to take it as one)."""
    head, sep, _ = squash(text).partition(":")
    if not sep or len(head.split()) > 25 or re.search(r"[;.]", head):
        return None
    bare = _without_request(head)
    return head if agencies.starts_like_agency(bare) and not agencies.is_bare_head(bare) else None


def _addressed_items(nodes: list[Node]) -> Optional[Node]:
    """A letter's numbered items, or a decision's article items, when they stand in for TỔ CHỨC THỰC
    HIỆN: with no such section, the top-level '1.', '2.' … and each article's items, where at least
    two and at least a third of them are addressed to agencies ('1. Sở Y tế chủ trì …', '- Phòng Y tế
    chủ trì, phối hợp …'); an article describing a body ('1. Trung tâm … có chức năng …') is not."""
    groups = [[n for n in nodes if n.kind == "arabic"]] + [n.children for n in nodes if n.kind == "article"]
    chosen = [item for items in groups if len(items) >= 2
              for found in [_agency_items(_root_of(items))] if len(found) >= 2 and 3 * len(found) >= len(items)
              for item in items]
    return _root_of(chosen) if chosen else None


def _root_of(items: list[Node]) -> Node:
    return Node(kind="roman", marker="", heading=None, start=items[0].start, end=items[-1].end,
                first_line=items[0].first_line, children=items)


def _name_wrapped(heading: str, text: str) -> Optional[tuple[str, str]]:
    """(agencies, rest of the first sentence) when the item's line broke inside the agency name, so
    that the parsed heading holds only its start: a bare head ('1. Giao Sở' / 'Nông nghiệp và Môi
    trường là cơ quan đầu mối, chủ trì …') or a name going on in lowercase ('2. Sở Giáo dục' / 'và
    Đào tạo chủ trì …') or by at most two capitalized words before the verb ('3. Bộ Tư lệnh' /
    'Thành phố chủ trì, …')."""
    bare = agencies.is_bare_head(_without_request(heading))
    if not text or re.search(r"[:.;]\s*$", heading):
        return None
    joined = squash(f"{heading} {text}")
    subject = agencies.leading_subject(joined)
    if not subject or len(subject) <= len(squash(heading)):
        return None
    extra = subject[len(squash(heading)):].split()
    if not (bare or text.lstrip()[:1].islower() or (len(extra) <= 2 and all(w[:1].isupper() for w in extra))):
        return None        # a capitalized next line is a sentence of its own, unless a short name part ('Thành phố')
    return subject, joined[len(subject):].lstrip(" ,")


def _subject_before(text: str, lo: int, at: int) -> list[tuple[str, int, int]]:
    """The agency a sentence opens with, right before its 'chủ trì' ('Phòng Kế hoạch - Tài chính chủ
    trì, phối hợp …'): for names the gazetteer does not know."""
    start = max((text.rfind(c, lo, at) for c in ".;:\n"), default=-1) + 1
    start = max(start, lo)
    name = text[start:at].strip(" ,-–\n")
    if not name or len(name.split()) > 10 or not name[0].isupper() or not agencies.starts_like_agency(name) \
            or agencies.is_bare_head(name):
        return []
    s0 = text.find(name, start, at)
    return [(name, s0, s0 + len(name))]


def _support_from(doc: Doc, dt: DocText, start: int, end: int) -> list[tuple[str, int, int]]:
    """Agencies named in the 'phối hợp với …' clauses of text[start:end]: the clause split into
    agency names (each must start like one: a head word or a gazetteer name); gazetteer agencies
    inside a part that does not start like one ('các đơn vị như Sở Y tế') still count."""
    found = []
    span = dt.text[start:end]
    accented = fold(span) != span.lower()
    for m in _coord_re(accented).finditer(span.lower() if accented else fold(span)):
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
                name = agencies.trim_group(part)
                found.append((name, p0, p0 + len(name)))
                continue
            found.extend((e.text, e.start_char, e.end_char) for e in ents)
            if not (ents and agencies.is_group(ents[-1].text)):    # 'các sở, ngành, địa phương' is one group
                found.extend(_generic_bodies(dt.text, ents[-1].end_char if ents else p0, p1))
    return found


def _generic_bodies(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Lowercase bodies in a comma list ('Sở Y tế, địa phương'; 'lực lượng chức năng, lực lượng tại
    chỗ hỗ trợ …'), each cut where its name ends."""
    found = []
    pos = start
    for piece in text[start:end].split(","):
        lead = len(piece) - len(piece.lstrip())
        name = agencies.generic_body(piece) if piece.strip() else None
        if piece.strip() and not name:
            break                      # the list of names is over
        if name:      # as printed, capitalized: 'Cơ quan báo chí', not the group 'Các cơ quan báo chí'
            found.append((name[:1].upper() + name[1:], pos + lead, pos + lead + len(name)))
        pos += len(piece) + 1
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

    impl = sections.find(nodes, tables.lexicon()["implementation_headings"]) or _addressed_items(nodes)
    if impl is not None:
        for item, heading, opening, extra in _agency_items(impl):
            tasks = _tasks_of(item, dt, year)
            texts = [t.text for t in tasks]
            if opening is not None and extra and texts and not item.children:
                texts = [f"{opening} {texts[0]}"] + texts[1:]      # the heading's sentence goes on below it
            elif opening is not None:
                texts = [opening] + (texts if extra else texts[1:])
            role = _role(heading, texts)
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
        before = [(e.text, e.start_char, e.end_char) for e in nlp.agency_spans(doc, max(lo, at - 120), at)
                  if not dt.text[e.end_char:at].strip(" ,")] or _subject_before(dt.text, max(lo, at - 120), at)
        if before:
            add(*before[-1][:1], "lead", [], "coordination", before[-1][1:], 0.7)

    # 'phối hợp (với) <agencies>' anywhere else in the body: the named bodies support
    for s0_, s1_ in ((lo, skip[0]), (skip[1], hi)) if impl is not None else ((lo, hi),):
        for text, s0, s1 in _support_from(doc, dt, s0_, s1_):
            add(text, "support", [], "coordination", (s0, s1), 0.6)

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
        rest, end = _label_value(dt, ln.index, m.end())
        names = [n for chunk in re.sub(r"[;.]\s*$", "", rest).split(";") for n in agencies.split_agencies(chunk)]
        for name in names:
            add(name, role, [], "lead_support_line", (ln.start + m.end(), end), 0.9)
    return list(out.values())
