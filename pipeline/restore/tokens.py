"""Split a line into the tokens the language model sees, keeping char spans so text can be put back.

Kinds: `word` (letters only: a syllable or something that wants to be one), `garble` (a short
letter+digit mix such as "s6" or "1a" that OCR makes of "số", "là"), `num`, `punct`, `other`
(codes, URLs, e-mails, symbols like 90/QĐ-TTg — never changed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

PUNCT = set(".,;:?!()\"'“”‘’…-–")
_CHUNK = re.compile(r"\S+")
_NUM = re.compile(r"^[0-9][0-9.,/:\-]*$")
_GARBLE = re.compile(r"^[^\W\d_]{0,3}[0-9][^\W\d_]{1,3}$|^[^\W\d_]{1,3}[0-9]$")
_EDGE = "\"'“”‘’()[]{}<>.,;:?!…*|#-–_«»"

NUM = "<num>"
UNK = "<unk>"
BOS = "<s>"
EOS = "</s>"


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    kind: str   # word | garble | num | punct | other


def tokenize(line: str) -> Iterator[Token]:
    for m in _CHUNK.finditer(line):
        chunk, base = m.group(), m.start()
        lo, hi = 0, len(chunk)
        while lo < hi and chunk[lo] in _EDGE:
            lo += 1
        while hi > lo and chunk[hi - 1] in _EDGE:
            hi -= 1
        for i in range(lo):
            yield Token(base + i, base + i + 1, chunk[i], "punct")
        if hi > lo:
            core = chunk[lo:hi]
            yield Token(base + lo, base + hi, core, _kind(core))
        for i in range(hi, len(chunk)):
            yield Token(base + i, base + i + 1, chunk[i], "punct")


def _kind(core: str) -> str:
    if core.isalpha():
        return "word"
    if _NUM.match(core):
        return "num"
    if _GARBLE.match(core):
        return "garble"
    return "other"


def lm_symbol(tok: Token, vocab: dict[str, int]) -> str | None:
    """What the LM sees for a token: the lowercase syllable, a class symbol, or None (skipped)."""
    if tok.kind == "word":
        low = tok.text.lower()
        return low if low in vocab else UNK
    if tok.kind == "num":
        return NUM
    if tok.kind == "punct":
        return tok.text if tok.text in PUNCT else None
    return UNK
