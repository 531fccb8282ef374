"""The spaCy side of the structure stage: a Doc over the document text as the annotation container.

- tokenizer: syllables, numbers and document symbols as tokens; each token's NORM is its folded
  form (lowercase, no diacritics), so patterns match printed, OCR-damaged and unaccented text alike;
- EntityRuler fed by the agency gazetteer (models/structure/agencies.json): `doc.ents`, label =
  level, `ent_id_` = gazetteer id;
- `vn_symbols` and `vn_dates` components: regex matchers that put document symbols and dates into
  `doc.spans["symbol"]` / `doc.spans["date"]` (span label = normalized symbol / ISO date).

Loaded once per process, lazily (`get_nlp`).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.structure import dates, symbols, tables
from pipeline.structure.text import fold

_TOKEN_RE = re.compile(symbols.SYMBOL_RE.pattern + r"|\d+(?:[/.\-]\d+)*|\w+|[^\w\s]")


class SyllableTokenizer:
    """Whitespace + punctuation tokenizer (Vietnamese is written syllable by syllable); symbols stay whole."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        for tok, w in zip(doc, words):
            tok.norm_ = _norm(w)
        return doc


@lru_cache(maxsize=200_000)
def _norm(word: str) -> str:
    return fold(word)


def words_and_spaces(text: str) -> tuple[list[str], list[bool]]:
    """spaCy's words/spaces for the tokens of `text` (a token's one trailing space is a flag; any other
    whitespace is a token of its own), in one pass: spaCy's generic aligner is slow on long documents."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0

    def gap(ws: str) -> None:
        if not ws:
            return
        if words and not spaces[-1] and ws[0] == " ":
            spaces[-1] = True
            ws = ws[1:]
        if ws:
            words.append(ws)
            spaces.append(False)

    for m in _TOKEN_RE.finditer(text):
        for piece in re.finditer(r"\S+", m.group(0)):
            start = m.start() + piece.start()
            gap(text[pos:start])
            words.append(piece.group(0))
            spaces.append(False)
            pos = start + len(piece.group(0))
    gap(text[pos:])
    return words, spaces


def _pattern_tokens(phrase: str) -> list[dict]:
    """Token pattern of a name; line breaks of hard-wrapped text (space tokens) may fall between words."""
    out: list[dict] = []
    for w in (w for m in _TOKEN_RE.finditer(phrase) for w in m.group(0).split()):
        if out:
            out.append({"IS_SPACE": True, "OP": "?"})
        out.append({"NORM": fold(w)})
    return out


def agency_patterns() -> list[dict]:
    pats = []
    for a in tables.agencies():
        for phrase in [a["name"], *a.get("aliases", [])]:
            pats.append({"label": a["level"].upper(), "pattern": _pattern_tokens(phrase), "id": a["id"]})
    return pats


@Language.component("vn_symbols")
def vn_symbols(doc: Doc) -> Doc:
    spans = []
    for sym in symbols.find_symbols(doc.text, need_number=False):
        span = doc.char_span(sym.start, sym.end, label=sym.text, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans["symbol"] = spans
    return doc


@Language.component("vn_dates")
def vn_dates(doc: Doc) -> Doc:
    spans = []
    for start, end, value in dates.find_dates(fold(doc.text)):
        span = doc.char_span(start, end, label=value, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans["date"] = spans
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = SyllableTokenizer(nlp.vocab)
    # spaCy's 1M-character guard is for its parser and NER (≈1 GB per 100k characters); this pipeline
    # runs only a tokenizer, an entity ruler and regex components, linear in the text: a 2000-page
    # document (the page limit) is about 7M characters.
    nlp.max_length = 10_000_000
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": None, "validate": False})
    ruler.add_patterns(agency_patterns())
    nlp.add_pipe("vn_symbols")
    nlp.add_pipe("vn_dates")
    return nlp


def annotate(text: str) -> Doc:
    return get_nlp()(text)


def agency_spans(doc: Doc, start: int = 0, end: int | None = None) -> list[Span]:
    """Gazetteer agencies inside [start, end) of the text (entities indexed once per Doc: a long
    document asks this many times)."""
    end = len(doc.text) if end is None else end
    index = doc.user_data.get("ents_by_start")
    if index is None:
        ents = sorted(doc.ents, key=lambda e: e.start_char)
        index = ([e.start_char for e in ents], ents)
        doc.user_data["ents_by_start"] = index
    starts, ents = index
    out = []
    for e in ents[bisect.bisect_left(starts, start):]:
        if e.start_char >= end:
            break
        if e.end_char <= end:
            out.append(e)
    return out


@lru_cache(maxsize=None)
def gazetteer_entry(agency_id: str) -> dict:
    return next(a for a in tables.agencies() if a["id"] == agency_id)


def lookup_agency(name: str) -> dict | None:
    """The gazetteer entry whose name or alias is the longest match at the start of `name`."""
    hit = lookup_agency_span(name)
    return hit[0] if hit else None


def lookup_agency_span(name: str) -> tuple[dict, int] | None:
    """`lookup_agency`, with the character offset where the matched name ends."""
    doc = annotate(name)
    starts = [e for e in doc.ents if e.start_char <= len(name) - len(name.lstrip()) + 4]
    if not starts:
        return None
    best = max(starts, key=lambda e: e.end_char - e.start_char)
    return gazetteer_entry(best.ent_id_), best.end_char
