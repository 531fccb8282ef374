"""Factories for the fault battery: every bad (and every odd but good) input is made at test time.

Nothing binary is committed. Page images carry Vietnamese text rendered with Liberation Serif
at 300 dpi, so a test can check that a file that should work really was read (the words come
back), not merely that no exception escaped.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
SERIF = FONT_DIR / "LiberationSerif-Regular.ttf"
SERIF_BOLD = FONT_DIR / "LiberationSerif-Bold.ttf"
DPI = 300

# Written for these tests, in the genre (a district plan): not taken from any real document.
PLAN_LINES = (
    "KẾ HOẠCH",
    "Triển khai chuyển đổi số trong cơ quan nhà nước năm 2025",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Ủy ban nhân dân huyện ban hành kế hoạch thực hiện như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Nâng cao chất lượng phục vụ người dân và doanh nghiệp.",
    "2. Số hóa hồ sơ, tài liệu lưu trữ của các cơ quan, đơn vị.",
    "3. Bảo đảm an toàn thông tin trong quá trình triển khai.",
)
COPY_LINES = (
    "SAO Y",
    "Sở Thông tin và Truyền thông sao y bản chính văn bản này để gửi các",
    "cơ quan, đơn vị liên quan biết và thực hiện theo đúng quy định hiện hành.",
) + PLAN_LINES[1:]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def words(text: str) -> list[str]:
    return [w.strip(".,;:()").lower() for w in text.split() if w.strip(".,;:()")]


def recall(expected_lines, text: str) -> float:
    """Share of the expected words found in `text`: did the page really get read?"""
    want = words(" ".join(expected_lines))
    have = set(words(text))
    return sum(w in have for w in want) / max(1, len(want))


# ---------------------------------------------------------------- page images


def text_page(lines=PLAN_LINES, *, width_in: float = 8.27, height_in: float = 4.6, pt: float = 13.0,
              photo: bool = False) -> Image.Image:
    """A white page (greyscale, 300 dpi) with the lines typeset from a 1-inch margin; the first one bold."""
    img = Image.new("L", (round(width_in * DPI), round(height_in * DPI)), 255)
    draw = ImageDraw.Draw(img)
    size = round(pt / 72 * DPI)
    y = DPI // 2
    for i, line in enumerate(lines):
        font = ImageFont.truetype(str(SERIF_BOLD if i == 0 else SERIF), size)
        draw.text((DPI, y), line, font=font, fill=0)
        y += round(size * 1.45)
    return img


def photo_page(width_in: float = 8.27, height_in: float = 5.0, seed: int = 7) -> Image.Image:
    """A page that is only a photograph: smooth colour gradients and blobs, no text at all."""
    import numpy as np

    rng = np.random.default_rng(seed)
    h, w = round(height_in * DPI), round(width_in * DPI)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([
        120 + 80 * np.sin(xx / 310.0 + rng.uniform(0, 6)) * np.cos(yy / 270.0),
        110 + 70 * np.cos(xx / 190.0) * np.sin(yy / 350.0 + rng.uniform(0, 6)),
        100 + 60 * np.sin((xx + yy) / 420.0),
    ], axis=2)
    for _ in range(12):  # dark and bright blobs: trees, faces, a roof
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(80, 400)
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        rgb[mask] = rgb[mask] * rng.uniform(0.3, 1.4)
    rgb += rng.normal(0, 6, rgb.shape)
    return Image.fromarray(rgb.clip(0, 255).astype("uint8"), "RGB")


def save_image(img: Image.Image, path: Path, fmt: str, **options) -> Path:
    img.save(path, fmt, dpi=(DPI, DPI), **options)
    return Path(path)


def cmyk_jpeg(path: Path) -> Path:
    return save_image(text_page().convert("CMYK"), path, "JPEG", quality=92)


def tiff_16bit(path: Path) -> Path:
    """A 16-bit greyscale TIFF (values 0..65535, as some archive scanners write)."""
    import numpy as np

    grey = np.asarray(text_page(), dtype=np.uint16) * 257
    img = Image.fromarray(grey)
    return save_image(img, path, "TIFF", compression="tiff_lzw")


def tiff_1bit(path: Path) -> Path:
    return save_image(text_page().point(lambda v: 255 if v > 128 else 0).convert("1"), path, "TIFF",
                      compression="group4")


def palette_png(path: Path) -> Path:
    return save_image(text_page().convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16), path, "PNG")


def alpha_png(path: Path) -> Path:
    """Text drawn as opaque ink on a fully transparent background: flattening must put it on white."""
    page = text_page()
    rgba = Image.new("RGBA", page.size, (0, 0, 0, 0))
    rgba.putalpha(page.point(lambda v: 255 - v))
    return save_image(rgba, path, "PNG")


def rotated_png(path: Path, degrees: int) -> Path:
    """A full text page turned by `degrees` counter-clockwise, as a scanner feeding it sideways would."""
    page = text_page(PLAN_LINES + PLAN_LINES[2:], height_in=6.5)
    return save_image(page.rotate(degrees, expand=True, fillcolor=255), path, "PNG")


def blank_png(path: Path) -> Path:
    return save_image(Image.new("L", (2480, 3508), 255), path, "PNG")


def bomb_png(path: Path, side: int = 40_000) -> Path:
    """A valid 1-bit PNG of side×side pixels (1.6 Gpx) that is a few hundred KB on disk.

    Written by hand (IHDR + one zlib-compressed IDAT of blank rows) so making it never
    allocates the image: only what decodes it would.
    """
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter byte + white pixels
    comp = zlib.compressobj(9)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)))
        chunks = [comp.compress(row * 1000) for _ in range(side // 1000)]
        chunks.append(comp.compress(row * (side % 1000)))
        chunks.append(comp.flush())
        fh.write(_chunk(b"IDAT", b"".join(chunks)))
        fh.write(_chunk(b"IEND", b""))
    return Path(path)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# ---------------------------------------------------------------- PDFs


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "FaultSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("FaultSerif", str(SERIF)))
    return "FaultSerif"


def pdf(path: Path, pages) -> Path:
    """A PDF with one page per item: a tuple of lines becomes a born-digital page (real text layer),
    an image becomes a scanned page (JPEG, no text layer, page size from its 300 dpi)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=1)
    for page in pages:
        if isinstance(page, Image.Image):
            w, h = (v * 72 / DPI for v in page.size)
            canvas.setPageSize((w, h))
            buf = io.BytesIO()
            page.convert("L").save(buf, "JPEG", quality=80)
            canvas.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, w, h)
        else:
            canvas.setPageSize((595, 842))
            canvas.setFont(_font(), 13)
            for i, line in enumerate(page):
                canvas.drawString(72, 770 - 20 * i, line)
        canvas.showPage()
    canvas.save()
    return Path(path)


def text_pdf(path: Path, pages=(PLAN_LINES,)) -> Path:
    return pdf(path, pages)


def scan_pdf(path: Path, images: list[Image.Image]) -> Path:
    return pdf(path, images)


def encrypted_pdf(src: Path, dst: Path, *, user: str, owner: str) -> Path:
    """`src` protected with AES-256: a user password locks opening, an owner password only restricts."""
    import pikepdf

    with pikepdf.open(src) as pdf:
        pdf.save(dst, encryption=pikepdf.Encryption(user=user, owner=owner,
                                                    allow=pikepdf.Permissions(extract=False, modify_other=False)))
    return Path(dst)


def zero_page_pdf(path: Path) -> Path:
    import pikepdf

    pdf = pikepdf.new()
    pdf.save(path)
    return Path(path)


def truncated(src: Path, dst: Path, fraction: float = 0.3) -> Path:
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * fraction)])
    return Path(dst)


def signed_pdf(src: Path, dst: Path) -> Path:
    """`src` digitally signed (PAdES, self-signed test certificate) as an incremental update, like e-government copies."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Thông tin và Truyền thông (test)")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    work = Path(dst).parent
    key_pem, cert_pem = work / ".sign-key.pem", work / ".sign-cert.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner.load(str(key_pem), str(cert_pem))
    key_pem.unlink()
    cert_pem.unlink()
    with open(src, "rb") as inp:
        writer = IncrementalPdfFileWriter(inp)
        fields.append_signature_field(writer, fields.SigFieldSpec("Signature1", box=(350, 60, 550, 120)))
        with open(dst, "wb") as out:
            signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Signature1", reason="SAO Y"),
                             signer=signer, output=out)
    return Path(dst)
