"""Vietnamese syllable arithmetic: accent stripping, tone marks, structural validity, letter case.

Everything the rest of `restore` needs to reason about one syllable, as pure functions on NFC strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}   # huyền sắc ngã hỏi nặng
SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}                      # â/ê/ô, ă, ơ/ư

_STRIP: dict[int, str] = {}
_DETONE: dict[int, str] = {}
for _cp in range(0x00C0, 0x1EFF + 1):
    _ch = chr(_cp)
    _decomp = unicodedata.normalize("NFD", _ch)
    if len(_decomp) > 1 and _decomp[0].isascii() and _decomp[0].isalpha():
        if all(unicodedata.combining(c) for c in _decomp[1:]):
            _STRIP[_cp] = _decomp[0]
            kept = "".join(c for c in _decomp if c not in TONE_MARKS)
            _DETONE[_cp] = unicodedata.normalize("NFC", kept)
_STRIP.update({ord("đ"): "d", ord("Đ"): "D"})

_STRUCT = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(a|ai|ao|au|ay|e|eo|eu|i|ia|iu|ieu|ie|o|oa|oai|oay|oao|oe|oeo|oi|oo|u|ua|uay|uau|ue|ui|uo|uoi|uou|uu|uy|uya|uye|uyu|y|ye|yeu)"
    r"(ng|nh|ch|[cmnpt])?$"
)


def strip(text: str) -> str:
    """All diacritics off (đ→d): the key under which accented forms are looked up."""
    return text.translate(_STRIP)


def detone(text: str) -> str:
    """Tone marks off, vowel shapes (â ê ô ơ ư ă) kept."""
    return text.translate(_DETONE)


def has_marks(text: str) -> bool:
    return strip(text) != text


@lru_cache(maxsize=200_000)
def is_well_formed(syl: str) -> bool:
    """Shape of a Vietnamese syllable: onset + rhyme, at most one tone mark, on lowercase NFC."""
    if not syl or len(syl) > 7 or not syl.isalpha():
        return False
    decomp = unicodedata.normalize("NFD", syl)
    tones = sum(1 for c in decomp if c in TONE_MARKS)
    others = [c for c in decomp if unicodedata.combining(c) and c not in TONE_MARKS and c not in SHAPE_MARKS]
    if tones > 1 or others:
        return False
    base = strip(syl)
    if not base.isascii() or not _STRUCT.match(base):
        return False
    return True


def case_of(token: str) -> str:
    """'upper', 'title', 'lower' or 'mixed' — restored on the decoded lowercase syllable."""
    if token.islower():
        return "lower"
    if len(token) > 1 and token.isupper():
        return "upper"
    if token[:1].isupper() and (len(token) == 1 or token[1:].islower()):
        return "title"             # before the next rule: "Vi", "Bi" are Capitalized words
    if sum(c.isupper() for c in token) >= 2 and token.replace("i", "I").replace("í", "Í").isupper():
        return "upper"             # English-model OCR writes the Í of CHÍNH as a lowercase i
    return "mixed"


def apply_case(syl: str, case: str) -> str:
    if case == "upper":
        return syl.upper()
    if case == "title":
        return syl[:1].upper() + syl[1:]
    return syl


_PLACEMENT = re.compile(r"^(.*?)(?:([oO])([aeAE])|([uU])([yY]))$")


def tone_placement_variant(syl: str) -> str:
    """The same syllable with its tone on the other vowel of a final oa/oe/uy (hoà ↔ hòa, uỷ ↔ ủy);
    both spellings are correct, so restoration never swaps one for the other in accented text."""
    decomp = unicodedata.normalize("NFD", syl)
    tone = next((c for c in decomp if c in TONE_MARKS), None)
    if tone is None:
        return syl
    bare = unicodedata.normalize("NFC", "".join(c for c in decomp if c != tone))
    m = _PLACEMENT.match(bare)
    if not m or m.group(1).lower().endswith(("q", "g")):
        return syl
    head = m.group(1)
    v1, v2 = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
    on_first = unicodedata.normalize("NFC", head + v1 + tone + v2)
    on_second = unicodedata.normalize("NFC", head + v1 + v2 + tone)
    return on_second if syl == on_first else on_first
