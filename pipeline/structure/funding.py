"""KINH PHÍ: each sentence or bullet of the funding section, its sources, amount and cited documents."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.structure import sections, tables
from pipeline.structure.model import Citation, Funding
from pipeline.structure.sections import Node
from pipeline.structure.text import DocText, fold, squash

_AMOUNT_RE = re.compile(r"(?P<n>\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:dong|d\b|vnd)")


@lru_cache(maxsize=1)
def _sources() -> list[tuple[str, str]]:
    return sorted(((fold(p), s["label"]) for s in tables.lexicon()["funding_sources"] for p in s["phrases"]),
                  key=lambda x: len(x[0]), reverse=True)


def sources_in(text: str) -> list[str]:
    folded = fold(text)
    labels = []
    for phrase, label in _sources():
        # 'nguồn ngân sách xã' is the commune's budget, not the state's in general
        level = r"(?!\s+(?:xa|tinh|huyen|thanh pho|dia phuong|trung uong|cap)\b)" if phrase.endswith("ngan sach") else ""
        if re.search(rf"\b{re.escape(phrase)}\b{level}", folded) and label not in labels:
            labels.append(label)
            folded = folded.replace(phrase, " " * len(phrase))
    return labels


def _sentences(dt: DocText, pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Sentences of the pieces, with their spans (no funding section: keep only money sentences)."""
    out = []
    for _, start, end in pieces:
        for m in _SENTENCE.finditer(dt.text, start, end):
            if m.group(0).strip():
                out.append((m.group(0), m.start(), m.end()))
    return out


def _pieces(node: Node) -> list[tuple[str, int, int]]:
    out = []
    if node.text:
        out.append((node.text.replace("\n", " "), node.start, node.children[0].start if node.children else node.end))
    for child in node.children:
        out.extend(_pieces(child))
    return out


_CLAUSE_END = re.compile(r";|\.(?!\d)|\n\s*\n")
_TITLE_START = re.compile(r"^\s*,?\s*(?:ve|v/v|phe duyet|ban hanh|quy dinh|giao|huong dan|phan bo|sua doi|bo sung)\b")


def _without_cited_titles(dt: DocText, start: int, end: int, citations: list[Citation]) -> str:
    """text[start:end] with each citation and the title that follows it ('Quyết định số … về việc giao
    dự toán ngân sách nhà nước …', up to ';' or '.') blanked: a cited title names no funding source."""
    chars = list(dt.text[start:end])
    for c in citations:
        if not c.provenance.span or not start <= c.provenance.span[0] < end:
            continue
        c0, c1 = c.provenance.span
        stop = c1
        if _TITLE_START.match(fold(dt.text[c1:c1 + 40])):
            m = _CLAUSE_END.search(dt.text, c1, end)
            stop = m.start() if m else end
        for k in range(max(c0, start), min(stop, end)):
            chars[k - start] = " "
    return "".join(chars)


_SENTENCE = re.compile(r"[^.;]+(?:\.(?=\d)[^.;]*)*[.;]?")


def _article_pieces(nodes: list[Node]) -> list[tuple[str, int, int]]:
    """Every item's own text, for documents that state funding inside an article (a QĐ's Điều 2)."""
    out = []
    for root in nodes:
        out.extend(_pieces(root))
    return out


def find_funding(nodes: list[Node], dt: DocText, citations: list[Citation]) -> list[Funding]:
    """The KINH PHÍ section's pieces; without one, the sentences of any item that say where money
    comes from ('Kinh phí … được bố trí từ nguồn …' in a decision's article). A source named only in
    a cited document's title counts only when the text names no source of its own."""
    node = sections.find(nodes, tables.lexicon()["funding_headings"])
    pieces = _pieces(node) if node is not None else _sentences(dt, _article_pieces(nodes))
    rows = []
    for text, start, end in pieces:
        text = squash(text)
        own = sources_in(squash(_without_cited_titles(dt, start, end, citations)))
        if node is None and not (own and _funding_sentence(text)):
            continue
        rows.append((text, start, end, own, sources_in(text)))
    titles_only = not any(own for *_, own, _ in rows)
    out = []
    for text, start, end, own, with_titles in rows:
        labels = with_titles if titles_only else own
        cited = [c.symbol for c in citations if c.symbol and c.provenance.span and start <= c.provenance.span[0] < end]
        m = _AMOUNT_RE.search(fold(text))
        amount = int(re.sub(r"[.,]", "", m.group("n"))) if m else None
        if labels or cited or amount:
            out.append(Funding(text=text, sources=labels, amount=amount, citations=list(dict.fromkeys(cited)),
                               provenance=dt.provenance(start, end)))
    return out


@lru_cache(maxsize=1)
def _funding_verbs_re() -> re.Pattern:
    verbs = sorted((fold(v) for v in tables.lexicon()["funding_verbs"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for v in verbs) + r")\b")


def _funding_sentence(text: str) -> bool:
    """'kinh phí' with a verb of provision: a sentence about where the money comes from."""
    f = fold(text)
    return "kinh phi" in f and _funding_verbs_re().search(f) is not None
