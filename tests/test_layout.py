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
