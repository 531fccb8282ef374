"""The `sohoa` command: thin wrappers over the pipeline functions.

Exit codes: 0 all done, 1 some documents failed, 2 usage, 3 missing dependency,
75 another run holds the lock, 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from pipeline.config import Settings
from pipeline.errors import MissingDependency

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MISSING, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 75, 130

app = typer.Typer(
    name="sohoa",
    help=(
        "Turn scanned Vietnamese government documents (kế hoạch, quyết định, công văn) into clean text "
        "and structured JSON records.\n\n"
        "Typical use: `sohoa process scans/ --out records/` writes one JSON record per document. "
        "Exit codes: 0 all done, 1 some documents failed, 2 usage error, 3 missing dependency "
        "(tesseract, its Vietnamese model, poppler), 75 another run holds the lock, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _settings(**overrides) -> Settings:
    return Settings.from_env(**overrides)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _require_tools(settings: Settings) -> None:
    from pipeline.ocr import check_dependencies

    try:
        check_dependencies(settings)
    except MissingDependency as exc:
        _err(f"sohoa: {exc.message}. Install it with: {exc.hint}")
        raise typer.Exit(EXIT_MISSING)


@app.command()
def process(
    inputs: List[Path] = typer.Argument(..., help="scan files (PDF, TIFF, PNG, JPEG) or folders of them (searched recursively)"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="folder for the JSON records: OUT/<input stem>.json"),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="parallel OCR processes (default: 2 or the number of cores, whichever is less)"),
    dpi: Optional[int] = typer.Option(None, help="resolution for rendering PDF pages (default 300)"),
    no_restore: bool = typer.Option(False, "--no-restore", help="keep the OCR text as read, without diacritics restoration"),
    ocr_timeout: Optional[float] = typer.Option(None, help="seconds one page may take in OCR before it fails with E_OCR_TIMEOUT (default 180)"),
    max_pages: Optional[int] = typer.Option(None, help="refuse documents with more pages (default 2000)"),
    max_pixels: Optional[int] = typer.Option(None, help="refuse pages larger than this many pixels (default 200,000,000)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar, only failures"),
) -> None:
    """Read scans and write one JSON record per document into OUT.

    Each input is detected by its content (not its extension). A document that cannot be
    read gets a record with status "failed" and an error code, a one-line message on
    stderr, and the run goes on. The original files are never modified.
    """
    from pipeline.atomic import write_text
    from pipeline.engine import DependencyMissing, process_paths
    from pipeline.ingest import expand_inputs

    settings = _settings(workers=workers, dpi=dpi, ocr_timeout=ocr_timeout, max_pages=max_pages,
                         max_pixels=max_pixels, restore=False if no_restore else None)
    paths = list(expand_inputs(inputs))
    if not paths:
        _err("sohoa: no input files found in " + ", ".join(str(p) for p in inputs))
        raise typer.Exit(EXIT_USAGE)
    _require_tools(settings)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _probe_writable(out)
    except OSError as exc:
        _err(f"sohoa: cannot write into the output folder {out} ({exc.strerror}); nothing was read, "
             "the originals are untouched: choose another --out or fix its permissions")
        raise typer.Exit(EXIT_USAGE)

    names = record_names(paths)
    failed = 0
    with ProgressDisplay(len(paths), quiet) as progress:
        try:
            for outcome in process_paths(paths, settings):
                path = outcome.job.path
                target = out / f"{names[path]}.json"
                try:
                    write_text(target, outcome.record_json)
                except OSError as exc:
                    _err(f"sohoa: {path}: the record could not be written to {target} ({exc.strerror}) [E_OUTPUT]")
                    failed += 1
                    continue
                if outcome.error is not None:
                    failed += 1
                    _err(f"sohoa: {outcome.error.to_exception().one_line(str(path))}")
                progress.document(path, outcome.pages)
        except DependencyMissing as exc:
            _err(f"sohoa: {exc.error.message}. Install it with: {exc.error.hint}")
            raise typer.Exit(EXIT_MISSING)
        except KeyboardInterrupt:
            _err("sohoa: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED)
    if not quiet:
        _err(f"sohoa: {len(paths) - failed} of {len(paths)} documents done, records in {out}/")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def record_names(paths: list[Path]) -> dict[Path, str]:
    """`<stem>` per input, as batch names them; equal stems get the folders that tell them apart."""
    import os

    from pipeline.batch import output_names

    resolved = {p: p.resolve() for p in paths}
    base = Path(os.path.commonpath([r.parent for r in resolved.values()]))
    names = output_names([r.relative_to(base) for r in resolved.values()])
    return {p: names[r.relative_to(base)] for p, r in resolved.items()}


def _probe_writable(folder: Path) -> None:
    """Fail before hours of OCR, not after: create and remove a file in the output folder."""
    import tempfile

    with tempfile.NamedTemporaryFile(dir=folder, prefix=".sohoa-probe-"):
        pass


class ProgressDisplay:
    """A rich progress bar over documents on a terminal (pages counted as they finish); silent otherwise."""

    def __init__(self, documents: int, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.documents = documents
        self.pages = 0
        self.bar = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("documents"), TimeRemainingColumn(), transient=False)
            self.bar.start()
            self.task = self.bar.add_task("reading", total=self.documents)
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()

    def document(self, path: Path, pages: int) -> None:
        self.pages += pages
        if self.bar:
            self.bar.update(self.task, advance=1, description=f"reading ({self.pages} pages done)")


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) every record validates against."""
    from pipeline.record import record_schema

    typer.echo(json.dumps(record_schema(), ensure_ascii=False, indent=2))


RESTORE_BLOCK_LINES = 5000   # lines restored together (one document's cache) by `sohoa restore`


@app.command()
def restore() -> None:
    """Restore Vietnamese diacritics and fix OCR confusions: text on stdin, line for line to stdout.

    The input is read as one document: a word it settles on in clear places (say "truyền thông")
    decides the doubtful ones. Example: echo "Ke hoach truyen thong ve giam ngheo" | sohoa restore
    """
    from pipeline.restore import restore_text

    stdin = sys.stdin.buffer.read().decode("utf-8", "replace")
    lines = stdin.splitlines()
    for start in range(0, len(lines), RESTORE_BLOCK_LINES):
        block = lines[start:start + RESTORE_BLOCK_LINES]
        sys.stdout.write(restore_text("\n".join(block)) + "\n")
    sys.stdout.flush()


_PROCESSOR_HELP = "module:attribute of another pipeline.processor.Processor (tests, dry runs)"


@app.command()
def batch(
    src: Path = typer.Argument(..., help="folder of scans, searched recursively (PDF, TIFF, PNG, JPEG)"),
    out: Path = typer.Option(..., "--out", "-o", help="folder for OUT/<name>.json, records.jsonl, manifest.jsonl, summary.json and the state DB"),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="parallel OCR processes (local executor; default: min(2, cores))"),
    executor: str = typer.Option("local", help="'local' (process pool here) or 'dask' (a Dask cluster)"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask; without it a LocalCluster is started)"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="process again documents that failed in an earlier run"),
    ocr_timeout: Optional[float] = typer.Option(None, help="seconds one page may take in OCR before it fails with E_OCR_TIMEOUT (default 180)"),
    dpi: Optional[int] = typer.Option(None, help="resolution for rendering PDF pages (default 300)"),
    no_restore: bool = typer.Option(False, "--no-restore", help="keep the OCR text as read, without diacritics restoration"),
    log_every: float = typer.Option(30.0, help="seconds between progress log lines when stderr is not a terminal"),
    processor: Optional[str] = typer.Option(None, hidden=True, help=_PROCESSOR_HELP),
) -> None:
    """The nightly run: every scan under SRC to a JSON record in OUT, skipping what is already done.

    A state database (OUT/sohoa-state.sqlite) remembers each document by content hash, pipeline
    version, settings and model files: unchanged documents are skipped, changed settings reprocess.
    Killed (even kill -9)? Run the same command again: it finishes the rest, down to the page.
    One bad document gets a failed record and the run goes on.

    Exit codes: 0 all done, 1 some documents failed, 2 usage, 3 missing dependency
    (tesseract, its Vietnamese model, poppler), 75 another run holds OUT's lock, 130 interrupted.

    Example (cron, 01:00 nightly): sohoa batch /srv/scans --out /srv/records
    """
    from pipeline.batch import BatchOptions, run_batch

    options = BatchOptions(src=src, out=out, executor=executor, scheduler=scheduler, retry_failed=retry_failed,
                           processor=processor, log_every=log_every)
    _run_job("batch", run_batch, options, workers=workers, dpi=dpi, ocr_timeout=ocr_timeout, no_restore=no_restore)


@app.command()
def watch(
    root: Path = typer.Argument(..., help="the watched folder: ROOT/inbox, work, out, archive, failed, duplicates are created"),
    settle: float = typer.Option(5.0, help="seconds a file's size and modification time must stay unchanged before it is taken"),
    rescan: float = typer.Option(30.0, help="seconds between full scans of the inbox (catches what file events miss)"),
    poll: bool = typer.Option(False, "--poll", help="poll the inbox instead of inotify: for NFS/SMB shares, where events never arrive"),
    once: bool = typer.Option(False, "--once", help="exit when the inbox and work/ are empty instead of watching on"),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="parallel OCR processes (default: min(2, cores))"),
    executor: str = typer.Option("local", help="'local' (process pool here) or 'dask' (a Dask cluster)"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask)"),
    ocr_timeout: Optional[float] = typer.Option(None, help="seconds one page may take in OCR before it fails with E_OCR_TIMEOUT (default 180)"),
    dpi: Optional[int] = typer.Option(None, help="resolution for rendering PDF pages (default 300)"),
    no_restore: bool = typer.Option(False, "--no-restore", help="keep the OCR text as read, without diacritics restoration"),
    processor: Optional[str] = typer.Option(None, hidden=True, help=_PROCESSOR_HELP),
) -> None:
    """Watch ROOT/inbox and turn every scan dropped there into ROOT/out/<name>.json.

    A file is taken once it is complete (size and mtime unchanged for --settle seconds;
    *.part, ~$* and dotfiles are ignored), claimed by an atomic rename into work/, then:
    record written -> original to archive/; failure -> failed/ with <name>.error.json;
    content seen before -> duplicates/ with a note naming the earlier record.
    SIGTERM/SIGINT: stop taking files, finish those in flight. After a crash, whatever is
    left in work/ is processed again on start. One watcher per ROOT.

    Exit codes: 0 stopped cleanly, 2 usage, 3 missing dependency, 75 another watcher holds ROOT.
    """
    from pipeline.watch import WatchOptions, run_watch

    options = WatchOptions(root=root, settle=settle, rescan=rescan, poll=poll, once=once, executor=executor,
                           scheduler=scheduler, processor=processor)
    _run_job("watch", run_watch, options, workers=workers, dpi=dpi, ocr_timeout=ocr_timeout, no_restore=no_restore)


def _run_job(name: str, run, options, *, workers, dpi, ocr_timeout, no_restore: bool) -> None:
    """Settings from the shared options, then `run(options, settings)`; its return value is the exit code."""
    from pipeline.batch import UsageError

    settings = _settings(workers=workers, dpi=dpi, ocr_timeout=ocr_timeout, restore=False if no_restore else None)
    try:
        code = run(options, settings)
    except UsageError as exc:
        _err(f"sohoa {name}: {exc}")
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(code)


def main() -> None:  # pragma: no cover - `python -m pipeline.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
