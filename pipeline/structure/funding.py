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
        if re.search(rf"\b{re.escape(phrase)}\b", folded) and label not in labels:
            labels.append(label)
            folded = folded.replace(phrase, " " * len(phrase))
    return labels


def _pieces(node: Node) -> list[tuple[str, int, int]]:
    out = []
    if node.text:
        out.append((node.text.replace("\n", " "), node.start, node.children[0].start if node.children else node.end))
    for child in node.children:
        out.extend(_pieces(child))
    return out


def find_funding(nodes: list[Node], dt: DocText, citations: list[Citation]) -> list[Funding]:
    node = sections.find(nodes, tables.lexicon()["funding_headings"])
    if node is None:
        return []
    out = []
    for text, start, end in _pieces(node):
        text = squash(text)
        cited = [c.symbol for c in citations if c.symbol and c.provenance.span and start <= c.provenance.span[0] < end]
        labels = sources_in(text)
        m = _AMOUNT_RE.search(fold(text))
        amount = int(re.sub(r"[.,]", "", m.group("n"))) if m else None
        if labels or cited or amount:
            out.append(Funding(text=text, sources=labels, amount=amount, citations=list(dict.fromkeys(cited)),
                               provenance=dt.provenance(start, end)))
    return out
