"""Make a clean rendered page look scanned: seal, signature, tint, skew, blur, noise, speckles.

All randomness comes from a numpy Generator the caller seeds, so a rerun gives the same pixels.
Inks are applied multiplicatively (like ink on paper): black text under the red seal stays dark,
which is what lets a colour mask recover it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.layout import FONT_DIR, FONT_FILES

SEAL_RED = (196, 32, 44)
SIGNATURE_BLUE = (28, 48, 150)


@dataclass(frozen=True)
class ScanStyle:
    dpi: int
    rotation: float  # degrees, sign included
    blur_sigma: float  # at 300 dpi; scaled with dpi
    noise_sigma: float  # grey levels
    tint: tuple[int, int, int] = (246, 243, 234)
    speckles: int = 40


def blend_ink(img: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int]) -> None:
    """Multiply ink of `colour` with coverage `alpha` (0..1, same HxW as img) into img (RGB, in place)."""
    ink = np.array(colour, dtype=np.float32) / 255.0
    factor = 1.0 - alpha[..., None] * (1.0 - ink[None, None, :])
    img[:] = np.clip(img.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def paste_alpha(canvas: np.ndarray, patch: np.ndarray, cx: int, cy: int) -> None:
    """Max-combine `patch` (float alpha) into `canvas` centred at (cx, cy), clipped to the page."""
    h, w = patch.shape
    x0, y0 = cx - w // 2, cy - h // 2
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(canvas.shape[1], x0 + w), min(canvas.shape[0], y0 + h)
    if xe <= xs or ye <= ys:
        return
    region = canvas[ys:ye, xs:xe]
    np.maximum(region, patch[ys - y0:ye - y0, xs - x0:xe - x0], out=region)


def seal_alpha(text: str, diameter: int, rng: np.random.Generator) -> np.ndarray:
    """A round seal: double ring, agency text around the top and sides, a star in the middle."""
    size = diameter + 8
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    c = size / 2
    r = diameter / 2
    ring = max(2, diameter // 90)
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring * 2)
    r_in = r * 0.72
    d.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=255, width=ring)
    star_r = r * 0.22
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rad = star_r if k % 2 == 0 else star_r * 0.4
        pts.append((c + rad * math.cos(ang), c + rad * math.sin(ang)))
    d.polygon(pts, fill=255)
    font = ImageFont.truetype(str(FONT_DIR / FONT_FILES["B"]), max(8, int(r * 0.17)))
    text_r = (r + r_in) / 2
    letters = list(text.upper())
    span = math.radians(300)
    for i, ch in enumerate(letters):
        ang = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(letters)
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)
        gx = int(c + text_r * math.cos(ang) - glyph.width / 2)
        gy = int(c + text_r * math.sin(ang) - glyph.height / 2)
        im.paste(255, (gx, gy), glyph)
    alpha = np.asarray(im, dtype=np.float32) / 255.0
    # uneven inking: a smooth random field, lighter in places like a real stamp
    field = cv2.GaussianBlur(rng.random((size, size)).astype(np.float32), (0, 0), diameter / 25)
    field = (field - field.min()) / (np.ptp(field) + 1e-6)
    return alpha * (0.55 + 0.4 * field)


def signature_alpha(width: int, height: int, thickness: int, rng: np.random.Generator) -> np.ndarray:
    """A handwritten-looking flourish: a smooth random loop-and-swash polyline."""
    t = np.linspace(0, 1, 400)
    loops = rng.uniform(2.5, 4.0)
    x = 0.08 + 0.8 * t + 0.06 * np.sin(2 * math.pi * loops * t)
    y = 0.5 + 0.28 * np.sin(2 * math.pi * loops * t + rng.uniform(0, math.pi)) * (1 - 0.6 * t) - 0.25 * t
    swash_t = np.linspace(0, 1, 120)
    sx = 0.9 - 0.85 * swash_t
    sy = 0.78 - 0.1 * np.sin(math.pi * swash_t)
    mask = np.zeros((height, width), np.uint8)
    for xs, ys in ((x, y), (sx, sy)):
        pts = np.stack([xs * width, ys * height], axis=1).astype(np.int32)
        cv2.polylines(mask, [pts], False, 255, thickness, lineType=cv2.LINE_AA)
    return mask.astype(np.float32) / 255.0 * 0.9


def stamp_and_sign(img: np.ndarray, seal_text: str, seal_centre: tuple[int, int], seal_diameter: int,
                   sign_box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """Sign first, then stamp over it, as the clerk does after the signer."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = sign_box
    sig = signature_alpha(x1 - x0, y1 - y0, max(2, (x1 - x0) // 110), rng)
    alpha = np.zeros((h, w), np.float32)
    paste_alpha(alpha, sig, (x0 + x1) // 2, (y0 + y1) // 2)
    blend_ink(img, alpha, SIGNATURE_BLUE)
    alpha[:] = 0
    paste_alpha(alpha, seal_alpha(seal_text, seal_diameter, rng), *seal_centre)
    blend_ink(img, alpha, SEAL_RED)


def scan(img: np.ndarray, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    """Paper tint and uneven light, skew, optics blur, sensor noise and dust speckles."""
    h, w = img.shape[:2]
    scale = style.dpi / 300
    out = img.astype(np.float32) * (np.array(style.tint, np.float32) / 255.0)
    yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    xx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    light = 1.0 - 0.03 * (xx * rng.uniform(-1, 1) + yy * rng.uniform(-1, 1)) ** 2
    out *= light[..., None]
    for _ in range(style.speckles):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        rad = max(1, int(rng.uniform(0.8, 2.5) * scale))
        cv2.circle(out, (cx, cy), rad, (60.0, 60.0, 60.0), -1, lineType=cv2.LINE_AA)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), style.rotation, 1.0)
    border = tuple(float(v) for v in style.tint)
    out = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    # sensor noise before the optics blur: grainy but correlated, as a scanner's JPEG output looks
    out += rng.normal(0, style.noise_sigma, out.shape[:2]).astype(np.float32)[..., None]
    if style.blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), style.blur_sigma * scale)
    return np.clip(out, 0, 255).astype(np.uint8)
