import numpy as np
import pytest

from pipeline.config import Settings
from pipeline.preprocess import estimate_skew, preprocess, remove_colour_ink, rotate
from pipeline.rasterize import PageImage
from tests.decree_page import decree_page, red_seal


def test_colour_ink_goes_black_text_stays():
    rgb = np.full((40, 40, 3), 245, dtype=np.uint8)
    rgb[:10] = (210, 35, 40)      # red seal ink
    rgb[10:20] = (30, 50, 190)    # blue signature ink
    rgb[20:30] = (20, 20, 25)     # black text
    rgb[30:35] = (45, 20, 25)     # black text printed over red ink
    rgb[35:] = (40, 12, 52)       # red seal ink crossing blue signature ink: dark violet
    grey, removed = remove_colour_ink(rgb)
    assert removed
    assert grey[:20].min() == 255
    assert grey[20:35].max() < 60
    assert grey[35:].min() == 255


def test_seal_over_signer_is_removed_without_losing_the_name():
    img = decree_page()
    clean = np.asarray(img.convert("L"))
    sealed = np.asarray(red_seal(img, (354 + 1350, 2350)))
    grey, removed = remove_colour_ink(sealed)
    assert removed
    # after removal the page differs from the unsealed page in few pixels (anti-aliased ring edges only)
    differs = np.abs(grey.astype(int) - np.maximum(clean, 0).astype(int)) > 80
    assert differs.mean() < 0.002


@pytest.mark.parametrize("angle", [-2.0, -0.8, 1.3, 3.0])
def test_skew_is_found(angle):
    grey = np.asarray(decree_page().convert("L"))
    skewed = rotate(grey, angle)
    assert estimate_skew(skewed) == pytest.approx(-angle, abs=0.15)


def test_upscale_only_low_resolution():
    grey = np.asarray(decree_page().convert("L").resize((1240, 1754)))
    settings = Settings()
    low = preprocess(PageImage(1, grey, dpi=100.0), settings)
    assert low.scale == 2.0 and low.dpi == 200.0 and low.grey.shape == (3508, 2480)
    mid = preprocess(PageImage(1, grey, dpi=200.0), settings)
    assert mid.scale == 1.0 and mid.grey.shape == grey.shape
    fine = preprocess(PageImage(1, grey, dpi=600.0), Settings(ocr_dpi=300))
    assert fine.scale == 0.5 and fine.dpi == 300.0



def test_lone_specks_go_diacritics_and_hyphens_stay():
    from pipeline.preprocess import remove_specks
    from tests.decree_page import _font

    from PIL import Image, ImageDraw

    img = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(img)
    draw.text((120, 60), "- Ủy ban nhân dân tỉnh.", font=_font(13 * 240 / 300), fill=0)
    grey = np.asarray(img).copy()
    text_ink = (grey < 128).sum()
    grey[20:23, 40:43] = 30      # dust in the margin
    grey[150:153, 600:603] = 30  # dust between lines
    clean = remove_specks(grey, 240)
    assert clean[20:23, 40:43].min() == 255 and clean[150:153, 600:603].min() == 255
    assert (clean < 128).sum() == text_ink  # every mark of the text kept: dash, diacritics, full stop
