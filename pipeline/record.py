"""Record: the JSON a document becomes — pydantic models, the published JSON Schema, validation, writing.

A record extends the structure stage's Extraction with the text (restored and raw OCR),
the pages with their lines, the source fingerprint and the pipeline that made it.
Every record is validated against the checked-in schema before it is written.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional, Sequence

from pydantic import BaseModel, Field

import pipeline
from pipeline.config import Settings
from pipeline.errors import SohoaError
from pipeline.pagetext import PageText, join_pages
from pipeline.structure.model import Extraction

SCHEMA_VERSION = "1.0.0"
SCHEMA_ID = f"https://sohoa.dev/schemas/record/{SCHEMA_VERSION}/record.schema.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "record.schema.json"


class LineOut(BaseModel):
    text: str = Field(description="the line's final text (restored when restoration changed it), NFC")
    raw: Optional[str] = Field(None, description="what OCR read, when restoration changed the line; null when unchanged")
    bbox: list[int] = Field(description="[x0, y0, x1, y1] in pixels of the page as rasterized at `pages[].dpi`")
    conf: float = Field(description="mean tesseract word confidence 0..100; -1 for text-layer lines")
    region: str = Field("body", description="layout zone: header_left, header_right, body, footer_left, footer_right")


class PageOut(BaseModel):
    number: int = Field(description="1-based page number")
    text_source: Literal["ocr", "text_layer"] = Field(description="'text_layer' when the PDF's own text was used instead of OCR")
    width: int = Field(0, description="page width in pixels at `dpi`")
    height: int = Field(0, description="page height in pixels at `dpi`")
    dpi: float = Field(0.0, description="resolution of the pixel coordinates (estimated from the page size when the image had none)")
    rotation: int = Field(0, description="clockwise degrees the page was turned to read upright (0, 90, 180, 270)")
    skew: float = Field(0.0, description="degrees of skew corrected")
    warnings: list[str] = Field(default_factory=list, description="things worth a human look (blank page, low confidence …)")
    lines: list[LineOut] = Field(default_factory=list, description="text lines in reading order")


class SourceOut(BaseModel):
    path: str = Field(description="the input file as given")
    sha256: Optional[str] = Field(None, description="SHA-256 of the original file's bytes")
    mime: Optional[str] = Field(None, description="type detected from the content: application/pdf, image/tiff, image/png, image/jpeg")
    pages: int = Field(0, description="number of pages in the source")
    size: Optional[int] = Field(None, description="size of the original file in bytes")


class PipelineOut(BaseModel):
    version: str = Field(description="sohoa version that made the record")
    tesseract: str = Field(description="tesseract version")
    lang: str = Field(description="tesseract language model(s)")
    restored: bool = Field(True, description="whether diacritics restoration ran")
    created: str = Field(description="UTC time the record was made, ISO 8601")


class ErrorOut(BaseModel):
    code: str = Field(description="stable error code, e.g. E_ENCRYPTED, E_TRUNCATED, E_TOO_LARGE, E_OCR_TIMEOUT")
    stage: str = Field("", description="pipeline stage that failed")
    message: str = Field(description="what went wrong, in plain words")
    hint: str = Field("", description="what to do about it")


class Record(Extraction):
    """One document, as sohoa read it."""

    schema_version: str = Field(SCHEMA_VERSION, description="version of this record format")
    status: Literal["ok", "failed"] = Field("ok", description="'failed' records carry `error` and no text")
    text: str = Field("", description="the document's final text: lines joined by newlines, pages by a blank line; spans index into it")
    raw_text: str = Field("", description="the same text as OCR read it, before restoration")
    pages: list[PageOut] = Field(default_factory=list, description="per page: how it was read and its lines")
    source: SourceOut = Field(description="the input file")
    pipeline: PipelineOut = Field(description="what made this record")
    error: Optional[ErrorOut] = Field(None, description="why the document failed (status 'failed' only)")


def _pipeline_info(settings: Settings) -> PipelineOut:
    from pipeline.ocr import tesseract_version

    return PipelineOut(
        version=pipeline.__version__, tesseract=tesseract_version(settings.tesseract_cmd), lang=settings.lang,
        restored=settings.restore, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def make_record(source, pages: Sequence[PageText], extraction: Extraction, settings: Settings) -> Record:
    return Record(
        **extraction.model_dump(),
        text=join_pages(pages),
        raw_text=join_pages(pages, raw=True),
        pages=[_page_out(p) for p in pages],
        source=SourceOut(path=source.path, sha256=source.sha256, mime=source.mime, pages=source.pages, size=source.size),
        pipeline=_pipeline_info(settings),
    )


def _page_out(page: PageText) -> PageOut:
    return PageOut(
        number=page.number, text_source=page.text_source, width=page.width, height=page.height, dpi=page.dpi,
        rotation=page.rotation, skew=page.skew, warnings=list(page.warnings),
        lines=[LineOut(text=ln.text, raw=ln.raw, bbox=list(ln.bbox), conf=ln.conf, region=ln.region) for ln in page.lines],
    )


def failed_record(path, error: SohoaError, source=None, settings: Settings = Settings()) -> Record:
    """The record of a document that could not be read: what, where and why."""
    if source is not None:
        src = SourceOut(path=source.path, sha256=source.sha256, mime=source.mime, pages=source.pages, size=source.size)
    else:
        src = _fingerprint(Path(path))
    return Record(
        status="failed", source=src, pipeline=_pipeline_info(settings),
        error=ErrorOut(code=error.code.value, stage=error.stage, message=error.message, hint=error.hint),
    )


def _fingerprint(path: Path) -> SourceOut:
    """Hash and size of a file refused before ingest finished, so a failure still names its exact bytes."""
    from pipeline.ingest import sha256_file

    try:
        return SourceOut(path=str(path), sha256=sha256_file(path), size=path.stat().st_size)
    except OSError:
        return SourceOut(path=str(path))


def record_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a record, as published in schemas/record.schema.json."""
    schema = Record.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sohoa record",
        **{k: v for k, v in schema.items() if k != "title"},
    }


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) if SCHEMA_PATH.exists() else record_schema()
    return jsonschema.Draft202012Validator(schema)


def record_json(record: Record) -> str:
    """The record as JSON text, validated against the published schema (raises jsonschema.ValidationError)."""
    text = record.model_dump_json(indent=2)
    _validator().validate(json.loads(text))
    return text


def write_record(record: Record, path: Path) -> Path:
    """Validate, then write atomically: a reader never sees a half-written record."""
    from pipeline.atomic import write_text

    return write_text(Path(path), record_json(record) + "\n")
