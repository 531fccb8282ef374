from pipeline.layout import Region
from pipeline.ocr import MARGIN, Slot, is_noise, lines_from_data
from pipeline.pagetext import Line


def test_punctuation_debris_is_not_a_line():
    def line(text, conf):
        return Line(text=text, bbox=(0, 0, 10, 10), conf=conf)

    assert is_noise(line("⁄# `»", 49.5))
    assert is_noise(line("Z4, ..%", 13.5))
    assert not is_noise(line("2", 90.0))                       # a page number
    assert not is_noise(line("- Lưu: VT, VX.", 35.0))          # a real line read badly stays
    assert not is_noise(line("Trần Minh Tuấn", 55.0))



def test_boxes_map_back_from_the_stacked_image_to_the_page():
    """Two regions stacked in the OCR image: each word's box returns to its own place on the page."""
    slots = [Slot(Region("header_right", (1200, 0, 2480, 500)), top=MARGIN),
             Slot(Region("body", (0, 500, 2480, 3000)), top=MARGIN + 500 + 48)]
    data = {
        "text": ["CỘNG", "HÒA", "Căn"], "conf": [95, 93, 90],
        "left": [MARGIN + 100, MARGIN + 300, MARGIN + 354], "top": [MARGIN + 40, MARGIN + 40, MARGIN + 548 + 10],
        "width": [180, 120, 90], "height": [50, 50, 50],
        "block_num": [1, 1, 2], "par_num": [1, 1, 1], "line_num": [1, 1, 1],
    }
    first, second = lines_from_data(data, slots)
    assert first.text == "CỘNG HÒA" and first.region == "header_right"
    assert first.bbox == (1300, 40, 1620, 90)
    assert second.region == "body" and second.bbox == (354, 510, 444, 560)
