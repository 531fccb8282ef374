"""How much a line needs, and which tokens may change at all.

none — nothing Vietnamese to decide (codes, numbers, foreign text);
tone — the line is accented Vietnamese: accents are trusted, only costly tone/shape fixes and
       non-syllables are considered;
full — the line lost its accents (typed bare): every syllable is re-decided and accents that are
       there count only as weak evidence; Capitalized words that are no syllable (names, foreign
       words) stay, lowercase ones may go through the confusion table;
garble — full, and the line also has words that look like OCR confusions (English-model OCR: "s6",
       "Chwong", "qudc"): those are rewritten through the confusion table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pipeline.restore.candidates import Costs, Inventory
from pipeline.restore.syllables import case_of, has_marks, is_well_formed, strip
from pipeline.restore.tokens import Token

ACCENTED_SHARE = 0.5     # marked / (marked + bare-but-accentable) at or above which a line counts as accented
GARBLE_SHARE = 0.2       # share of non-syllables above which accents on the line are not trusted
UNKNOWN_SHARE = 0.05     # share of words with no syllable key at all above which a full line is garble


class Mode(str, Enum):
    NONE = "none"
    TONE = "tone"
    FULL = "full"
    GARBLE = "garble"

    @property
    def weak_marks(self) -> bool:
        return self in (Mode.FULL, Mode.GARBLE)


@dataclass(frozen=True)
class LineStats:
    marked: int
    bare: int
    invalid: int      # not a syllable (incl. stripped ones like "nguoi")
    unknown: int      # not even the key of one ("qudc", "s6", "Philippines")

    @property
    def mode(self) -> Mode:
        total = self.marked + self.bare + self.invalid
        if total == 0:
            return Mode.NONE
        if self.marked + self.bare:
            share = self.marked / (self.marked + self.bare)
            if share >= ACCENTED_SHARE and self.invalid / total <= GARBLE_SHARE:
                return Mode.TONE
        return Mode.GARBLE if self.unknown / total >= UNKNOWN_SHARE else Mode.FULL


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


def name_runs(tokens: list[Token]) -> set[int]:
    """Indexes of words in runs of two or more Capitalized well-formed syllables: people and places
    ("Lù Văn Pháng", "Mường Khương"). The language model knows common words, not names, and would
    "correct" a rare name into a frequent word, so accented name words are kept as read."""
    out: set[int] = set()
    run: list[int] = []
    for i, tok in enumerate(tokens):
        is_name = tok.kind == "word" and case_of(tok.text) == "title" and is_well_formed(tok.text.lower())
        follows = bool(run) and tok.start - tokens[run[-1]].end == 1  # one space after the previous name word
        if is_name and (follows or not run):
            run.append(i)
            continue
        if len(run) >= 2:
            out.update(run)
        run = [i] if is_name else []
    if len(run) >= 2:
        out.update(run)
    return out


def line_stats(tokens: list[Token], inv: Inventory, movable: list[bool]) -> LineStats:
    marked = bare = invalid = unknown = 0
    for tok, ok in zip(tokens, movable):
        if not ok:
            continue
        low = tok.text.lower()
        if not inv.is_syllable(low):
            invalid += 1
            unknown += tok.kind == "garble" or strip(low) not in inv.by_key
        elif has_marks(low):
            marked += 1
        elif len(inv.forms(low, 2)) > 1 or (inv.forms(low, 1) and inv.vocab[inv.forms(low, 1)[0]] != low):
            bare += 1
    return LineStats(marked, bare, invalid, unknown)


def options(tok: Token, inv: Inventory, mode: Mode, costs: Costs, *, unsure: bool = False) -> list[tuple[int, float]]:
    """Candidates (syllable id, cost) for a changeable token under the line's mode; [] keeps it.

    Non-syllables with a known key ("nguoi", "vién") take the forms of the key in full/garble mode or
    when the OCR was unsure of them (`unsure`); others go through the confusion table in garble mode,
    when unsure, or when lowercase in full mode; short ones (km, V) never in tone mode.
    """
    low = tok.text.lower()
    if not inv.is_syllable(low):
        keyed = tok.kind == "word" and strip(low) in inv.by_key
        if keyed and (unsure or mode.weak_marks):
            return inv.bare(low, costs, accented_line=mode is Mode.TONE)
        lower_in_full = mode is Mode.FULL and tok.text.islower()    # names and foreign words are Capitalized
        if keyed or not (unsure or mode is Mode.GARBLE or lower_in_full):
            return []
        if len(low) <= 2 and tok.kind != "garble" and mode is Mode.TONE:
            return []
        return inv.garbled(low, costs)
    if has_marks(low):
        return inv.accented(low, costs, weak=mode.weak_marks)
    return inv.bare(low, costs, accented_line=mode is Mode.TONE)
