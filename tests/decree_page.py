"""A synthetic Decree 30/2020 page drawn with PIL, for layout and preprocessing tests (our own wording)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
DPI = 300
W, H = 2480, 3508
LEFT, RIGHT = 354, 2480 - 177   # 30 mm and 15 mm margins

HEADER_LEFT = ("ỦY BAN NHÂN DÂN", "HUYỆN SÔNG LAM", "Số: 27/KH-UBND")
HEADER_RIGHT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Sông Lam, ngày 09 tháng 5 năm 2024")
BODY = (
    "Căn cứ Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng Chính phủ phê duyệt",
    "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 - 2025;",
    "Ủy ban nhân dân huyện ban hành Kế hoạch thực hiện như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Nâng cao nhận thức của cán bộ, đảng viên và Nhân dân về công tác giảm nghèo.",
    "2. Huy động nguồn lực của toàn xã hội tham gia thực hiện Chương trình.",
)
FOOTER_LEFT = ("Nơi nhận:", "- UBND tỉnh (để b/c);", "- Các xã, thị trấn;", "- Lưu: VT.")
FOOTER_RIGHT = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "Lê Văn Bình")


def _font(size_pt: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(SERIF_BOLD if bold else SERIF, round(size_pt / 72 * DPI))


def _centred(draw, lines, centre_x, y, size, bold=False) -> int:
    font = _font(size, bold)
    for line in lines:
        if line:
            w = draw.textlength(line, font=font)
            draw.text((centre_x - w / 2, y), line, font=font, fill=0)
        y += round(size / 72 * DPI * 1.35)
    return y


def decree_page() -> Image.Image:
    img = Image.new("RGB", (W, H), (250, 248, 242))
    draw = ImageDraw.Draw(img)
    y0 = 240
    _centred(draw, HEADER_LEFT, LEFT + 420, y0, 13, bold=True)
    y = _centred(draw, HEADER_RIGHT, LEFT + 1330, y0, 13, bold=True)
    y = _centred(draw, ("KẾ HOẠCH", "Giảm nghèo bền vững năm 2024"), (LEFT + RIGHT) / 2, y + 120, 14, bold=True)
    font = _font(13)
    y += 80
    for line in BODY:
        draw.text((LEFT, y), line, font=font, fill=0)
        y += round(13 / 72 * DPI * 1.5)
    y += 120
    small = _font(11)
    fy = y
    for line in FOOTER_LEFT:
        draw.text((LEFT, fy), line, font=small, fill=0)
        fy += round(11 / 72 * DPI * 1.4)
    _centred(draw, FOOTER_RIGHT, LEFT + 1500, y, 13, bold=True)
    return img


def red_seal(img: Image.Image, centre: tuple[int, int], radius: int = 190) -> Image.Image:
    """A red ring with a star, stamped over whatever is there (multiplied, like ink)."""
    seal = Image.new("RGB", img.size, (255, 255, 255))
    d = ImageDraw.Draw(seal)
    cx, cy = centre
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=(215, 30, 40), width=14)
    d.ellipse((cx - radius + 40, cy - radius + 40, cx + radius - 40, cy + radius - 40), outline=(215, 30, 40), width=6)
    d.regular_polygon((cx, cy, 60), 5, fill=(215, 30, 40))
    from PIL import ImageChops

    return ImageChops.multiply(img, seal)
