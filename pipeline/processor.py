"""The work batch and watch hand out, as four picklable steps: ingest, one page, the record, a failure.

Splitting a document into page tasks is what lets a 300-page PDF use every worker, resume at the
page where it was killed, and run on a Dask cluster. The steps are module-level functions so
pickle (local pool) and Dask send them by name. A different `Processor` (tests, dry runs) plugs in
through `--processor module:attribute`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pipeline.config import Settings
from pipeline.errors import SohoaError


@dataclass(frozen=True)
class Processor:
    ingest: Callable[[Path, Settings], Any]                     # -> a Source with a page count
    ocr_page: Callable[[Any, int, Settings], dict]              # -> the page as JSON-able data
    build_record: Callable[[Any, list[dict], Settings], str]    # -> the record as JSON text
    failed_record: Callable[[Path, SohoaError, Any, Settings], str]  # -> a failure record as JSON text
    preflight: Callable[[Settings], None] | None = None         # raises MissingDependency early


def page_count(source: Any) -> int:
    for name in ("pages", "n_pages", "page_count"):
        value = getattr(source, name, None)
        if isinstance(value, int):
            return value
    raise TypeError(f"{type(source).__name__} has no page count")


# the real pipeline ----------------------------------------------------------------------------------
def _ingest(path: Path, settings: Settings):
    from pipeline.ingest import ingest

    return ingest(Path(path), settings)


def _ocr_page(source, number: int, settings: Settings) -> dict:
    from pipeline.pagetext import page_to_dict
    from pipeline.run import ocr_page

    return page_to_dict(ocr_page(source, number, settings))


def _build_record(source, pages: list[dict], settings: Settings) -> str:
    """The record as JSON text, validated against the published schema (in the worker, off the main loop)."""
    from pipeline.pagetext import page_from_dict
    from pipeline.record import record_json
    from pipeline.run import build_record

    return record_json(build_record(source, [page_from_dict(p) for p in pages], settings)) + "\n"


def _failed_record(path: Path, error: SohoaError, source, settings: Settings) -> str:
    from pipeline.record import failed_record, record_json

    return record_json(failed_record(Path(path), error, source, settings)) + "\n"


def _preflight(settings: Settings) -> None:
    from pipeline.ocr import check_dependencies

    check_dependencies(settings)


PIPELINE = Processor(_ingest, _ocr_page, _build_record, _failed_record, _preflight)


def load_processor(spec: str | None) -> Processor:
    """`None` or 'pipeline' for the real one; 'package.module:NAME' for another."""
    if not spec or spec == "pipeline":
        return PIPELINE
    module, _, attr = spec.partition(":")
    found = getattr(importlib.import_module(module), attr or "PROCESSOR")
    if not isinstance(found, Processor):
        raise TypeError(f"{spec} is not a pipeline.processor.Processor")
    return found
