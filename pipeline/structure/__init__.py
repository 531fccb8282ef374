"""Structure: from the (restored) text of a document to its header, citations, sections, assignments, … .

`extract_pages` (OCR or text-layer pages, with regions and boxes) and `extract_text` (plain text)
both build a `DocText` (lines with offsets) and run the same parsers over it; spans index into
`join_pages(pages)` or the NFC form of the given text.
"""

from __future__ import annotations

from typing import Callable, Sequence

from pipeline.pagetext import PageText
from pipeline.structure import assignments, attachments, citations, funding, header, nlp, recipients, sections, signer, tables
from pipeline.structure.model import Extraction
from pipeline.structure.text import DocText, fold, from_pages, from_text, nfc

__all__ = ["extract_pages", "extract_text", "Extraction"]


def extract_pages(pages: Sequence[PageText]) -> Extraction:
    """Extraction of a whole document from its pages."""
    return extract(from_pages(pages))


def extract_text(text: str) -> Extraction:
    """Extraction from plain text (spans index into its NFC form)."""
    return extract(from_text(nfc(text)))


def _preamble_roles(dt: DocText, first: int, last: int) -> Callable[[int], str]:
    """legal_basis for a citation in the preamble (between the title and the first item) inside a
    paragraph that opens with Căn cứ / Thực hiện / Triển khai …; reference otherwise."""
    openers = tuple(fold(o) for o in tables.lexicon()["legal_basis_openers"])
    lo = dt.lines[first].start if first < len(dt.lines) else len(dt.text)
    hi = dt.lines[last].start if last < len(dt.lines) else len(dt.text)
    para_start = {}
    current = None
    prev_closed = True
    for ln in dt.lines[first:last]:
        t = ln.text.strip()
        if not t:
            continue
        if prev_closed or current is None or fold(t).startswith(openers):
            current = fold(t)
        para_start[ln.index] = current
        prev_closed = t.endswith((";", ".", ":")) or header.uppercase_share(t) > 0.8

    def role(pos: int) -> str:
        if not lo <= pos < hi:
            return "reference"
        ln = next((x for x in dt.lines[first:last] if x.start <= pos <= x.end), None)
        if ln is None:
            return "reference"
        return "legal_basis" if para_start.get(ln.index, "").startswith(openers) else "reference"

    return role


def extract(dt: DocText) -> Extraction:
    head = header.parse_header(dt)
    attached = attachments.find_attachment(dt, head.body_start)
    noi_nhan = attached.noi_nhan if attached else recipients.find_noi_nhan(dt)
    body_end = noi_nhan if noi_nhan is not None and noi_nhan >= head.body_start else len(dt.lines)
    first_item = sections.first_item_line(dt, head.body_start, body_end)
    nodes = sections.parse_nodes(dt, first_item, body_end)
    if attached:
        nodes += sections.parse_nodes(dt, sections.first_item_line(dt, attached.start + 1, attached.end), attached.end)
        body_end = attached.end
    doc = nlp.annotate(dt.text)
    cites = citations.find_citations(doc, dt, head.own_symbol,
                                     _preamble_roles(dt, head.body_start, first_item))
    body = (dt.lines[head.body_start].start if head.body_start < len(dt.lines) else len(dt.text),
            dt.lines[body_end].start if body_end < len(dt.lines) else len(dt.text))
    return Extraction(
        document=head.document,
        citations=cites,
        sections=[n.to_model(dt) for n in nodes],
        assignments=assignments.find_assignments(nodes, doc, dt, body, head.document.date),
        funding=funding.find_funding(nodes, dt, cites),
        recipients=recipients.find_recipients(dt, noi_nhan),
        signer=signer.find_signer(dt, noi_nhan),
    )
