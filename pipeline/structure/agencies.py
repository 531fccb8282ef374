"""Which body a printed agency name stands for: head titles dropped, abbreviations written out, the
gazetteer's name, id, level and validity dates (the 2025 reorganization merged departments and ended
the district level), or the printed name tidied where the gazetteer does not know it. Where names
begin and end in running text is `names`."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from pipeline.structure import names, nlp, tables
from pipeline.structure.model import Agency
from pipeline.structure.text import NAME_TRAIL as TRAIL, fold, squash



@lru_cache(maxsize=2)
def _title_re(accented: bool) -> re.Pattern:
    """Head titles at the start of a name: as printed where the text has marks ('Trưởng' is a title,
    'Trường' a school), folded where it has none."""
    form = (lambda t: t.lower()) if accented else fold
    titles = sorted((form(t) for t in tables.lexicon()["head_titles"]), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(t) for t in titles) + r")\s+")


def body_of(name: str) -> str:
    """The body a head-of-agency title names: 'Chánh Văn phòng UBND tỉnh' → 'Văn phòng UBND tỉnh',
    'Thủ trưởng các sở, ban ngành' → 'các sở, ban ngành', 'Giám đốc Sở Y tế' → 'Sở Y tế'."""
    name = squash(name)
    accented = fold(name) != name.lower()
    m = _title_re(accented).match(name.lower() if accented else fold(name))
    if not m:
        return name
    title = fold(name[: m.end()]).split()
    cut = 1 if title[0] == "chanh" else m.end()       # 'Chánh Văn phòng' keeps 'Văn phòng'
    if cut == 1:
        cut = len(name.split()[0]) + 1
    rest = name[cut:].lstrip()
    if title[0] == "truong" and len(title) == 1:     # 'Trưởng ban Dân tộc' → 'Ban Dân tộc'
        rest = rest[:1].upper() + rest[1:]
    return rest or name


@lru_cache(maxsize=1)
def _normalizer():
    from underthesea import text_normalize  # loaded once, only when an unknown name needs it
    return text_normalize


def tidy_name(printed: str) -> str:
    """An unknown agency name: tone marks in modern placement (underthesea), first letter capital."""
    words = squash(printed).strip(TRAIL).split(" ")
    norm = _normalizer()
    words = [norm(w) if w.isalpha() else w for w in words]
    name = " ".join(words)
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=1)
def _spellings() -> tuple[re.Pattern, dict[str, str]]:
    """Every gazetteer name and alias by its folded form (longest first), to respell OCR-damaged ones."""
    table: dict[str, str] = {}
    for a in tables.agencies():
        for phrase in [a["name"], *a.get("aliases", [])]:
            table.setdefault(fold(phrase), phrase)
    alts = "|".join(re.escape(f) for f in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)"), table


def respell(text: Optional[str]) -> Optional[str]:
    """Diacritics of known agency names restored from the gazetteer, case kept ('Ủy ban nhân dần
    huyện' → 'Ủy ban nhân dân huyện', 'ỦY BAN NHẦN DÂN' → 'ỦY BAN NHÂN DÂN'); other words untouched."""
    if not text:
        return text
    rx, table = _spellings()
    out = list(text)
    for m in rx.finditer(fold(text)):
        for k, p in enumerate(table[m.group(0)]):
            c = out[m.start() + k]
            out[m.start() + k] = p.upper() if c.isupper() else p.lower() if c.islower() else c
    return "".join(out)


def level_of_head(name: str) -> Optional[str]:
    """Level of an agency the gazetteer does not list, from its head ('Sở …' province, 'Phòng …' district)."""
    f = fold(squash(name))
    for head, level in _head_levels():
        if f == head or f.startswith(head + " "):
            return level
    return None


@lru_cache(maxsize=1)
def _head_levels() -> list[tuple[str, Optional[str]]]:
    rows = tables.load("agencies").get("head_levels", [])
    return sorted(((fold(r["head"]), r["level"]) for r in rows), key=lambda x: len(x[0]), reverse=True)


def _valid_on(entry: dict, date: Optional[str]) -> Optional[bool]:
    if not date or not (entry.get("valid_from") or entry.get("valid_to")):
        return None if not date else True
    if entry.get("valid_to") and date[: len(entry["valid_to"])] > entry["valid_to"][: len(date)]:
        return False
    if entry.get("valid_from") and date[: len(entry["valid_from"])] < entry["valid_from"][: len(date)]:
        return False
    return True


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern, dict[str, str]]:
    table = tables.lexicon()["name_abbreviations"]
    alts = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)"), table


def _expand_abbreviations(name: str) -> str:
    """'UBND các xã, phường' → 'Ủy ban nhân dân các xã, phường': names are compared written out."""
    rx, table = _abbreviations()
    return rx.sub(lambda m: table[m.group(0)], name)


LEVELS = "tỉnh|thành phố|huyện|thị xã|xã|phường|đặc khu"      # the words that name an administrative level
_MEMBERS = re.compile(r"\s*\([^()]*\)\s*$")
_ENDS_WITH_LEVEL = re.compile(rf"\s(?:{LEVELS})$", re.I)
LEVEL_AFTER = re.compile(rf"\s+({LEVELS})\b")     # a level word printed right after a name
_LEVEL_END = re.compile(rf"\s+(?:{LEVELS})$")
_LOCATIVE = re.compile(r"\s+(?:đóng\s+)?trên địa bàn\b.*$")
_LIST_INTRO = re.compile(r"\s+(?:như|gồm)\s*:?$")       # 'Ủy ban nhân dân các tỉnh như: …'


def _narrower(rest: str) -> bool:
    """Whether lowercase words after a known name make it a narrower body (not a level, a place, or a
    qualifier such as 'liên quan')."""
    tail = rest.strip(" ,.;:")
    if not tail or not tail[0].islower() or fold(tail).startswith(("thuoc ", "truc thuoc ", "cua ", "cap ")):
        return False          # '… thuộc Ủy ban nhân dân tỉnh', '… cấp tỉnh': whose, not which
    tail = _LEVEL_END.sub("", " " + tail).strip()
    tail = LEVEL_AFTER.sub("", " " + tail).strip() if LEVEL_AFTER.match(" " + tail) else tail
    qualifiers = {fold(q) for q in tables.lexicon()["body_qualifiers"]}
    return bool(tail) and fold(tail) not in qualifiers and not tail[0].isupper()


def normalize(printed: str, doc_date: Optional[str] = None) -> Agency:
    """The agency a printed name stands for: the gazetteer's name where the gazetteer knows it; the
    printed name (tidied, members in brackets dropped: 'các nhà mạng (Viettel, VNPT)') where it does
    not, where the known body is one member of a list, or where a proper name follows the known one
    ('Ban Quản lý Khu kinh tế Đông Nam': the gazetteer's id and level are kept)."""
    printed = squash(printed).strip(TRAIL)
    plain = _expand_abbreviations(_MEMBERS.sub("", body_of(printed)) or printed)
    plain = _LIST_INTRO.sub("", plain) or plain
    if names.is_group(plain) or plain[:1].islower():
        plain = _LOCATIVE.sub("", plain) or plain    # 'các đơn vị điện lực trên địa bàn tỉnh': the group
    if plain[:1].islower() and names.is_group("các " + plain):
        plain = "các " + plain     # 'cơ quan, đơn vị có liên quan chịu trách nhiệm …': the group, as 'các …'
    hit = nlp.lookup_agency_span(plain)
    entry = hit[0] if hit else None
    rest = plain[hit[1]:] if hit else ""
    if hit and re.match(r"\s*(?:,|và\s)\s*\w", rest):
        entry = None       # 'các sở, ngành, địa phương': the known group is one member of a list
    if entry is None:
        return Agency(name=tidy_name(plain), printed=printed, level=level_of_head(plain), valid_on_document_date=None)
    successor = nlp.gazetteer_entry(entry["successor"])["name"] if entry.get("successor") else None
    place_named = bool(_ENDS_WITH_LEVEL.search(plain[:hit[1]]))     # '… tỉnh Đồng Nai': the place, not a name
    name = tidy_name(plain) if rest.strip()[:1].isupper() and not place_named else entry["name"]
    if _narrower(rest):           # 'các đoàn thể chính trị - xã hội huyện' is not all 'Các Hội, đoàn thể'
        name = tidy_name(_LEVEL_END.sub("", plain))
    level = LEVEL_AFTER.match(rest) if entry.get("takes_level") else None
    if level:                                     # 'Ủy ban MTTQ Việt Nam xã' → '… Việt Nam xã'
        name = f"{name} {level.group(1)}"
    return Agency(name=name, printed=printed, gazetteer_id=entry["id"], code=entry.get("code"),
                  level=entry.get("level"), valid_on_document_date=_valid_on(entry, doc_date), successor=successor)
