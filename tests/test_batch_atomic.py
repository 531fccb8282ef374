"""pipeline.atomic: the one place outputs are written and originals moved — whole or not at all."""

from __future__ import annotations

import pytest

from pipeline import atomic


def test_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "r.json"
    atomic.write_text(target, "old")
    atomic.write_text(target, "mới")
    assert target.read_text(encoding="utf-8") == "mới"
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]


def test_an_error_mid_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "records.jsonl"
    atomic.write_text(target, "complete\n")
    with pytest.raises(RuntimeError):
        with atomic.replacing(target) as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["records.jsonl"]


def test_stale_temps_of_a_killed_writer_are_removed(tmp_path):
    (tmp_path / ".r.json.abc123.tmp").write_text("torn")
    (tmp_path / "r.json").write_text("{}")
    assert [p.name for p in atomic.remove_stale_temps(tmp_path)] == [".r.json.abc123.tmp"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_free_names_and_moves_never_overwrite(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "Kế hoạch.pdf").write_text("1")
    (tmp_path / "b" / "Kế hoạch.pdf").write_text("2")
    assert atomic.free_path(tmp_path / "a", "Kế hoạch.pdf").name == "Kế hoạch (2).pdf"
    assert atomic.free_path(tmp_path / "a", "x.pdf", taken={"x.pdf"}).name == "x (2).pdf"
    with pytest.raises(FileExistsError):
        atomic.move(tmp_path / "b" / "Kế hoạch.pdf", tmp_path / "a" / "Kế hoạch.pdf")
    moved = atomic.move_free(tmp_path / "b" / "Kế hoạch.pdf", tmp_path / "a")
    assert moved.name == "Kế hoạch (2).pdf" and moved.read_text() == "2"
    assert (tmp_path / "a" / "Kế hoạch.pdf").read_text() == "1"
