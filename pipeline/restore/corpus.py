"""Reading the shared training corpus: the held-out split (by document) and the boilerplate filter.

Training and the benchmark both go through here, so the held-out documents are the same for both.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

CORPUS_FILES = ("admin_docs.jsonl.gz", "laws.jsonl.gz")
HELD_OUT_MODULUS = 50          # 1 document in 50 (by hash of its id) is kept for evaluation
BOILERPLATE_MIN_DOCS = 8       # a line seen verbatim in this many documents is portal chrome
_MARKUP = re.compile(r"\[sửa \| sửa mã nguồn\]|\[\.\.\.\]|^#+\s*|\*\*|^\s*[-*]\s+|\|")


def is_held_out(doc_id: str) -> bool:
    digest = hashlib.sha1(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % HELD_OUT_MODULUS == 0


def is_administrative(doc: dict) -> bool:
    """Laws, and portal documents with a "Số: …" symbol header (decisions, plans, letters): the
    genre sohoa reads. The rest of the portal is Q&A and encyclopedia prose."""
    return doc["source"].startswith("laws") or bool(doc.get("symbol"))


def read_documents(corpus: Path) -> Iterator[dict]:
    for name in CORPUS_FILES:
        path = corpus / name
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                doc = json.loads(raw)
                doc["source"] = name
                yield doc


def line_key(line: str) -> str:
    return hashlib.blake2b(line.strip().encode("utf-8"), digest_size=8).hexdigest()


def boilerplate_keys(docs: Iterable[dict]) -> set[str]:
    """Lines that recur verbatim across many documents (portal footers, table rules, wiki headings)."""
    seen: Counter[str] = Counter()
    for doc in docs:
        seen.update({line_key(line) for line in doc["text"].split("\n") if line.strip()})
    return {k for k, n in seen.items() if n >= BOILERPLATE_MIN_DOCS}


def clean_lines(text: str, boilerplate: set[str]) -> Iterator[str]:
    """Prose lines of a document with markup and recurring chrome removed."""
    for line in text.split("\n"):
        if not line.strip() or line_key(line) in boilerplate:
            continue
        line = _MARKUP.sub(" ", line).strip()
        if line:
            yield line
