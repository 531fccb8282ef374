"""`sohoa batch SRC --out OUT`: the nightly run over a backlog of thousands of scans.

Recursive over SRC; a state DB in OUT keyed by content hash + pipeline fingerprint skips what is
already done, so a rerun (or a run after kill -9) only does the rest — down to the page for long
PDFs. One bad document gets a failed record and the run goes on. Outputs: `OUT/<name>.json` per
document, `OUT/records.jsonl`, `OUT/manifest.jsonl` and `OUT/summary.json`, all written atomically.

Exit codes: 0 all done, 1 some documents failed, 2 usage, 3 missing dependency, 75 another run
holds OUT's lock, 130 interrupted.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pipeline import atomic
from pipeline.config import Settings
from pipeline.engine import DependencyMissing, Engine, Job, Outcome
from pipeline.errors import DESCRIPTIONS, ErrorCode, MissingDependency
from pipeline.executors import TaskError, make_executor
from pipeline.processor import Processor, load_processor
from pipeline.signals import stop_on_signal
from pipeline.state import EXIT_LOCKED, LockHeld, StateDB, fingerprint, folder_lock

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MISSING, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

SCAN_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"})
STATE_FILE = "sohoa-state.sqlite"
LOCK_FILE = ".sohoa.lock"
RESERVED_NAMES = frozenset({"summary", "manifest", "records"})
PLAN_CHUNK = 256                      # files hashed and planned per state-DB commit


class UsageError(ValueError):
    """Bad arguments: exit 2."""


@dataclass(frozen=True)
class BatchOptions:
    src: Path
    out: Path
    executor: str = "local"
    scheduler: str | None = None
    retry_failed: bool = False
    processor: str | None = None      # module:attribute of another Processor (tests, dry runs)
    progress: bool | None = None      # None: a bar on a terminal, log lines otherwise
    log_every: float = 30.0           # seconds between log lines when not on a terminal


@dataclass
class Entry:
    """One document of this run, as the manifest reports it."""
    path: Path
    name: str
    sha256: str = ""
    status: str = "pending"           # done | failed | skipped | failed_earlier | duplicate | interrupted
    output: str | None = None
    pages: int | None = None
    seconds: float | None = None
    cached_pages: int = 0
    error: dict | None = None
    duplicate_of: Path | None = None

    def manifest_line(self, src: Path) -> dict:
        line = {"path": _rel(self.path, src),
                "sha256": self.sha256, "status": self.status, "output": self.output, "pages": self.pages,
                "seconds": None if self.seconds is None else round(self.seconds, 3)}
        if self.cached_pages:
            line["pages_resumed"] = self.cached_pages
        if self.error:
            line["error"] = self.error
        if self.duplicate_of:
            line["duplicate_of"] = _rel(self.duplicate_of, src)
        return line


def _rel(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


@dataclass
class RunStats:
    started: float = field(default_factory=time.time)
    pages_done: int = 0
    counts: Counter = field(default_factory=Counter)


# discovery and naming --------------------------------------------------------------------------------
def is_ignored(name: str) -> bool:
    """Hidden files, Office lock files and partial downloads/scans are never documents."""
    return name.startswith((".", "~$")) or name.endswith((".part", ".tmp", ".crdownload"))


def discover(src: Path, exclude: Path | None = None) -> list[Path]:
    """Scan files under `src` (or `src` itself), sorted, skipping hidden folders and `exclude`."""
    if src.is_file():
        return [src]
    found = []
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src)
        if any(is_ignored(part) for part in rel.parts) or not p.is_file():
            continue
        if exclude is not None and p.resolve().is_relative_to(exclude.resolve()):
            continue
        if p.suffix.lower() in SCAN_SUFFIXES:
            found.append(p)
    return found


def output_names(rels: list[Path]) -> dict[Path, str]:
    """`<stem>` per file; equal stems from different folders get their folder path (`a__b__scan`)."""
    stems = Counter(r.stem for r in rels)
    names = {r: r.stem if stems[r.stem] == 1 else "__".join(r.with_suffix("").parts) for r in rels}
    again = Counter(names.values())
    names = {r: f"{n}_{r.suffix.lstrip('.').lower()}" if again[n] > 1 else n for r, n in names.items()}
    taken: set[str] = set()
    for r in rels:                            # last resort, and keep clear of the run's own files
        base, n = names[r], 2
        while names[r] in taken or names[r] in RESERVED_NAMES:
            names[r] = f"{base}_{n}"
            n += 1
        taken.add(names[r])
    return names


# progress ---------------------------------------------------------------------------------------------
class Reporter:
    """A rich progress bar on a terminal; otherwise a log line every `every` seconds (cron, systemd)."""

    def __init__(self, total: int, bar: bool, every: float):
        self.total, self.done, self.every = total, 0, every
        self._last = time.monotonic()
        self._bar = None
        if bar:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), transient=False)
            self._task = self._bar.add_task("documents", total=total)
            self._bar.start()

    def log(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            print(f"{datetime.now().strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

    def advance(self, stats: RunStats, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)
        elif time.monotonic() - self._last >= self.every or self.done == self.total:
            self._last = time.monotonic()
            elapsed = max(time.time() - stats.started, 1e-9)
            self.log(f"{self.done}/{self.total} documents, {stats.pages_done} pages OCR'd, "
                     f"{stats.pages_done * 60 / elapsed:.1f} pages/min, failed {stats.counts['failed']}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def check_executor(kind: str, scheduler: str | None) -> None:
    if kind not in ("local", "dask"):
        raise UsageError(f"unknown executor {kind!r}: use 'local' or 'dask'")
    if scheduler and kind != "dask":
        raise UsageError("--scheduler needs --executor dask")


# the run ------------------------------------------------------------------------------------------------
def run_batch(options: BatchOptions, settings: Settings) -> int:
    """Process everything under options.src into options.out; returns the exit code."""
    src, out = Path(options.src), Path(options.out)
    check_executor(options.executor, options.scheduler)
    if not src.exists():
        raise UsageError(f"{src}: no such file or folder")
    out.mkdir(parents=True, exist_ok=True)
    processor = load_processor(options.processor)
    return run_guarded("sohoa batch", out / LOCK_FILE, processor, settings,
                       lambda: _run_locked(src, out, options, settings, processor))


def run_guarded(command: str, lock: Path, processor: Processor, settings: Settings, body: Callable[[], int]) -> int:
    """`body()` while holding `lock`, after the processor's dependency check: exit 75 / 3 otherwise."""
    try:
        with folder_lock(lock):
            if processor.preflight:
                processor.preflight(settings)
            return body()
    except LockHeld as exc:
        print(f"{command}: {exc}", file=sys.stderr, flush=True)
        return EXIT_LOCKED
    except (MissingDependency, DependencyMissing) as exc:
        err = exc.error if isinstance(exc, DependencyMissing) else exc
        print(f"{command}: {err.one_line()}", file=sys.stderr, flush=True)
        return EXIT_MISSING


def _run_locked(src: Path, out: Path, options: BatchOptions, settings: Settings, processor: Processor) -> int:
    atomic.remove_stale_temps(out)                 # left by a writer killed mid-write
    files = discover(src, exclude=out)
    base = src if src.is_dir() else src.parent
    names = output_names([f.relative_to(base) for f in files])
    fp = fingerprint(settings)
    stats = RunStats()
    entries = [Entry(f, names[f.relative_to(base)]) for f in files]
    bar = sys.stderr.isatty() if options.progress is None else options.progress
    reporter = Reporter(len(entries), bar, options.log_every)
    interrupted = False

    with StateDB(out / STATE_FILE) as state:
        jobs = _plan(entries, state, fp, out, options.retry_failed, stats)
        reporter.advance(stats, len(entries) - len(jobs))
        executor = make_executor(options.executor, settings.workers, options.scheduler)
        engine = Engine(processor, settings, executor, state)
        for job in jobs:
            engine.add(job)

        try:
            with stop_on_signal() as stop:
                engine.stop = stop
                while engine.busy:
                    if stop and not interrupted:
                        interrupted = True
                        left = engine.drop_waiting()
                        reporter.log(f"signal {stop.signum}: finishing {engine.in_flight} tasks in flight, "
                                     f"{len(left)} documents left for the next run")
                    for outcome in engine.step(0.5):
                        _finish(outcome, out, state, stats, reporter)
                        reporter.advance(stats)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            reporter.close()
            executor.close()
        for e in entries:
            if e.status == "pending":
                e.status = "interrupted"
        _write_reports(src, out, entries, stats, options, settings, fp, interrupted)

    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if any(e.status in ("failed", "failed_earlier") for e in entries) else EXIT_OK


def _plan(entries: list[Entry], state: StateDB, fp: str, out: Path, retry_failed: bool,
          stats: RunStats) -> list[Job]:
    """Hash every file; decide skip / duplicate / process. Returns the jobs to run."""
    jobs, first_by_key = [], {}
    for start in range(0, len(entries), PLAN_CHUNK):
        with state.transaction():
            for e in entries[start:start + PLAN_CHUNK]:
                _plan_one(e, state, fp, out, retry_failed, stats, jobs, first_by_key)
    return jobs


def _plan_one(e: Entry, state: StateDB, fp: str, out: Path, retry_failed: bool, stats: RunStats,
              jobs: list[Job], first_by_key: dict[str, Entry]) -> None:
    """Skip (done before), duplicate (same content earlier in this run), unreadable, or a job to run."""
    try:
        e.sha256 = state.file_sha256(e.path)
    except OSError as exc:                          # vanished or unreadable since the folder was listed
        e.status, e.error = "failed", {"code": ErrorCode.E_NOT_FOUND.value, "stage": "ingest",
                                       "message": f"{DESCRIPTIONS[ErrorCode.E_NOT_FOUND]} ({exc.strerror})"}
        stats.counts["failed"] += 1
        return
    key = f"{e.sha256}:{fp}"
    if key in first_by_key:
        first = first_by_key[key]
        e.status, e.duplicate_of, e.output = "duplicate", first.path, first.output
        stats.counts["duplicate"] += 1
        return
    first_by_key[key] = e
    known = state.document(key)
    if known and known.output and (out / known.output).is_file() and (
            known.status == "done" or (known.status == "failed" and not retry_failed)):
        e.status = "skipped" if known.status == "done" else "failed_earlier"
        e.output, e.pages = known.output, known.pages
        if known.status == "failed":
            e.error = {"code": known.error_code, "message": known.error_message}
        stats.counts[e.status] += 1
        return
    e.output = known.output if known and known.output else f"{e.name}.json"
    state.mark_running(key, e.sha256, str(e.path), e.output)
    jobs.append(Job(e.path, e.sha256, key, tag=e))


def _finish(outcome: Outcome, out: Path, state: StateDB, stats: RunStats, reporter: Reporter) -> None:
    """Record written atomically first, then the state says done: a crash in between only redoes work."""
    e: Entry = outcome.job.tag
    err = outcome.error
    try:
        atomic.write_text(out / e.output, outcome.record_json)
    except OSError as exc:                          # disk full, permissions: this document fails, the run goes on
        err = TaskError(ErrorCode.E_OUTPUT.value, "record", f"{DESCRIPTIONS[ErrorCode.E_OUTPUT]}: {exc.strerror or exc}")
        outcome = replace(outcome, error=err)
    state.mark_finished(outcome.job.key, ok=outcome.ok, pages=outcome.pages, seconds=outcome.seconds,
                        error_code=err.code if err else None, error_message=err.message if err else None)
    e.status = "done" if outcome.ok else "failed"
    e.pages, e.seconds, e.cached_pages = outcome.pages, outcome.seconds, outcome.job.cached_pages
    e.error = err.as_dict() if err else None
    stats.counts[e.status] += 1
    if outcome.ok:
        stats.pages_done += outcome.pages - outcome.job.cached_pages
    else:
        reporter.log(f"FAILED {outcome.job.path}: {err.message} [{err.code}]" + (f" at {err.stage}" if err.stage else ""))


def _write_reports(src: Path, out: Path, entries: list[Entry], stats: RunStats, options: BatchOptions,
                   settings: Settings, fp: str, interrupted: bool) -> None:
    base = src if src.is_dir() else src.parent
    manifest = "".join(json.dumps(e.manifest_line(base), ensure_ascii=False) + "\n" for e in entries)
    atomic.write_text(out / "manifest.jsonl", manifest)

    seen: set[str] = set()
    with atomic.replacing(out / "records.jsonl") as fh:           # streamed: a backlog's records can be GBs
        for e in entries:
            if e.output and e.output not in seen and (out / e.output).is_file():
                seen.add(e.output)
                record = json.loads((out / e.output).read_text(encoding="utf-8"))
                fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")

    finished = time.time()
    counts = Counter(e.status for e in entries)
    elapsed = finished - stats.started
    summary = {
        "started": _iso(stats.started), "finished": _iso(finished), "seconds": round(elapsed, 3),
        "documents": len(entries), "status": dict(sorted(counts.items())),
        "pages_ocr": stats.pages_done,
        "pages_per_minute": round(stats.pages_done * 60 / elapsed, 2) if elapsed > 0 else None,
        "interrupted": interrupted, "executor": options.executor, "scheduler": options.scheduler,
        "workers": settings.workers, "fingerprint": fp,
    }
    atomic.write_text(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")
