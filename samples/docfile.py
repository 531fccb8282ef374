"""Read a sample document: a plain-text file split into `[block]` sections.

The format is the repo's own, chosen so a person can write a document by hand:
`#` lines at the top are comments; `[name]` starts a block; every other line belongs to the
current block. Body lines are paragraphs and may start with style flags (`@b`, `@i`, `@c`,
`@bc` …: bold, italic, centred) and contain `**bold**` runs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

BLOCKS = ("header_left", "number", "subject", "header_right", "place_date", "title", "body", "recipients", "signer")
_BLOCK_RE = re.compile(r"^\[([a-z_]+)\]\s*$")
_FLAGS_RE = re.compile(r"^@([bic]+)\s+")
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph: runs of (text, bold) plus paragraph-level style."""

    runs: tuple[tuple[str, bool], ...]
    italic: bool = False
    centered: bool = False

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


@dataclass(frozen=True)
class SourceDoc:
    stem: str
    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def lines(self, name: str) -> tuple[str, ...]:
        return self.blocks.get(name, ())

    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(parse_paragraph(line) for line in self.lines("body"))


def parse_paragraph(line: str) -> Paragraph:
    flags = ""
    m = _FLAGS_RE.match(line)
    if m:
        flags, line = m.group(1), line[m.end():]
    runs: list[tuple[str, bool]] = []
    pos = 0
    for bm in _BOLD_RE.finditer(line):
        if bm.start() > pos:
            runs.append((line[pos:bm.start()], "b" in flags))
        runs.append((bm.group(1), True))
        pos = bm.end()
    if pos < len(line):
        runs.append((line[pos:], "b" in flags))
    return Paragraph(runs=tuple(runs), italic="i" in flags, centered="c" in flags)


def parse_doc(text: str, stem: str) -> SourceDoc:
    text = unicodedata.normalize("NFC", text)
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        m = _BLOCK_RE.match(line)
        if m:
            if m.group(1) not in BLOCKS:
                raise ValueError(f"{stem}: unknown block [{m.group(1)}]")
            current = m.group(1)
            blocks.setdefault(current, [])
        elif current is None or not line:
            if line and not line.startswith("#"):
                raise ValueError(f"{stem}: text before the first [block]: {line!r}")
        else:
            blocks[current].append(" ".join(line.split()))
    return SourceDoc(stem=stem, blocks={k: tuple(v) for k, v in blocks.items()})


def load_doc(path: Path) -> SourceDoc:
    return parse_doc(path.read_text(encoding="utf-8"), path.stem)
