"""Structure stage: one test per extractor on small strings, gold round-trips, a fuzz property."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.pagetext import Line, PageText, join_pages
from pipeline.structure import extract_pages, extract_text
from pipeline.structure.dates import parse_date
from pipeline.structure.header import split_issuer
from pipeline.structure.model import Extraction
from pipeline.structure.sections import classify
from pipeline.structure.symbols import find_symbols

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

HEADER = """ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH AN BÌNH\tĐộc lập - Tự do - Hạnh phúc
Số: 12/KH-UBND        An Bình, ngày   tháng 3 năm 2023
KẾ HOẠCH
Phòng chống thiên tai
năm 2023
Căn cứ Quyết định s6 90 / QD-TTg ngày 18-01-2022 của Thủ tướng Chính phủ phê duyệt Chương trình;
I. MỤC TIÊU
1. Mục tiêu chung
a) Nội dung một;
đ) Nội dung hai.
II. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính: Chủ trì, phối hợp với Sở Y tế bố trí kinh phí trước ngày 10/11.
2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội
- Tuyên truyền hằng năm.
Nơi nhận:
- Bộ Tài chính (để b/c);
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def test_dates_numeric_words_and_partial():
    assert parse_date("ngày 18/01/2022") == "2022-01-18"
    assert parse_date("23-6-2021") == "2021-06-23"
    assert parse_date("ngày 18 tháng 01 năm 2022") == "2022-01-18"
    assert parse_date("ngày    tháng 8 năm 2022") == "2022-08"
    assert parse_date("ngày tháng năm 2024") == "2024"


def test_symbols_grammars_and_ocr_noise():
    texts = {s.text for s in find_symbols("82/KH-UBND, 4240/UBND-VX, 55/2023/TT-BTC, 24/2021/QH15, 05-CT/TW, 90 / QD - TTg")}
    assert texts == {"82/KH-UBND", "4240/UBND-VX", "55/2023/TT-BTC", "24/2021/QH15", "05-CT/TW", "90/QĐ-TTg"}
    assert not find_symbols("ngày 18/01/2022 (để b/c) V/v")


def test_issuer_parent_split():
    assert split_issuer(["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN"]).model_dump() == {"name": "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN", "parent": None}
    assert split_issuer(["UBND TỈNH HẢI DƯƠNG", "SỞ Y TẾ"]).model_dump() == {"name": "SỞ Y TẾ", "parent": "UBND TỈNH HẢI DƯƠNG"}


def test_section_markers_follow_vietnamese_order():
    assert classify("đ) Nội dung")[:2] == ("letter", "đ")
    assert classify("f) not a Vietnamese item") is None
    assert classify("II. TỔ CHỨC")[:2] == ("roman", "II")
    assert classify("Điều 3. Hiệu lực")[:2] == ("article", "Điều 3")
    assert classify("18/01/2022 là ngày") is None


def test_header_from_interleaved_columns():
    doc = extract_text(HEADER).document
    assert doc.issuer.name == "ỦY BAN NHÂN DÂN TỈNH AN BÌNH" and doc.issuer.parent is None
    assert (doc.symbol, doc.number, doc.type, doc.type_code) == ("12/KH-UBND", "12", "Kế hoạch", "KH")
    assert (doc.place, doc.date, doc.title) == ("An Bình", "2023-03", "Phòng chống thiên tai năm 2023")


def test_citation_with_ocr_noise_is_legal_basis():
    (c,) = extract_text(HEADER).citations
    assert (c.type, c.symbol, c.date, c.issuer, c.role) == ("Quyết định", "90/QĐ-TTg", "2022-01-18", "Thủ tướng Chính phủ", "legal_basis")
    assert HEADER[c.provenance.span[0]:c.provenance.span[1]].startswith("Quyết định")


def test_sections_assignments_recipients_signer():
    ex = extract_text(HEADER)
    assert [s.marker for s in ex.sections] == ["I", "II"]
    assert [c.marker for c in ex.sections[0].children[0].children] == ["a", "đ"]
    roles = {(a.agency.name, a.role) for a in ex.assignments}
    assert ("Sở Tài chính", "lead") in roles and ("Sở Y tế", "support") in roles
    assert ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "requested") in roles
    assert ("Các tổ chức chính trị - xã hội", "requested") in roles
    lead = next(a for a in ex.assignments if a.role == "lead")
    assert [d.date for d in lead.deadlines] == ["2023-11-10"]
    assert [(r.name, r.purpose) for r in ex.recipients] == [("Bộ Tài chính", "b/c"), ("Lưu: VT", "lưu")]
    s = ex.signer
    assert (s.authority, s.on_behalf_of, s.position, s.name) == ("KT.", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An")
    assert [step.authority for step in s.chain] == ["TM.", "KT."]


def test_agency_validity_follows_2025_reorganization():
    text = HEADER.replace("năm 2023\nCăn", "năm 2023\nCăn").replace("tháng 3 năm 2023", "tháng 9 năm 2025")
    text = text.replace("Sở Y tế", "Sở Thông tin và Truyền thông")
    a = next(a for a in extract_text(text).assignments if a.agency.gazetteer_id == "prov.so-tttt")
    assert a.agency.valid_on_document_date is False and a.agency.successor == "Sở Khoa học và Công nghệ"


def test_extract_pages_spans_index_joined_text_and_carry_boxes():
    lines = [Line(t, (10, 20 * i, 500, 20 * i + 18), 95.0) for i, t in enumerate(HEADER.splitlines())]
    pages = [PageText(1, tuple(lines[:10])), PageText(2, tuple(lines[10:]))]
    ex = extract_pages(pages)
    text = join_pages(pages)
    c = ex.citations[0]
    assert text[c.provenance.span[0]:c.provenance.span[1]] == c.text
    assert c.provenance.page == 1 and c.provenance.bbox is not None
    assert ex.signer.provenance.page == 2


def test_schema_documents_every_field():
    def walk(schema, defs):
        for name, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{schema.get('title')}.{name} has no description"
        for d in defs.values():
            for name, prop in d.get("properties", {}).items():
                assert prop.get("description"), f"{d.get('title')}.{name} has no description"
    schema = Extraction.model_json_schema()
    walk(schema, schema.get("$defs", {}))


def _gold_cases():
    cases = [(p, ROOT / "samples" / "docs" / f"{p.stem}.txt") for p in sorted((ROOT / "samples" / "gold").glob("*.json"))]
    cases += [(p, SHARED / "seeds" / f"{p.stem}.txt") for p in sorted((ROOT / "tests" / "gold" / "seeds").glob("*.json"))]
    return cases


@pytest.mark.parametrize("gold_path,source", _gold_cases(), ids=lambda x: getattr(x, "stem", ""))
def test_gold_round_trip(gold_path, source):
    """Gold files are well formed, and the parser reproduces their header and signer."""
    gold = json.loads(gold_path.read_text())
    for key in ("document", "signer", "citations", "assignments", "recipients", "sections"):
        assert key in gold
    if "samples" in gold_path.parts:
        from bench.structure import _sample_text
        text = _sample_text(gold_path.stem)
    else:
        if not source.exists():
            pytest.skip(f"{source} absent: the seeds live in ../shared beside the repo")
        text = source.read_text(encoding="utf-8")
    ex = extract_text(text)
    got = ex.model_dump(include={"document": {"issuer", "symbol", "number", "type", "type_code", "place", "date", "title"}})["document"]
    assert got == gold["document"]
    assert {k: ex.signer.model_dump()[k] for k in gold["signer"]} == gold["signer"]
    Extraction.model_validate_json(ex.model_dump_json())


_VOCAB = ["Căn cứ", "Quyết định số", "90/QĐ-TTg", "ngày", "18/01/2022", "của", "Ủy ban nhân dân tỉnh", "I.", "1.", "a)", "đ)", "-", "+",
          "TỔ CHỨC THỰC HIỆN", "Sở Tài chính:", "chủ trì", "phối hợp với", "Nơi nhận:", "TM.", "KT. CHỦ TỊCH", "Số:", "/KH-UBND",
          "KẾ HOẠCH", "V/v", "(để b/c);", "Luật", "tháng", "năm 2024", "\n", "\n\n", "\t", "  ", ":", ";", "."]


@settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_VOCAB) | st.text(max_size=12), max_size=120).map(" ".join),
    st.tuples(st.integers(0, len(HEADER)), st.integers(0, 40), st.text(max_size=20)).map(
        lambda t: HEADER[: t[0]] + t[2] + HEADER[t[0] + t[1]:]),
))
def test_never_crashes_and_output_validates(text):
    ex = extract_text(text)
    again = Extraction.model_validate_json(ex.model_dump_json())
    assert again == ex
