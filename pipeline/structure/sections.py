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
    ("roman", re.compile(r"^(?P<m>[IVX]{1,5})\s*[.)]\s*(?=\S|$)")),   # 'III.' alone: the heading is on the next line
    ("arabic_nested", re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")),
    ("arabic", re.compile(r"^(?P<m>\d{1,2})\s*[.)]\s*(?=[^\d\s]|$)")),
    ("letter", re.compile(rf"^(?P<m>[{LETTERS}])\s*\)\s*(?=\S)")),
    ("dash", re.compile(r"^(?P<m>[-–—•])\s*(?=\S)")),
    ("plus", re.compile(r"^(?P<m>\+)\s*(?=\S)")),
]
HEADING_MAX_WORDS = {"chapter": 24, "roman": 24, "article": 24, "arabic": 24, "arabic_nested": 24, "letter": 14}
SHORT_TAIL_WORDS = 6
ROMAN_SENTENCE_HEADING_WORDS = 6
# a heading wrapped over lines may grow longer than one line holds (normative article titles)
WRAPPED_HEADING_MAX_WORDS = {"article": 64}
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
    m = _OCR_ROMAN.match(t)
    if m and _caps(t[m.end():]):
        # an all-caps heading under a Roman numeral OCR misread: 'H.' for 'II.', 'Il.' / '1I.' for 'II.'
        return "roman", m.group("m").replace("H", "II").replace("l", "I").replace("1", "I"), indent + m.end()
    return None


_OCR_ROMAN = re.compile(r"^(?P<m>(?=[IVXHl1]*[Hl1])[IVXHl1]{1,4})\s*[.)]\s*(?=[A-ZĐÀ-Ỹ])")
_ROMAN_VALUES = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def repair_roman_sequence(nodes: list["Node"]) -> None:
    """Top-level Roman numerals run I, II, III …: one OCR misread between good neighbours ('I, II,
    II, IV' or 'I, H, III') takes the value the sequence says. Only where the next numeral confirms
    it and the reading could be a misread (unknown, or the wanted numeral with an 'I' lost): a
    numeral printed twice ('IV. PHÂN CÔNG …', 'IV. TỔ CHỨC …') stays as printed."""
    romans = [n for n in nodes if n.kind == "roman"]
    vals = [_ROMAN_VALUES.index(n.marker) if n.marker in _ROMAN_VALUES else -1 for n in romans]

    def misread(marker: str, value: int) -> bool:       # unknown, or the numeral with one 'I' lost
        if value >= len(_ROMAN_VALUES):
            return False
        wanted = _ROMAN_VALUES[value]
        return marker not in _ROMAN_VALUES or any(wanted[:i] + wanted[i + 1:] == marker
                                                  for i, c in enumerate(wanted) if c == "I")

    for k, n in enumerate(romans):
        want = (vals[k - 1] if k else -1) + 1
        if vals[k] == want or want >= len(_ROMAN_VALUES) or k + 1 >= len(romans):
            continue
        nxt = romans[k + 1].marker
        confirmed = vals[k + 1] == want + 1 or misread(nxt, want + 1)     # 'I, I, II, IV': two in a row
        if confirmed and misread(n.marker, want):
            n.marker, vals[k] = _ROMAN_VALUES[want], want


_NOISE_TAIL = re.compile(r"(?<=[.;:!?])(?:\s+[^\w\s]{1,2})+\s*$")
_CAPS_JUNK_TAIL = re.compile(r"(?:\s+[^\W\d_]{1,3}|\s+[^\w\s]{1,2})+\s*$")
_LINE_END_DASH = re.compile(r"\s+[-–]\s*$")


def strip_noise(text: str) -> str:
    """A line without OCR specks after its last punctuation ('… tháo gỡ. :' → '… tháo gỡ.')."""
    return _NOISE_TAIL.sub("", text.strip())


def _caps_heading_clean(text: str) -> str:
    """An all-caps heading without a speck read as a short lowercase word at its end ('KINH PHÍ nổ')."""
    m = _CAPS_JUNK_TAIL.search(text)
    if m and _caps(text[: m.start()]) and not _caps(m.group(0)):
        return text[: m.start()]
    return text


def split_heading(kind: str, rest: str) -> tuple[Optional[str], str]:
    """Heading and text of an item: the part before ':' when short, or the whole short line."""
    rest = strip_noise(rest)
    if _caps(rest):
        rest = _caps_heading_clean(rest)
    if kind not in _HEADED_KINDS:
        return None, rest
    colon = rest.find(":")
    limit = HEADING_MAX_WORDS[kind]
    if kind == "article" and (";" in rest[:colon if colon > 0 else None] or _opens_with_head_title(rest)):
        return None, rest        # 'Điều 3. Chánh Văn phòng UBND tỉnh; Giám đốc …': a sentence, no title
    if 0 < colon <= 120 and len(rest[:colon].split()) <= limit:
        return rest[:colon].strip(), rest[colon + 1:].strip()
    if rest and len(rest.split()) <= limit and not rest.endswith((".", ";", ",", "./.")):
        return rest, ""
    if rest and len(rest.split()) <= limit and rest.endswith(",") and _caps(rest):
        return rest, ""          # 'I. MỤC ĐÍCH,' / 'YÊU CẦU': an all-caps heading wrapped after a comma
    if kind in ("chapter", "roman") and rest.endswith(".") and 0 < len(rest.split()) <= ROMAN_SENTENCE_HEADING_WORDS:
        return rest.rstrip(". "), ""   # 'IV. Tổ chức thực hiện.': a part's heading, closed by a full stop
    return None, rest


def _opens_with_head_title(text: str) -> bool:
    """'Chánh Văn phòng …', 'Giám đốc …', 'Thủ trưởng …': an execution clause starts so, a title never does."""
    from pipeline.structure import tables
    return (fold(text) + " ").startswith(tuple(fold(t) + " " for t in tables.lexicon()["head_titles"] if t[0].isupper()))


def _hanging_heading(kind: str, rest: str) -> bool:
    """'2. Đề nghị các cấp ủy Đảng,' / '… tỉnh: Phối hợp …': a short first line cut at a connector may
    be a heading that the next line finishes with a colon."""
    rest = rest.strip()
    return kind in _HEADED_KINDS and 0 < len(rest.split()) <= HEADING_MAX_WORDS[kind] and _hangs(rest)


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _hangs(heading: str) -> bool:
    """A heading cut at a connector ('… Thể thao và', '… cấp ủy Đảng,'): the next line continues it."""
    from pipeline.structure import tables
    from pipeline.structure.names import is_bare_head
    words = fold(heading).rstrip().split()
    if is_bare_head(heading):
        return True        # '1. Sở' / 'Khoa học và Công nghệ': an agency head never ends a heading
    return heading.rstrip().endswith((",", "-")) or bool(words) and words[-1] in {fold(w) for w in tables.lexicon()["heading_connectors"]}


AGENCY_TAIL_WORDS = 8     # an agency heading cut at 'và' runs on over this many words ('… xây dựng và' / 'kinh doanh hạ tầng Khu công nghiệp')


def _names_agency(heading: str) -> bool:
    from pipeline.structure.names import starts_like_agency
    return bool(heading) and not heading.rstrip().endswith(":") and starts_like_agency(heading)


def _name_tail(line: str) -> bool:
    """A short line of Capitalized words and no closing mark: the end of a wrapped name."""
    words = line.split()
    return 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and not line.rstrip().endswith((".", ";", ":", ","))


_COLON_SOON = re.compile(r"^([^:.;]{1,80}?):\s*")


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
    awaiting_heading: bool = False   # the marker stood alone ('Điều 3.' / 'Phân cấp …'): the next line heads it
    provisional: bool = False        # the heading hangs at a connector: kept only if the next line ends it with ':'

    @property
    def level(self) -> int:
        return _LEVELS[self.kind]

    @property
    def text(self) -> str:
        return "\n".join(squash(p) for p in self.paragraphs if p.strip())

    def add_line(self, text: str, end: int) -> None:
        t = strip_noise(text)
        if not t:
            return
        if self.awaiting_heading:
            self.awaiting_heading = False
            self.heading, rest = split_heading(self.kind, t)
            self.last_line_closed = bool(self.heading) and t.endswith(":")
            if rest:
                self.add_line(rest, end)
            self.end = max(self.end, end)
            return
        soon = _COLON_SOON.match(t)
        if (self.kind == "article" and self.heading and len(self.heading.split()) == 1 and not self.paragraphs
                and not self.last_line_closed and not self.provisional and t[0].isupper() and classify(t) is None):
            # 'Điều 3. Chánh' / 'Văn phòng UBND tỉnh; …': an untitled article whose sentence wrapped after a word
            self.paragraphs, self.heading = [f"{self.heading} {t}"], None
            self.end = max(self.end, end)
            return
        if self.provisional:
            # a first line cut at a connector: a heading if the next line ends it with a colon or is a
            # short tail ('… Thể thao và' / 'Truyền thông'); else the start of a sentence
            self.provisional = False
            limit = HEADING_MAX_WORDS.get(self.kind, 0)
            colon_ends = soon and len((self.heading + " " + soon.group(1)).split()) <= limit
            short_tail = not soon and not t.endswith((".", ";")) and (
                len(t.split()) <= SHORT_TAIL_WORDS or (_caps(self.heading) and _caps(t))
                or (len(t.split()) <= AGENCY_TAIL_WORDS and _names_agency(self.heading)))
            if not (colon_ends or short_tail):
                self.paragraphs, self.heading = [self.heading], None
                self.last_line_closed = False
                self.add_line(t, end)
                return
        if self.heading is not None and not self.paragraphs and not self.last_line_closed and (
                t[0].islower() or t[0] == "(" or t[0].isdigit() or (_caps(self.heading) and _caps(t))):
            self.heading = squash(f"{self.heading} {t}").rstrip(":").strip()   # wrapped heading
            limit = WRAPPED_HEADING_MAX_WORDS.get(self.kind, HEADING_MAX_WORDS.get(self.kind, 0))
            sentence = t.endswith((".", ";", "./.")) or (t.endswith(":") and len(self.heading.split()) > HEADING_MAX_WORDS.get(self.kind, 0))
            if len(self.heading.split()) > limit or sentence:
                self.paragraphs, self.heading = [self.heading], None          # a sentence, not a heading
        elif (self.heading is not None and not self.paragraphs and not self.last_line_closed
              and _name_tail(t) and _names_agency(self.heading)):   # the gazetteer look-up last: it costs
            # '2. Ban Quản lý Khu kinh tế' / 'Đông Nam': a proper name wrapped before its last words
            self.heading = squash(f"{self.heading} {t}")
        elif (self.heading is not None and not self.paragraphs and not self.last_line_closed and _hangs(self.heading)
              and not soon and len((self.heading + " " + t).split()) <= HEADING_MAX_WORDS.get(self.kind, 0)
              and not t.endswith((".", ";"))):
            # 'Phòng Văn hóa và Thông tin, Trung tâm Văn hóa - Thể thao và' / 'Truyền thông'
            self.heading = squash(f"{self.heading} {t}").rstrip(":").strip()
            self.last_line_closed = t.endswith(":")
        elif (self.heading is not None and not self.paragraphs and not self.last_line_closed and soon
              and _hangs(self.heading)
              and len((self.heading + " " + soon.group(1)).split()) <= HEADING_MAX_WORDS.get(self.kind, 0)):
            # 'Sở Văn hóa, Thể thao và' / 'Du lịch: Phối hợp …': the heading runs on to the colon
            self.heading = squash(f"{self.heading} {soon.group(1)}")
            self.last_line_closed = True
            rest = t[soon.end():]
            if rest:
                self.add_line(rest, end)
            self.end = max(self.end, end)
            return
        elif self.paragraphs and not self.last_line_closed:
            self.paragraphs[-1] += " " + t
        else:
            self.paragraphs.append(t)
        self.last_line_closed = t.endswith((".", ";", ":", "!", "?"))
        self.end = max(self.end, end)

    def to_model(self, dt: DocText) -> Section:
        own_end = self.children[0].start if self.children else self.end
        return Section(marker=self.marker, kind=self.kind, heading=self.heading, text=self.text,
                       children=[c.to_model(dt) for c in self.children],
                       provenance=dt.provenance(self.start, self.end),
                       heading_provenance=_provenance_of(dt, self.heading, self.start, own_end),
                       text_provenance=_provenance_of(dt, self.text, self.start, own_end, after=self.heading))

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def _words_re(words: list[str]) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _provenance_of(dt: DocText, value: Optional[str], lo: int, hi: int, after: Optional[str] = None) -> Optional[Provenance]:
    """Where a heading or an item's own text lies in [lo, hi) of the document: its first and last
    words found across line breaks; page and box come with the span when the text came from pages."""
    words = (value or "").split()
    if not words:
        return None
    if after:
        m = _words_re(after.split()[-3:]).search(dt.text, lo, hi)
        lo = m.end() if m else lo
    first = _words_re(words[:3]).search(dt.text, lo, hi)
    if first is None:
        return None
    last = None
    for last in _words_re(words[-3:]).finditer(dt.text, first.start(), hi):
        pass
    end = last.end() if last is not None and last.end() >= first.end() else first.end()
    return dt.provenance(first.start(), end)


def parse_nodes(dt: DocText, first: int, last: int) -> list[Node]:
    """Item nodes of lines[first:last] (the body between the header and the 'Nơi nhận')."""
    roots: list[Node] = []
    stack: list[Node] = []
    quoted = _quoted_lines(dt, first, last)
    _parse_into(dt, first, last, quoted, roots, stack)
    repair_roman_sequence(roots)
    return roots


def _parse_into(dt: DocText, first: int, last: int, quoted: set[int], roots: list[Node], stack: list[Node]) -> None:
    for ln in dt.lines[first:last]:
        if ln.blank:
            continue
        c = None if ln.index in quoted else classify(ln.text)
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
        provisional = _hanging_heading(kind, heading if heading and not text else text) and (heading is None or not text)
        if provisional and heading is None:
            heading, text = text.strip(), ""
        node = Node(kind, marker, heading, ln.content_start, ln.end, ln.index, provisional=provisional)
        if text:
            node.add_line(text, ln.end)
        else:
            node.last_line_closed = bool(heading and ln.text.rstrip().endswith(":"))
            node.awaiting_heading = heading is None and kind in _HEADED_KINDS   # '1.' alone: the next line heads it
        while stack and stack[-1].level >= node.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        for n in stack:
            n.end = max(n.end, ln.end)
        stack.append(node)


def _quoted_lines(dt: DocText, first: int, last: int) -> set[int]:
    """Lines inside a quotation (“ … ”) other than its first: quoted articles and items of another
    document are not this document's structure."""
    inside, out = False, set()
    for ln in dt.lines[first:last]:
        t = ln.text
        if inside:
            out.add(ln.index)
        opens, closes = t.count("“"), t.count("”")
        if inside and closes > opens:
            inside = False
        elif not inside and opens > closes:
            inside = True
    return out


def first_item_line(dt: DocText, first: int, last: int) -> int:
    """Index of the first line that starts a top-level item (chapter, roman, article, arabic); in a
    letter with none, the first dash item that is not an addressee of 'Kính gửi:'."""
    quoted = _quoted_lines(dt, first, last)
    for ln in dt.lines[first:last]:
        c = None if ln.index in quoted else classify(ln.text)
        if c and c[0] in ("chapter", "roman", "article", "arabic"):
            return ln.index
    addressees = False
    for ln in dt.lines[first:last]:
        if ln.blank:
            continue
        f = fold(ln.text).strip()
        if f.startswith("kinh gui"):
            addressees = True
            continue
        c = None if ln.index in quoted else classify(ln.text)
        if c and c[0] == "dash":
            if not addressees:
                return ln.index
            continue
        addressees = False
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
