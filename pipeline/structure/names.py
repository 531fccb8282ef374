"""Where agency names begin and end in running text: a subject before its verb ('Sở Nội vụ hướng
dẫn …'), a heading that runs on into its task, the members of a list ('Đài …, Báo …'), a kind of
body named in lowercase ('cơ quan báo chí'). Head words are matched as printed where the text has
marks; underthesea's part-of-speech tagger says where a lowercase name's nouns end.
`agencies.normalize` then says which body a name stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from pipeline.structure import agencies, nlp, tables
from pipeline.structure.text import NAME_TRAIL as _TRAIL, fold, squash


@lru_cache(maxsize=1)
def _head_re(accented: bool = False) -> re.Pattern:
    """Agency head words at the start of a name: as printed (lowercased) where the text has marks
    ('Sở' a department, 'Số' a number), folded where it has none."""
    form = (lambda h: h.lower()) if accented else fold
    heads = sorted((form(h) for h in tables.lexicon()["agency_heads"]), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(h) for h in heads) + r")\b")


def _starts_with_head(text: str):
    t = squash(text.strip())
    accented = fold(t) != t.lower()
    key = t.lower() if accented else fold(t)
    if fold(t).startswith(_vocab().not_agency_starts):
        return None               # 'Báo cáo kết quả …', 'Ban hành …': a head word inside another word
    return _head_re(accented).match(key)


def starts_like_agency(text: str) -> bool:
    return bool(_starts_with_head(text)) or bool(nlp.lookup_agency(text))


_NOUN_MARKERS = {"cac", "nhung", "moi", "cua"}


@dataclass(frozen=True)
class _Vocab:
    """Lexicon words the per-word loops test, prepared once."""
    subject_verbs: tuple[str, ...]           # as printed, each + ' ' (a prefix test on lowercase words)
    subject_phrases: frozenset[str]          # subject verbs of two words or more, folded
    group_nouns: tuple[str, ...]             # folded, each + ' '
    capitalized_task_verbs: frozenset[str]
    not_agency_starts: tuple[str, ...]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    lex = tables.lexicon()
    return _Vocab(subject_verbs=tuple(v + " " for v in lex["subject_verbs"]),
                  subject_phrases=frozenset(fold(v) for v in lex["subject_verbs"] if " " in v),
                  group_nouns=tuple(fold(n) + " " for n in lex["group_nouns"]),
                  capitalized_task_verbs=frozenset(fold(v) for v in lex["capitalized_task_verbs"]),
                  not_agency_starts=tuple(fold(w) + " " for w in lex["not_agency_starts"]))


def opener_words(text: str) -> int:
    """How many words an opener before an item's agencies takes ('Đề nghị', 'Giao', 'Khuyến khích'), else 0."""
    lex = tables.lexicon()
    f = fold(squash(text)) + " "
    for o in sorted(lex["request_openers"] + lex["item_openers"], key=len, reverse=True):
        if f.startswith(fold(o) + " "):
            return len(o.split())
    return 0


def leading_subject(text: str, max_words: int = 25) -> Optional[str]:
    """The agencies an item opens with, up to their first verb: '- Sở Nội vụ hướng dẫn khen thưởng …'
    → 'Sở Nội vụ'; 'Đề nghị Ủy ban MTTQ tỉnh, các tổ chức chính trị - xã hội phát huy …' keeps its
    'Đề nghị'. Verbs are lowercase words of the lexicon (names are Capitalized); a group ('Các …')
    must name a kind of body ('các cơ quan, đơn vị', not 'các nội dung')."""
    words = squash(text).split(" ")
    offer = opener_words(text)
    rest = " ".join(words[offer:])
    if not rest or not (starts_like_agency(rest) or starts_like_agency(agencies.body_of(rest))):   # 'Thủ trưởng các đơn vị …'
        return None
    if fold(rest).startswith("cac ") and not (is_group(rest) or nlp.lookup_agency(rest)):
        return None
    verbs = _vocab().subject_verbs
    for k in range(offer + 1, min(len(words), offer + max_words)):
        if fold(words[k - 1]) in _NOUN_MARKERS:
            continue           # 'các tổ chức': a noun here, not the verb 'tổ chức'
        following = re.sub(r"[,;:.]", "", " ".join(words[k:k + 3])) + " "     # 'chủ trì, phối hợp …'
        if (words[k][:1].islower() and following.startswith(verbs)) or _task_verb_capitalized(words, k):
            subject = " ".join(words[offer:k]).strip(_TRAIL)
            if re.search(r"[;.:]", subject) or is_bare_head(subject):
                return None
            return " ".join(words[:offer] + [subject])
    return None


def _task_verb_capitalized(words: list[str], k: int) -> bool:
    """'Công an tỉnh Chủ trì …', 'Tỉnh đoàn Chỉ đạo …': a task that opens on the heading's own line
    (lexicon `capitalized_task_verbs`), not a name ('Ban Chỉ đạo …')."""
    if not words[k][:1].isupper() or (words[k - 1][:1].isupper() and fold(words[k - 1]) in {"ban", "to"}):
        return False
    two = fold(re.sub(r"[,;:.]", "", " ".join(words[k:k + 2])))
    if two in _vocab().capitalized_task_verbs:
        return True
    # after a level word a name is over: '… Hiệp hội Doanh nghiệp tỉnh' / 'Tuyên truyền, vận động …'
    return fold(words[k - 1]) in {"tinh", "huyen", "xa", "phuong"} and two in _vocab().subject_phrases


def heading_subject(heading: str) -> Optional[tuple[str, str]]:
    """(agencies, first task) of an item heading that runs on into its task: '2. Sở Giáo dục và Đào
    tạo chủ trì, phối hợp với …:' → ('Sở Giáo dục và Đào tạo', 'chủ trì, phối hợp với …'). Only a
    role verb or a capitalized task verb ends the agencies here: a heading's group name may hold
    other verbs ('Các doanh nghiệp hoạt động trong lĩnh vực xây dựng')."""
    words = squash(heading).split(" ")
    roles = ("chu tri", "phoi hop", "la co quan", "la don vi", "la dau moi", "co trach nhiem", "chiu trach nhiem")
    for k in range(1, len(words)):
        following = fold(re.sub(r"[,;:.]", "", " ".join(words[k:k + 3])))
        if (words[k][:1].islower() and following.startswith(roles)) or _task_verb_capitalized(words, k):
            subject = " ".join(words[:k]).strip(_TRAIL)
            return (subject, " ".join(words[k:])) if subject and not is_bare_head(subject) else None
    return None


def is_bare_head(text: str) -> bool:
    """A head word with no name ('Các', 'Sở', 'các cơ quan'): what a clause cut short leaves."""
    m = _head_re().match(fold(text.strip()))     # folded: a bare head is a bare head however printed
    return bool(m) and len(fold(text.strip())[m.end():].split()) < 1


def is_group(text: str) -> bool:
    """'các tổ chức chính trị - xã hội', 'các xã, phường': a group of bodies, a list member of its own."""
    f = fold(text)
    return f.startswith("cac ") and (squash(f[4:].replace(",", " ")) + " ").startswith(_vocab().group_nouns)


_NOUN_TAGS = {"N", "Np", "Nc", "Nu", "Ny", "Nb", "L", "M"}


@lru_cache(maxsize=1)
def _pos_tagger():
    from underthesea import pos_tag  # loaded once, only when a lowercase body needs it
    return pos_tag


def generic_body(part: str) -> Optional[str]:
    """A body named in lowercase without 'các' ('cơ quan báo chí làm tốt …' → 'cơ quan báo chí'): it
    opens with a kind of body (lexicon `generic_bodies`) and goes on while underthesea's tagger sees
    nouns (qualifiers like 'liên quan' kept)."""
    part = squash(part).strip(_TRAIL)
    lex = tables.lexicon()
    head = _opening_noun(part, lex["generic_bodies"])
    if head is None or not part[:1].islower():
        return None
    name = _noun_run(part, len(head))
    if name == head and fold(head) not in {fold(b) for b in lex["generic_bodies_alone"]}:
        return None           # 'lực lượng tham gia …': a kind of body that needs its qualifier
    return name


def trim_group(part: str) -> str:
    """A name without the words after it: a group ('các doanh nghiệp viễn thông gửi tin nhắn …' →
    'các doanh nghiệp viễn thông') ends where the nouns of its last member end; another name ('Trưởng
    các ấp giải tỏa …', 'Trường Đại học Hồng Đức thành lập …') at its first lowercase verb."""
    part = squash(part).strip(_TRAIL)
    if not fold(part).startswith("cac "):
        return _before_verb(part)
    at = part.rfind(", ") + 2 if ", " in part else 4
    head = _opening_noun(part[at:], tables.lexicon()["group_nouns"])
    return _noun_run(part, at + len(head)) if head else part


def _before_verb(name: str) -> str:
    words = name.split(" ")
    if len(words) < 4:
        return name
    qualifiers = {fold(q) for q in tables.lexicon()["body_qualifiers"]}
    verbs = _vocab().subject_verbs
    end, seen = 0, 0
    for word, tag in _pos_tagger()(name):
        at = name.find(word, end)
        if at < 0:
            break
        rest = name[at:]
        clause = not any(w[:1].isupper() for w in rest.split(" ")) or (rest + " ").startswith(verbs)
        if seen >= 2 and tag == "V" and word[:1].islower() and fold(word) not in qualifiers and clause:
            return name[:at].strip(_TRAIL) or name     # 'chế xuất và công nghiệp Thành phố' goes on as a name
        end, seen = at + len(word), seen + 1
    return name


def _opening_noun(text: str, nouns: list[str]) -> Optional[str]:
    f = fold(text)
    return next((text[:len(n)] for n in sorted(nouns, key=len, reverse=True)
                 if f == fold(n) or f.startswith(fold(n) + " ")), None)


def _noun_run(text: str, end: int) -> str:
    """text[:end] and the nouns after it, as underthesea's tagger sees them (qualifiers kept)."""
    qualifiers = sorted((fold(q) for q in tables.lexicon()["body_qualifiers"]), key=len, reverse=True)
    tail = text[end:]
    tagged = _pos_tagger()(tail) if tail.strip() else []
    for k, (word, tag) in enumerate(tagged):
        if word == "và" and k + 1 < len(tagged) and tagged[k + 1][0][:1].isupper():
            tag = "N"                                    # 'Chăn nuôi và Thú y': one name
        if word in ("thuộc", "trực thuộc") and k + 1 < len(tagged) and tagged[k + 1][1] in _NOUN_TAGS:
            tag = "N"                                    # 'các phòng chuyên môn thuộc Sở': whose
        rest = text[end:].lstrip()
        q = next((q for q in qualifiers if fold(rest) == q or fold(rest).startswith(q + " ")), None)
        if q:
            end = len(text) - len(rest) + len(q)
            break
        if tag not in _NOUN_TAGS and not word[:1].isupper():      # a capitalized word goes on with a name
            break
        at = text.find(word, end)
        if at < 0:
            break
        end = at + len(word)
    return text[:end].strip(_TRAIL)


def split_agencies(heading: str) -> list[str]:
    """'Đài Phát thanh - Truyền hình tỉnh, Báo Quảng Trị' → two; 'Các sở, ban, ngành' stays one:
    split at ' và ' and at ', ' before a list member of its own (`_starts_member`), unless a gazetteer
    name runs across ('Văn phòng HĐND và UBND xã')."""
    parts = [heading]
    for sep in (" và ", ", "):
        nxt = []
        for p in parts:
            pieces = p.split(sep)
            cur = pieces[0]
            for piece in pieces[1:]:
                if _starts_member(cur, sep, piece.strip()) and not one_name_across(cur, sep, piece):
                    nxt.append(cur)
                    cur = piece
                else:
                    cur = cur + sep + piece
            nxt.append(cur)
        parts = nxt
    parts = [squash(p).strip(_TRAIL) for p in parts if squash(p).strip(_TRAIL)]
    return _share_level(parts)


def _starts_member(cur: str, sep: str, s: str) -> bool:
    """Whether the piece after `sep` is a list member of its own: a (capitalized) head word or head
    title, or a kind of body after a named one ('Ban Chỉ huy Quân sự xã và lực lượng Biên phòng');
    never inside brackets ('(VNPT, Viettel, MobiFone và doanh nghiệp khác)')."""
    if not s or cur.count("(") > cur.count(")"):
        return False
    capital_ok = sep != ", " or s[0].isupper() or is_group(s)
    if capital_ok and (_starts_with_head(s) or agencies.body_of(s) != squash(s)):
        return True
    last = cur.split(", ")[-1]
    return sep == " và " and last[:1].isupper() and not fold(last).startswith("cac ") and generic_body(s) is not None


def one_name_across(before: str, sep: str, after: str) -> bool:
    """Whether a gazetteer name runs across the separator ('Văn phòng HĐND và UBND xã')."""
    hit = nlp.lookup_agency_span(f"{before}{sep}{after}")
    return bool(hit) and hit[1] > len(before) + len(sep)


_LEVEL_WORDS = ("tỉnh", "huyện", "xã", "thành phố", "thị xã", "cấp tỉnh", "cấp huyện", "cấp xã")


def _share_level(parts: list[str]) -> list[str]:
    """'Ủy ban MTTQVN và các tổ chức chính trị - xã hội huyện': the level word closing a list belongs
    to each member; given to a member only when the gazetteer then names a more specific body."""
    if len(parts) < 2:
        return parts
    last = fold(parts[-1])
    level = next((w for w in sorted(_LEVEL_WORDS, key=len, reverse=True) if last.endswith(" " + fold(w))), None)
    if level is None:
        return parts
    out = []
    for p in parts[:-1]:
        if fold(p).endswith(" " + fold(level)):
            out.append(p)
            continue
        plain, widened = nlp.lookup_agency(p), nlp.lookup_agency(f"{p} {level}")
        better = widened is not None and (plain is None or widened["id"] != plain["id"])
        out.append(f"{p} {level}" if better else p)
    return out + [parts[-1]]
