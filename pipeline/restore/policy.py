"""How much a line needs, and which tokens may change at all.

none — nothing Vietnamese to decide (codes, numbers, foreign text);
tone — the line is accented Vietnamese: accents are trusted, only costly tone/shape fixes and
       non-syllables are considered;
full — the line lost its accents (typed bare, or English-model OCR): every syllable is re-decided
       and accents that are there count only as weak evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pipeline.restore.candidates import Costs, Inventory
from pipeline.restore.syllables import case_of, has_marks, strip
from pipeline.restore.tokens import Token

ACCENTED_SHARE = 0.5     # marked / (marked + bare-but-accentable) at or above which a line counts as accented
GARBLE_SHARE = 0.2       # share of non-syllables above which accents on the line are not trusted


class Mode(str, Enum):
    NONE = "none"
    TONE = "tone"
    FULL = "full"


@dataclass(frozen=True)
class LineStats:
    marked: int
    bare: int
    invalid: int

    @property
    def mode(self) -> Mode:
        if self.marked + self.bare + self.invalid == 0:
            return Mode.NONE
        if self.marked + self.bare == 0:
            return Mode.FULL
        share = self.marked / (self.marked + self.bare)
        garbled = self.invalid / (self.marked + self.bare + self.invalid) > GARBLE_SHARE
        return Mode.TONE if share >= ACCENTED_SHARE and not garbled else Mode.FULL


def changeable(tok: Token, inv: Inventory, next_text: str) -> bool:
    """Codes, abbreviations, mixed case and list markers ("a)") are never touched."""
    if tok.kind not in ("word", "garble") or tok.text in inv.protected:
        return False
    case = case_of(tok.text)
    if case == "mixed":
        return False
    low = tok.text.lower()
    if case == "upper" and not inv.is_syllable(low) and strip(low) not in inv.by_key:
        return False               # UBND, HĐND, QD: abbreviations, not stripped syllables
    if next_text in (")", ".") and (len(tok.text) == 1 or strip(low) not in inv.by_key):
        return False               # list markers "a)", abbreviations "tr.", "TP."
    return True


def line_stats(tokens: list[Token], inv: Inventory, movable: list[bool]) -> LineStats:
    marked = bare = invalid = 0
    for tok, ok in zip(tokens, movable):
        if not ok:
            continue
        low = tok.text.lower()
        if not inv.is_syllable(low):
            invalid += 1
        elif has_marks(low):
            marked += 1
        elif len(inv.forms(low, 2)) > 1 or (inv.forms(low, 1) and inv.vocab[inv.forms(low, 1)[0]] != low):
            bare += 1
    return LineStats(marked, bare, invalid)


def options(tok: Token, inv: Inventory, mode: Mode, costs: Costs, *, unsure: bool = False) -> list[tuple[int, float]]:
    """Candidates (syllable id, cost) for a changeable token under the line's mode; [] keeps it.

    Non-syllables are rewritten only where garble is expected: lines in full mode or words the OCR
    itself was unsure of (`unsure`); short ones (km, V) never in tone mode.
    """
    low = tok.text.lower()
    if not inv.is_syllable(low):
        if not (unsure or mode is Mode.FULL):
            return []
        if tok.kind == "word" and strip(low) in inv.by_key:
            return inv.bare(low, costs, accented_line=mode is Mode.TONE)   # "neu", "vién": key known
        if len(low) <= 2 and tok.kind != "garble" and mode is not Mode.FULL:
            return []
        return inv.garbled(low, costs)
    if has_marks(low):
        return inv.accented(low, costs, weak=mode is Mode.FULL)
    return inv.bare(low, costs, accented_line=mode is Mode.TONE)
