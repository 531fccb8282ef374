"""Held-out real documents for the structure benchmark: ../shared/corpus/admin_docs.jsonl.gz.

The corpus is read at run time and never copied into the repo. Its texts are a portal's pages
turned to markdown-ish text (italics as `*…*`, hard wraps); `plain` drops the emphasis marks so the
parser sees the printed words, nothing else is changed. `run_isolated` runs a function on each
text in a child process with a time limit, so one hang or crash is counted instead of stopping the run.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing as mp
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

CORPUS_FILE = Path("corpus") / "admin_docs.jsonl.gz"
_EMPHASIS_PAIR = re.compile(r"\*+[ \t]+\*+")


@dataclass(frozen=True)
class CorpusDoc:
    id: str
    symbol: Optional[str]
    text: str


def plain(text: str) -> str:
    """Corpus text without markdown emphasis ('52/TTr-STC* *ngày' → '52/TTr-STC ngày')."""
    return _EMPHASIS_PAIR.sub(" ", text).replace("*", "")


def has_decree30_header(text: str, lines: int = 40) -> bool:
    """Whether the text opens like a Decree 30 document: the motto within its first lines. Pages of
    articles that merely mention a symbol (the portal's 'Số' was found in running text) have none."""
    head = " ".join(text.split("\n")[:lines])
    return re.search(r"[Đđ]ộc\s+lập\s*[-–]\s*[Tt]ự\s+do\s*[-–]\s*[Hh]ạnh\s+phúc", head) is not None


def read_corpus(shared: Path) -> Iterator[CorpusDoc]:
    with gzip.open(shared / CORPUS_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield CorpusDoc(d["id"], d.get("symbol"), d["text"])


def with_symbol(shared: Path, n: Optional[int] = None) -> list[CorpusDoc]:
    """The first n documents by id that carry a portal-found symbol (deterministic; ids are hashes)."""
    docs = sorted((d for d in read_corpus(shared) if d.symbol), key=lambda d: d.id)
    return docs[:n] if n else docs


def by_ids(shared: Path, ids: Iterable[str]) -> dict[str, CorpusDoc]:
    want = set(ids)
    return {d.id: d for d in read_corpus(shared) if d.id in want}


def _serve(fn: Callable, conn) -> None:
    while True:
        item = conn.recv()
        if item is None:
            return
        try:
            conn.send(("ok", fn(item)))
        except Exception as exc:  # reported per document, the run goes on
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))


@dataclass
class Outcome:
    status: str        # ok | crash | timeout
    value: object
    seconds: float


def run_isolated(fn: Callable, items: list, timeout: float) -> list[Outcome]:
    """fn(item) for each item in one child process; a child that hangs or dies is replaced."""
    ctx = mp.get_context("fork")
    out: list[Outcome] = []
    proc = conn = None
    for item in items:
        if proc is None:
            conn, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(fn, child), daemon=True)
            proc.start()
        t0 = time.perf_counter()
        conn.send(item)
        if conn.poll(timeout):
            try:
                status, value = conn.recv()
            except EOFError:
                status, value = "crash", "worker died"
        else:
            status, value = "timeout", None
        out.append(Outcome(status, value, time.perf_counter() - t0))
        if status != "ok" and not proc.is_alive() or status == "timeout":
            proc.kill()
            proc.join()
            proc = None
    if proc is not None:
        conn.send(None)
        proc.join(5)
    return out
