import hashlib

import pytest
from PIL import Image

from pipeline.config import Settings
from pipeline.errors import ErrorCode, SohoaError
from pipeline.ingest import expand_inputs, ingest, sniff_mime


@pytest.mark.parametrize("head,mime", [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"II*\x00rest", "image/tiff"),
    (b"MM\x00*rest", "image/tiff"),
    (b"\x89PNG\r\n\x1a\nxx", "image/png"),
    (b"\xff\xd8\xff\xe0xx", "image/jpeg"),
    (b"junk before %PDF-1.4", "application/pdf"),
    (b"Xin chao", None),
])
def test_type_comes_from_content(head, mime):
    assert sniff_mime(head) == mime


def test_extension_is_ignored(tmp_path):
    png_named_pdf = tmp_path / "scan.pdf"
    Image.new("L", (100, 100), 255).save(png_named_pdf, format="PNG")
    source = ingest(png_named_pdf)
    assert source.mime == "image/png" and source.pages == 1
    assert source.sha256 == hashlib.sha256(png_named_pdf.read_bytes()).hexdigest()


def test_multipage_tiff_counts_pages(tmp_path):
    path = tmp_path / "three.tif"
    frames = [Image.new("L", (200, 300), 255) for _ in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    assert ingest(path).pages == 3


def test_refusals_say_why(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    text = tmp_path / "note.jpg"
    text.write_text("không phải ảnh", encoding="utf-8")
    with pytest.raises(SohoaError) as e1:
        ingest(empty)
    with pytest.raises(SohoaError) as e2:
        ingest(text)
    with pytest.raises(SohoaError) as e3:
        ingest(tmp_path / "missing.pdf")
    assert (e1.value.code, e2.value.code, e3.value.code) == (ErrorCode.E_EMPTY, ErrorCode.E_UNSUPPORTED, ErrorCode.E_NOT_FOUND)
    assert "note.jpg" in e2.value.one_line(str(text))


def test_page_limit(tmp_path):
    path = tmp_path / "three.tif"
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(SohoaError) as err:
        ingest(path, Settings(max_pages=2))
    assert err.value.code == ErrorCode.E_TOO_MANY_PAGES


def test_folders_expand_recursively_skipping_hidden(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for p in (tmp_path / "a" / "one.pdf", tmp_path / "a" / "b" / "two.PNG", tmp_path / ".hidden" / "x.pdf",
              tmp_path / "a" / "readme.txt"):
        p.write_bytes(b"%PDF-1.4" if p.suffix != ".txt" else b"text")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_inputs([tmp_path])]
    assert found == ["a/b/two.PNG", "a/one.pdf"]
