"""Text accuracy measures shared by the benchmarks."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFC, every run of white space (line breaks included) as one space: layout is not an OCR error."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def char_errors(hypothesis: str, reference: str) -> tuple[int, int]:
    """(edit distance, reference length) after normalization: sum both over documents for a corpus CER."""
    hyp, ref = normalize(hypothesis), normalize(reference)
    return Levenshtein.distance(hyp, ref), len(ref)


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: Levenshtein distance over the reference length."""
    errors, length = char_errors(hypothesis, reference)
    return errors / max(1, length)
