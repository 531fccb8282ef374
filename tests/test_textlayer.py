"""A PDF's own text is used when it is real Vietnamese, and OCR'd again when it is an old garbled OCR."""

import pytest

from pipeline.config import Settings
from pipeline.ingest import ingest
from pipeline.restore import model_available
from pipeline.run import ocr_page
from tests import faultfiles as F

# Our own lines, garbled the way an English-model OCR garbles Vietnamese (see ../shared/seeds/README.md).
GARBLED = (
    "KE HOACH",
    "Trién khai chuyén déi s6 trong co quan nha nudc nam 2025",
    "Can ctr Luat T6 chtrc chinh quyén dia phuong ngay 19 thang 6 nam 2015;",
    "Uy ban nhan dan huyén ban hanh ké hoach thuc hién nhu sau:",
    "1. Nang cao chat lugng phuc vu ngudi dan va doanh nghiép.",
    "2. S6 hoa hé so, tai liéu luu trir cta cac co quan, don vi.",
)


def test_real_text_layer_is_used_as_is(tmp_path):
    source = ingest(F.text_pdf(tmp_path / "plan.pdf"))
    page = ocr_page(source, 1, Settings())
    assert page.text_source == "text_layer"
    assert F.recall(F.PLAN_LINES, page.text) > 0.95


@pytest.mark.skipif(not model_available(), reason="the restoration model (models/restore) is not built")
def test_garbled_text_layer_is_read_again(tmp_path):
    source = ingest(F.text_pdf(tmp_path / "old-ocr.pdf", pages=(GARBLED,)))
    page = ocr_page(source, 1, Settings())
    assert page.text_source == "ocr"
    assert any("text layer" in w for w in page.warnings)
    assert ocr_page(source, 1, Settings(restore=False)).text_source == "text_layer"
