"""The rule tables of models/structure/, loaded once per process.

Vocabulary lives in data files so a new document type or agency is a data change, not a code change.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLES_DIR = Path(__file__).resolve().parents[2] / "models" / "structure"


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """A JSON table of models/structure by stem, e.g. load('lexicon')."""
    with open(TABLES_DIR / f"{name}.json", encoding="utf-8") as f:
        return json.load(f)


def lexicon() -> dict:
    return load("lexicon")


def document_types() -> list[dict]:
    return load("document_types")["types"]


def agencies() -> list[dict]:
    return load("agencies")["agencies"]


def authority_prefixes() -> list[str]:
    return [p["prefix"] for p in load("authorities")["prefixes"]]
