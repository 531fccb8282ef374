"""The section tree: Chương → I./Điều → 1. → 1.1. → a) → - → +.

Vietnamese letter items run a b c d đ e g h i k (no f, j, w, z). Lines that start no item
continue the current one: a line that follows a line ending in . ; : ! ? starts a new paragraph,
anything else is a hard wrap and is joined with a space (PDF text layers wrap mid-sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from pipeline.structure.model import Provenance, Section
from pipeline.structure.text import DocText, TextLine, fold, squash

LETTERS = "abcdđeghiklmnopqrstuvxy"
_LEVELS = {"chapter": 0, "roman": 10, "article": 10, "arabic": 20, "arabic_nested": 25, "letter": 30, "dash": 40, "plus": 50}
_PATTERNS = [
    ("chapter", re.compile(r"^(?:Chương|CHƯƠNG)\s+(?P<m>[IVXLC]+|\d+)\b\s*[.:]?\s*")),
    ("article", re.compile(r"^(?:Điều|ĐIỀU)\s+(?P<m>\d{1,3})\s*[.:]\s*")),
    ("roman", re.compile(r"^(?P<m>[IVX]{1,5})\s*[.)]\s*(?=\S)")),
    ("arabic_nested", re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(?P<m>\d{1,2})\s*[.)]\s*(?=[^\d\s])")),
    ("letter", re.compile(rf"^(?P<m>[{LETTERS}])\s*\)\s*(?=\S)")),
    ("dash", re.compile(r"^(?P<m>[-–—•])\s*(?=\S)")),
    ("plus", re.compile(r"^(?P<m>\+)\s*(?=\S)")),
]
HEADING_MAX_WORDS = {"chapter": 24, "roman": 24, "article": 24, "arabic": 24, "arabic_nested": 24, "letter": 14}
_HEADED_KINDS = {"chapter", "roman", "article", "arabic", "arabic_nested", "letter"}


def classify(line: str) -> Optional[tuple[str, str, int]]:
    """(kind, marker, length of the marker prefix) when a line starts a list item."""
    t = line.lstrip()
    indent = len(line) - len(t)
    for kind, rx in _PATTERNS:
        m = rx.match(t)
        if m:
            marker = m.group("m")
            if kind == "article":
                marker = f"Điều {marker}"
            if kind == "dash":
                marker = "-"
            return kind, marker, indent + m.end()
    return None


def split_heading(kind: str, rest: str) -> tuple[Optional[str], str]:
    """Heading and text of an item: the part before ':' when short, or the whole short line."""
    rest = rest.strip()
    if kind not in _HEADED_KINDS:
        return None, rest
    colon = rest.find(":")
    limit = HEADING_MAX_WORDS[kind]
    if 0 < colon <= 120 and len(rest[:colon].split()) <= limit:
        return rest[:colon].strip(), rest[colon + 1:].strip()
    if rest and len(rest.split()) <= limit and not rest.endswith((".", ";", ",", "./.")):
        return rest, ""
    return None, rest


@dataclass
class Node:
    kind: str
    marker: str
    heading: Optional[str]
    start: int
    end: int
    first_line: int
    paragraphs: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    last_line_closed: bool = False

    @property
    def level(self) -> int:
        return _LEVELS[self.kind]

    @property
    def text(self) -> str:
        return "\n".join(squash(p) for p in self.paragraphs if p.strip())

    def add_line(self, text: str, end: int) -> None:
        t = text.strip()
        if not t:
            return
        if self.heading is not None and not self.paragraphs and t[0].islower() and not self.last_line_closed:
            self.heading = squash(f"{self.heading} {t}").rstrip(":").strip()   # wrapped heading
        elif self.paragraphs and not self.last_line_closed:
            self.paragraphs[-1] += " " + t
        else:
            self.paragraphs.append(t)
        self.last_line_closed = t.endswith((".", ";", ":", "!", "?"))
        self.end = max(self.end, end)

    def to_model(self, dt: DocText) -> Section:
        return Section(marker=self.marker, kind=self.kind, heading=self.heading, text=self.text,
                       children=[c.to_model(dt) for c in self.children],
                       provenance=dt.provenance(self.start, self.end))

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def parse_nodes(dt: DocText, first: int, last: int) -> list[Node]:
    """Item nodes of lines[first:last] (the body between the header and the 'Nơi nhận')."""
    roots: list[Node] = []
    stack: list[Node] = []
    for ln in dt.lines[first:last]:
        if ln.blank:
            continue
        c = classify(ln.text)
        if c is None:
            t = ln.text.strip()
            # a capitalized paragraph after a finished bullet belongs to the bullet's parent
            while len(stack) > 1 and stack[-1].kind in ("dash", "plus") and stack[-1].last_line_closed and t[:1].isupper():
                stack.pop()
            if stack:
                stack[-1].add_line(ln.text, ln.end)
                for n in stack:
                    n.end = max(n.end, ln.end)
            continue
        kind, marker, at = c
        heading, text = split_heading(kind, ln.text[at:])
        node = Node(kind, marker, heading, ln.content_start, ln.end, ln.index)
        if text:
            node.add_line(text, ln.end)
        else:
            node.last_line_closed = bool(heading and ln.text.rstrip().endswith(":"))
        while stack and stack[-1].level >= node.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        for n in stack:
            n.end = max(n.end, ln.end)
        stack.append(node)
    return roots


def first_item_line(dt: DocText, first: int, last: int) -> int:
    """Index of the first line that starts a top-level item (chapter, roman, article, arabic)."""
    for ln in dt.lines[first:last]:
        c = classify(ln.text)
        if c and c[0] in ("chapter", "roman", "article", "arabic"):
            return ln.index
    return last


def find(nodes: list[Node], headings: list[str]) -> Optional[Node]:
    """The first node (pre-order) whose heading starts with one of the given headings (folded)."""
    keys = [fold(h) for h in headings]
    for root in nodes:
        for n in root.walk():
            h = fold(squash(n.heading or ""))
            if h and any(h.startswith(k) for k in keys):
                return n
    return None
