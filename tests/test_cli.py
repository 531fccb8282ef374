from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app, record_names


def test_record_names_stay_inside_the_output_folder():
    names = record_names([Path("/tmp/a/scan.pdf"), Path("/tmp/b/scan.pdf"), Path("/tmp/b/kế hoạch 12.tif")])
    assert names[Path("/tmp/b/kế hoạch 12.tif")] == "kế hoạch 12"
    assert names[Path("/tmp/a/scan.pdf")] != names[Path("/tmp/b/scan.pdf")]
    assert all("/" not in n and not n.startswith(".") for n in names.values())


def test_help_explains_commands_and_exit_codes():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("process", "batch", "watch", "restore", "schema", "Exit codes"):
        assert word in result.output


def test_no_input_files_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["process", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
