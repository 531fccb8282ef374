"""Diacritics restoration and OCR post-correction: a syllable trigram LM decoding per line.

`restore_text` works on any line; `restore_page` uses OCR word confidences to touch only the words
the OCR was unsure of (or that are no syllables) and keeps the OCR original in `Line.raw`.
The model in models/restore is loaded once per process, on first use.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from pipeline.pagetext import PageText, nfc
from pipeline.restore.document import restore_lines
from pipeline.restore.policy import Mode
from pipeline.restore.restorer import Restorer

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "restore"
CONF_TRUSTED = 93.0   # OCR words at or above this confidence that are valid syllables are kept as read


@lru_cache(maxsize=1)
def get_restorer() -> Restorer:
    return Restorer.load(MODEL_DIR)


def model_available() -> bool:
    return Restorer.available(MODEL_DIR)


def restore_text(text: str) -> str:
    """Restore a line, or a document's lines (line breaks kept; the document settles its doubtful
    words together, see `pipeline.restore.document`)."""
    text = nfc(text)
    if not text.strip():
        return text
    return "\n".join(restore_lines(get_restorer(), text.split("\n")))


def restore_page(page: PageText) -> PageText:
    """The page with restored lines; each changed line keeps the OCR original in `raw`."""
    texts = restore_lines(get_restorer(), [nfc(line.text) for line in page.lines],
                          [[w.conf for w in line.words] or None for line in page.lines], CONF_TRUSTED)
    lines = tuple(line.restored(new) for line, new in zip(page.lines, texts))
    if all(a is b for a, b in zip(lines, page.lines)):
        return page
    return replace(page, lines=lines)


def reads_as_vietnamese(page: PageText) -> bool:
    """Whether a page's text is accented Vietnamese, not the stripped or garbled text of an old OCR.

    A PDF scanned and OCR'd years ago by an English-model tool carries an invisible text layer like
    "Truyén thong vé Chwong trinh": real letters, wrong words. Such a layer is worse than our own OCR.
    """
    restorer = get_restorer()
    modes = [restorer.mode_of(line.text) for line in page.lines]
    judged = [m for m in modes if m is not Mode.NONE]
    damaged = sum(m in (Mode.FULL, Mode.GARBLE) for m in judged)
    return not judged or damaged <= len(judged) / 2
