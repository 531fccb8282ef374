"""End to end on a synthetic Decree 30 page: seal, skew and columns, through `sohoa process`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.metrics import cer
from pipeline.preprocess import rotate
from tests.decree_page import BODY, FOOTER_LEFT, FOOTER_RIGHT, HEADER_LEFT, HEADER_RIGHT, decree_page, red_seal

pytestmark = pytest.mark.slow
SOHOA = [str(Path(sys.executable).with_name("sohoa"))]


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    import numpy as np
    from PIL import Image

    tmp = tmp_path_factory.mktemp("e2e")
    img = red_seal(decree_page(), (354 + 1350, 2350))
    skewed = np.stack([rotate(np.asarray(img)[:, :, c], 1.2) for c in range(3)], axis=2)
    Image.fromarray(skewed).save(tmp / "kế hoạch số 27.tif", dpi=(300, 300), compression="tiff_lzw")
    done = subprocess.run(SOHOA + ["process", str(tmp / "kế hoạch số 27.tif"), "--out", str(tmp / "out"), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((tmp / "out" / "kế hoạch số 27.json").read_text(encoding="utf-8"))


def test_columns_are_read_one_after_the_other(record):
    text = record["text"]
    expected = "\n".join(HEADER_LEFT + HEADER_RIGHT)
    assert cer(text[: len(expected) + 20].split("KẾ HOẠCH")[0], expected) < 0.03
    regions = [ln["region"] for ln in record["pages"][0]["lines"]]
    assert regions[:3] == ["header_left"] * 3 and regions[3:6] == ["header_right"] * 3


def test_text_is_accurate_despite_seal_and_skew(record):
    truth = "\n".join(HEADER_LEFT + HEADER_RIGHT + ("KẾ HOẠCH", "Giảm nghèo bền vững năm 2024") + BODY
                      + FOOTER_LEFT + tuple(x for x in FOOTER_RIGHT if x))
    assert cer(record["text"], truth) < 0.02
    page = record["pages"][0]
    assert page["skew"] == pytest.approx(-1.2, abs=0.2)
    assert page["text_source"] == "ocr"
    assert all(ln["bbox"][2] > ln["bbox"][0] and 0 <= ln["conf"] <= 100 for ln in page["lines"])
