"""Which items of an implementation section are addressed to which agencies.

An item names its agencies in its heading ('1. Sở Tài chính:'), or opens its text with them ('- Sở
Nội vụ hướng dẫn …', 'Các cơ quan, đơn vị …: Căn cứ …'), after an opener ('Đề nghị …', 'Giao …').
Printed lines break anywhere, so a heading may hold only the start of a name, or run on into the
first task. Without a TỔ CHỨC THỰC HIỆN section, a letter's numbered items or a decision's article
items stand in for it when enough of them are addressed to agencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from pipeline.structure import agencies, names, tables
from pipeline.structure.sections import Node
from pipeline.structure.text import fold, squash


@dataclass(frozen=True)
class AgencyItem:
    node: Node
    agencies: str                 # the printed agencies, with their opener ('Đề nghị Ủy ban MTTQ tỉnh, …')
    opening: Optional[str] = None  # the rest of the sentence that names them: it stands for the first task
    opening_is_extra: bool = False  # … or comes before the item's own tasks (a heading run on into its task)


def without_opener(heading: str) -> str:
    """'Đề nghị Ủy ban MTTQ tỉnh …' → 'Ủy ban MTTQ tỉnh …', 'Giao Sở …' → 'Sở …': the agencies."""
    n = names.opener_words(heading)
    return " ".join(squash(heading).split(" ")[n:]) if n else heading


def agency_items(node: Node) -> list[AgencyItem]:
    """The items of an implementation section addressed to agencies, descending through
    sub-headings that are not agencies ('1. Phân công nhiệm vụ'). The agencies are the item's heading
    ('1. Sở Tài chính:'), or the subject its text opens with ('- Sở Nội vụ hướng dẫn …'), and then
    `opening` is the rest of that first sentence (it stands for the first task). A heading that runs
    on into its first task ('3. Sở Y tế chủ trì, phối hợp với …') gives its agencies, and the rest is
    one more task text (`opening_is_extra`). An item that describes a body assigns nothing."""
    out = []
    for child in node.children:
        subject = None if child.heading else names.leading_subject(child.text) or _colon_subject(child.text)
        if subject and _describes(squash(child.text)[:len(subject) + 40]):
            continue            # 'Trung tâm … là tổ chức hành chính thuộc …': a description, not a task
        item = _from_heading(child) if child.heading else (
            AgencyItem(child, subject, squash(child.text)[len(subject):].lstrip(" ,:")) if subject else None)
        if item:
            out.append(item)
        elif child.kind not in ("dash", "plus"):
            out.extend(agency_items(child))
    return out


def _from_heading(child: Node) -> Optional[AgencyItem]:
    heading = child.heading or ""
    named = without_opener(heading).strip()
    if named and not names.starts_like_agency(named):
        return None
    wrapped = _name_wrapped(heading, child.text)
    if wrapped:
        return AgencyItem(child, *wrapped)
    if not named:              # '8. Đề nghị' / 'Liên minh Hợp tác xã tỉnh, …' with the tasks below
        names_alone = child.children and names.starts_like_agency(child.text) and not re.search(r"[;.:]", child.text)
        return AgencyItem(child, f"{heading} {squash(child.text)}") if names_alone else None
    split = names.heading_subject(heading)
    return AgencyItem(child, split[0], split[1], True) if split else AgencyItem(child, heading)


def _name_wrapped(heading: str, text: str) -> Optional[tuple[str, str]]:
    """(agencies, rest of the first sentence) when the item's line broke inside the agency name, so
    that the parsed heading holds only its start: a bare head ('1. Giao Sở' / 'Nông nghiệp và Môi
    trường là cơ quan đầu mối, chủ trì …') or a name going on in lowercase ('2. Sở Giáo dục' / 'và
    Đào tạo chủ trì …') or by a few capitalized words before the verb ('3. Bộ Tư lệnh' / 'Thành phố
    chủ trì, …', 'Ngân hàng nhà nước Việt' / 'Nam - Chi nhánh Khu vực II Chủ trì …'), or after an
    opener alone ('8. Đề nghị' / 'Liên minh Hợp tác xã tỉnh, …')."""
    bare = names.is_bare_head(without_opener(heading)) or not without_opener(heading).strip()
    if not text or re.search(r"[:.;]\s*$", heading):
        return None
    joined = squash(f"{heading} {text}")
    subject = names.leading_subject(joined)
    if not subject or len(subject) <= len(squash(heading)):
        return None
    extra = subject[len(squash(heading)):].split()
    name_part = len(extra) <= 6 and all(w[:1].isupper() or w[:1].isdigit() or w in "-–" for w in extra)
    if not (bare or text.lstrip()[:1].islower() or name_part):
        return None        # a capitalized next line is a sentence of its own, unless the rest of a name ('Thành phố')
    return subject, joined[len(subject):].lstrip(" ,")


def _colon_subject(text: str) -> Optional[str]:
    """'Các cơ quan, đơn vị, địa phương thuộc tỉnh: Căn cứ …' → the agencies before the colon (an
    item whose heading ran on too long for the section parser to take it as one)."""
    head, sep, _ = squash(text).partition(":")
    if not sep or len(head.split()) > 25 or re.search(r"[;.]", head):
        return None
    bare = without_opener(head)
    return head if names.starts_like_agency(bare) and not names.is_bare_head(bare) else None


def _describes(opening: str) -> bool:
    f = fold(opening)
    return any(f" {fold(v)} " in f" {f} " for v in tables.lexicon()["description_verbs"])


def addressed_items(nodes: list[Node]) -> Optional[Node]:
    """A letter's numbered items, or a decision's article items, when they stand in for TỔ CHỨC THỰC
    HIỆN: with no such section, the top-level '1.', '2.' … and each article's items, where at least
    two and at least a third of them are addressed to agencies ('1. Sở Y tế chủ trì …', '- Phòng Y tế
    chủ trì, phối hợp …'); an article describing a body ('1. Trung tâm … có chức năng …') is not."""
    groups = [[n for n in nodes if n.kind == "arabic"]] + [n.children for n in nodes if n.kind == "article"]
    chosen = [item for items in groups if len(items) >= 2
              for found in [agency_items(_root_of(items))] if len(found) >= 2 and 3 * len(found) >= len(items)
              for item in items]
    return _root_of(chosen) if chosen else None


def _root_of(items: list[Node]) -> Node:
    return Node(kind="roman", marker="", heading=None, start=items[0].start, end=items[-1].end,
                first_line=items[0].first_line, children=items)
