import json

import jsonschema
import pytest

from pipeline.config import Settings
from pipeline.errors import ErrorCode, SohoaError
from pipeline.ingest import Source
from pipeline.pagetext import Line, PageText, Word, join_pages, line_offsets, page_from_dict, page_to_dict
from pipeline.record import SCHEMA_PATH, failed_record, make_record, record_json, record_schema
from pipeline.structure.model import Extraction


def test_checked_in_schema_is_current():
    """schemas/record.schema.json must be regenerated (`make schema`) whenever the models change."""
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == record_schema()


def test_schema_is_2020_12_with_versioned_id():
    schema = record_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "/record/" in schema["$id"] and schema["$id"].endswith(".json")
    jsonschema.Draft202012Validator.check_schema(schema)


def _pages():
    w = Word("Kế", (10, 10, 40, 30), 91.0)
    return [
        PageText(1, (Line("Kế hoạch", (10, 10, 90, 30), 91.0, (w,), region="body", raw="Ke hoach"),
                     Line("Số: 5/KH-UBND", (10, 40, 90, 60), 88.0)), width=100, height=200, dpi=300.0),
        PageText(2, (Line("Nơi nhận:", (10, 10, 90, 30), 95.0),), text_source="ocr"),
    ]


def test_record_keeps_raw_and_restored_text_and_validates():
    source = Source(path="a.pdf", sha256="0" * 64, mime="application/pdf", pages=2, size=10)
    record = make_record(source, _pages(), Extraction(), Settings())
    data = json.loads(record_json(record))
    assert data["text"] == "Kế hoạch\nSố: 5/KH-UBND\n\nNơi nhận:"
    assert data["raw_text"].startswith("Ke hoach\n")
    assert data["pages"][0]["lines"][0] == {"text": "Kế hoạch", "raw": "Ke hoach", "bbox": [10, 10, 90, 30],
                                             "conf": 91.0, "region": "body"}
    assert data["status"] == "ok" and data["source"]["sha256"] == "0" * 64


def test_failed_record_validates_and_says_why():
    err = SohoaError(ErrorCode.E_ENCRYPTED, stage="ingest", hint="ask for an unprotected copy")
    data = json.loads(record_json(failed_record("x.pdf", err)))
    assert data["status"] == "failed"
    assert data["error"]["code"] == "E_ENCRYPTED" and data["error"]["stage"] == "ingest"
    assert data["source"]["sha256"] is None  # no such file: nothing to fingerprint


def test_failed_record_fingerprints_a_refused_file(tmp_path):
    import hashlib

    junk = tmp_path / "notes.jpg"
    junk.write_bytes(b"not an image")
    data = json.loads(record_json(failed_record(junk, SohoaError(ErrorCode.E_UNSUPPORTED))))
    assert data["source"]["sha256"] == hashlib.sha256(b"not an image").hexdigest()
    assert data["source"]["size"] == 12


def test_line_offsets_index_the_joined_text():
    pages = _pages()
    text = join_pages(pages)
    for start, end, _, line in line_offsets(pages):
        assert text[start:end] == line.text


def test_page_dict_round_trip():
    for page in _pages():
        assert page_from_dict(json.loads(json.dumps(page_to_dict(page)))) == page


def test_invalid_record_is_refused():
    record = failed_record("x.pdf", SohoaError(ErrorCode.E_EMPTY))
    record.status = "maybe"  # not in the schema's enum
    with pytest.raises(jsonschema.ValidationError):
        record_json(record)
