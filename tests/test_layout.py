import numpy as np
import pytest

from pipeline.layout import find_regions, order_lines
from pipeline.pagetext import Line, Word
from tests.decree_page import decree_page


@pytest.fixture(scope="module")
def grey():
    return np.asarray(decree_page().convert("L"))


def test_decree_page_has_header_and_footer_columns(grey):
    regions = {r.name: r for r in find_regions(grey, 300)}
    assert list(regions) == ["header_left", "header_right", "body", "footer_left", "footer_right"]
    # the header gutter lies between the agency column and the national motto
    gutter = regions["header_left"].box[2]
    assert 354 + 700 < gutter < 354 + 1330 - 600
    # the body starts below the header and ends above the footer
    assert regions["body"].box[1] == regions["header_left"].box[3]
    assert regions["body"].box[3] == regions["footer_left"].box[1]


def test_title_is_not_taken_into_the_header(grey):
    regions = {r.name: r for r in find_regions(grey, 300)}
    rows = np.flatnonzero((grey[:, 1000:1600] < 128).any(axis=1))
    header_bottom = regions["header_left"].box[3]
    # "KẾ HOẠCH" is centred: its ink starts below the header band
    assert any(y > header_bottom for y in rows[:400])


def test_plain_page_is_one_body_region():
    page = np.full((3508, 2480), 255, dtype=np.uint8)
    for i in range(30):
        page[300 + i * 90: 330 + i * 90, 354:2300] = 0  # full-width text lines
    regions = find_regions(page, 300)
    assert [r.name for r in regions] == ["body"]


def test_blank_page_is_one_body_region():
    regions = find_regions(np.full((1000, 800), 255, dtype=np.uint8), 300)
    assert [r.name for r in regions] == ["body"]


def _line(text, box):
    return Line(text=text, bbox=box, conf=-1.0, words=(Word(text, box, -1.0),))


def test_order_lines_reads_header_columns_one_after_the_other():
    lines = [
        _line("ỦY BAN NHÂN DÂN", (500, 240, 1050, 300)), _line("CỘNG HÒA XÃ HỘI", (1250, 240, 2150, 300)),
        _line("TỈNH AN HÒA", (560, 320, 990, 380)), _line("Độc lập - Tự do", (1400, 320, 2000, 380)),
        _line("Căn cứ Luật Tổ chức chính quyền địa phương", (354, 700, 2300, 760)),
        _line("Ủy ban nhân dân tỉnh ban hành Kế hoạch", (354, 800, 2300, 860)),
    ]
    ordered = order_lines(lines, 2480, 3508, 300)
    assert [ln.text for ln in ordered[:4]] == ["ỦY BAN NHÂN DÂN", "TỈNH AN HÒA", "CỘNG HÒA XÃ HỘI", "Độc lập - Tự do"]
    assert [ln.region for ln in ordered] == ["header_left"] * 2 + ["header_right"] * 2 + ["body"] * 2


def _text_row(page, y, spans, word=60, space=14, height=40):
    """Draw a row of 'words' (black boxes) filling each [x0, x1) span, separated by `space` pixels."""
    for x0, x1 in spans:
        x = x0
        while x + word <= x1:
            page[y:y + height, x:x + word] = 0
            x += word + space


def test_narrow_gutter_with_italic_word_gaps_still_splits_the_header():
    page = np.full((3508, 2480), 255, dtype=np.uint8)
    _text_row(page, 240, [(380, 1180), (1225, 2290)])            # agency | motto, 45 px apart
    _text_row(page, 300, [(400, 1160), (1400, 2100)])
    _text_row(page, 420, [(450, 1100), (1300, 2200)], space=22)  # Số | italic place-date, wide word gaps
    _text_row(page, 560, [(1100, 1500)])                          # centred type line
    for i in range(20):
        _text_row(page, 700 + i * 70, [(354, 2300)], space=26)    # justified body
    names = [r.name for r in find_regions(page, 300)]
    assert names[:3] == ["header_left", "header_right", "body"]
    left = next(r for r in find_regions(page, 300) if r.name == "header_left")
    assert 1180 <= left.box[2] <= 1225 and left.box[3] < 560


def test_stretched_word_space_above_the_footer_is_not_a_gutter():
    page = np.full((3508, 2480), 255, dtype=np.uint8)
    for i in range(20):
        _text_row(page, 300 + i * 70, [(354, 2300)], space=30)    # justified body, 30 px spaces
    for i in range(8):
        _text_row(page, 1800 + i * 60, [(354, 1000)])             # Nơi nhận list
    for i in range(4):
        _text_row(page, 1800 + i * 70, [(1500, 2100)])            # signer block
    regions = {r.name: r for r in find_regions(page, 300)}
    assert set(regions) == {"body", "footer_left", "footer_right"}
    assert regions["footer_left"].box[1] > 300 + 19 * 70
