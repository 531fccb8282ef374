"""Assignments: who must do what, by when.

Sources: the items of the TỔ CHỨC THỰC HIỆN section, or what stands in for it (`items`: agencies and
tasks; role from the tasks' verbs: chủ trì → lead, only phối hợp → support, 'Đề nghị …' → requested),
the 'phối hợp (với) <agencies>' clauses anywhere in the body and the subject of '… chủ trì, phối
hợp …' (`coordination`), a decision's execution clause (`execution`, role other), and 'Đơn vị chủ
trì: … / Đơn vị phối hợp: …' lines anywhere.
"""

from __future__ import annotations

import re
from typing import Optional

from spacy.tokens import Doc

from pipeline.structure import agencies, coordination, deadlines, execution, items, names, nlp, sections, tables
from pipeline.structure.model import Assignment, Task
from pipeline.structure.sections import Node
from pipeline.structure.text import DocText, fold, squash

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
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
    if any(v.startswith("chu tri") for v in verbs) or any(re.search(r"duoc giao chu tri|, chu tri\b", fold(t)) for t in texts):
        return "lead"             # '… được giao chủ trì tại Phụ lục', 'Là cơ quan thường trực Ban Chỉ huy …, chủ trì, …'
    if verbs and all(v.startswith("phoi hop") for v in verbs):
        return "support"          # only 'phối hợp': a task of its own ('…; hướng dẫn …') makes it other
    return "other"


def _own_role(name: str, texts: list[str], role: str) -> str:
    """One agency of an item that names several: lead where a task says that it chủ trì ('Phòng Kinh
    tế và Hạ tầng chủ trì, phối hợp …'), else the item's role."""
    key = fold(name) + " chu tri"
    return "lead" if role != "requested" and any(fold(t).startswith(key) for t in texts) else role


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

    impl = sections.find(nodes, tables.lexicon()["implementation_headings"]) or items.addressed_items(nodes)
    done: list[tuple[int, int]] = []          # the items read as addressed to agencies
    if impl is not None:
        for found in items.agency_items(impl):
            item, heading, opening, extra = found.node, found.agencies, found.opening, found.opening_is_extra
            done.append((item.start, item.end))
            tasks = _tasks_of(item, dt, year)
            texts = [t.text for t in tasks]
            if opening is not None and extra and texts and not item.children:
                texts = [f"{opening} {texts[0]}"] + texts[1:]      # the heading's sentence goes on below it
            elif opening is not None:
                texts = [opening] + (texts if extra else texts[1:])
            role = _role(heading, texts)
            bare = items.without_opener(heading)
            h0 = dt.text.find(bare[:20], item.start, item.end + 1)
            h0 = h0 if h0 >= 0 else item.start
            printed = names.split_agencies(bare)
            own = {fold(agencies.normalize(n, doc_date).name) for n in printed}
            for name in printed:
                own_role = _own_role(name, texts, role) if len(printed) > 1 else role
                add(name, own_role, tasks, "implementation_section", (h0, h0 + len(bare)), 0.9 if own_role != "other" else 0.7)
            for text, s0, s1 in coordination.support_from(doc, dt, item.start, item.end):
                if fold(agencies.normalize(text, doc_date).name) not in own:
                    task = next((t for t in tasks if t.provenance.span and t.provenance.span[0] <= s0 <= t.provenance.span[1]), None)
                    add(text, "support", [task] if task else [], "coordination", (s0, s1), 0.8)

    def outside(at: int) -> bool:
        return not any(a <= at <= b for a, b in done)

    # '<agency> chủ trì, phối hợp với <agencies>' outside those items
    lo, hi = body
    for m in re.finditer(r"chu\s+tri\s*,?\s*(?=phoi\s+hop)", fold(dt.text[lo:hi])):
        at = lo + m.start()
        if not outside(at):
            continue
        before = [(e.text, e.start_char, e.end_char) for e in nlp.agency_spans(doc, max(lo, at - 120), at)
                  if not dt.text[e.end_char:at].strip(" ,")] or coordination.subject_before(dt.text, max(lo, at - 120), at)
        if before:
            name, s0, s1 = before[-1]
            add(name, "lead", [], "coordination", (s0, s1), 0.7)

    # 'phối hợp (với) <agencies>' anywhere else in the body: the named bodies support
    for text, s0, s1 in coordination.support_from(doc, dt, lo, hi):
        if outside(s0):
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
        printed = [n for chunk in re.sub(r"[;.]\s*$", "", rest).split(";") for n in names.split_agencies(chunk)]
        for name in printed:
            add(name, role, [], "lead_support_line", (ln.start + m.end(), end), 0.9)
    return list(out.values())
