"""Cross-stage fuzzing of the text stages (restore → structure) with hypothesis.

Whatever OCR or a broken text layer hands over — arbitrary Unicode, decomposed diacritics,
control characters, mixed scripts, one enormous line — restoration and the structure parser
must return (no exception, no hang) and everything they return must be NFC. The owners of
those modules test their behaviour; this only tests that bad text cannot take a run down.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.pagetext import Line, PageText, Word
from pipeline.restore import restore_page, restore_text
from pipeline.structure import extract_pages, extract_text

HANG_GUARD = 20_000  # ms per example: far beyond any normal document; only a hang or a blow-up reaches it
FUZZ = settings(max_examples=40, deadline=HANG_GUARD, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces of the genre, so the parsers' deeper paths (citations, dates, symbols, items, signer) are reached.
GENRE = (
    "ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "Số:", "12/KH-UBND", "/QĐ-UBND", "Quảng Trị, ngày 05 tháng 3 năm 2024", "KẾ HOẠCH", "QUYẾT ĐỊNH",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", "Nghị định số 30/2020/NĐ-CP",
    "I. MỤC ĐÍCH, YÊU CẦU", "II.", "1.", "1.1.", "a)", "-", "+", "Điều 1.", "TỔ CHỨC THỰC HIỆN",
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với", "Nơi nhận:", "- Như trên;", "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An", "tỷ đồng", "ngày 31/12/2025", "(", ")", ";", ":", "\t",
)
WEIRD = (
    "\u0301", "\u0323", "\u0309", "\u0303", "\u0300",      # combining Vietnamese tone marks (decomposed input)
    "\u200b", "\u200d", "\ufeff", "\u202e", "\u2028",      # zero-width, BOM, right-to-left override, line separator
    "\x00", "\x0c", "\r", "\r\n", "\x85",                  # control characters and odd line ends
    "漢字", "العربية", "русский", "ภาษาไทย", "🙂👍🏽", "ﬁ", "Ǆ", "İ", "ß", "\U0001d400",
)
fragments = st.one_of(st.sampled_from(GENRE), st.sampled_from(WEIRD), st.text(max_size=20))
texts = st.lists(st.tuples(fragments, st.sampled_from([" ", "\n", "", "  "])), max_size=80).map(
    lambda parts: "".join(a + b for a, b in parts))


def all_nfc(value) -> bool:
    """Every string anywhere in a (nested) dump is NFC."""
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value)
    if isinstance(value, dict):
        return all(all_nfc(k) and all_nfc(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(all_nfc(v) for v in value)
    return True


@FUZZ
@given(st.text(max_size=3000))
def test_restore_takes_any_unicode(text):
    assert unicodedata.is_normalized("NFC", restore_text(text))


@FUZZ
@given(texts)
def test_restore_takes_mixed_scripts_and_decomposed_marks(text):
    assert unicodedata.is_normalized("NFC", restore_text(text))


@FUZZ
@given(st.text(max_size=3000))
def test_structure_takes_any_unicode(text):
    assert all_nfc(extract_text(text).model_dump())


@FUZZ
@given(texts)
def test_structure_takes_genre_pieces_mixed_with_noise(text):
    assert all_nfc(extract_text(text).model_dump())


HUGE = 20_000  # characters on one line: a 6-page document flattened into one line by a broken text layer
MANY = 2_000   # lines of one repeated piece


@settings(max_examples=4, deadline=None)
@given(st.sampled_from(GENRE + WEIRD), st.sampled_from(["", " ", "\n"]))
@pytest.mark.timeout(300)
def test_huge_lines_and_long_texts_finish(piece, sep):
    """One piece repeated into a 20,000-character line, or into 2,000 lines: both stages return, output NFC."""
    text = sep.join([piece] * (MANY if sep == "\n" else HUGE // len(piece)))
    assert all_nfc(extract_text(text).model_dump())
    assert unicodedata.is_normalized("NFC", restore_text(text))


@pytest.mark.timeout(300)
def test_text_over_a_million_characters_is_parsed():
    """About 300 dense pages: more than spaCy's default 1M-character guard, which the structure stage lifts."""
    line = "Ủy ban nhân dân tỉnh triển khai kế hoạch số hóa tài liệu lưu trữ năm 2025"
    assert all_nfc(extract_text("\n".join([line] * 14_000)).model_dump())


def page_of(lines: list[str], number: int, source: str, region: str) -> PageText:
    out = []
    for i, text in enumerate(lines):
        text = " ".join(text.splitlines())  # a page line never holds a line break
        box = (10, 40 * i, 10 + 12 * len(text), 40 * i + 30)
        out.append(Line(text=text, bbox=box, conf=50.0, region=region,
                        words=tuple(Word(w, box, 50.0) for w in text.split())))
    return PageText(number=number, lines=tuple(out), text_source=source, width=2480, height=3508, dpi=300.0)


@FUZZ
@given(st.lists(st.tuples(st.lists(texts, max_size=12), st.sampled_from(["ocr", "text_layer"]),
                          st.sampled_from(["header_left", "header_right", "body", "footer_left", "footer_right"])),
                max_size=4))
def test_pages_through_restore_and_structure(pages):
    """The stages as `run` chains them: restored pages (OCR or text layer, any region) into the parser."""
    restored = [restore_page(page_of(lines, n + 1, source, region)) for n, (lines, source, region) in enumerate(pages)]
    for page in restored:
        assert all(unicodedata.is_normalized("NFC", line.text) for line in page.lines)
    assert all_nfc(extract_pages(restored).model_dump())
