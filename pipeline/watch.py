"""`sohoa watch ROOT`: a drop folder that never loses or duplicates a scan (after paperless-ngx's consumer).

    ROOT/inbox/       staff drop scans here (sub-folders fine)
    ROOT/work/        claimed files, by atomic rename; whatever a crash leaves here is redone on start
    ROOT/out/         one JSON record per document, written atomically
    ROOT/archive/     originals whose record is safely written
    ROOT/failed/      originals that failed, each with `<name>.error.json` {code, stage, message}
    ROOT/duplicates/  files whose content was already processed, with `<name>.duplicate.json`

A file is taken once its size and mtime have not changed for `settle` seconds (a `name.part` renamed
to `name` is complete at once). Filesystem events only wake the loop early: an initial scan and a
periodic rescan find everything, and `poll` uses stat polling for NFS/SMB shares where inotify is
blind. Order of writes, so a kill -9 at any point is recoverable: claim (rename) → state row →
record (atomic) → state "done" → original to archive/.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from pipeline import atomic
from pipeline.batch import (EXIT_MISSING, EXIT_OK, UsageError, check_executor, is_ignored, run_guarded)
from pipeline.config import Settings
from pipeline.engine import DependencyMissing, Engine, Job, Outcome
from pipeline.errors import DESCRIPTIONS, ErrorCode
from pipeline.executors import TaskError, make_executor
from pipeline.ingest import sha256_file
from pipeline.processor import Processor, load_processor
from pipeline.signals import StopRequest, stop_on_signal
from pipeline.state import Claim, StateDB, fingerprint

STATE_FILE = ".sohoa-state.sqlite"
LOCK_FILE = ".sohoa.lock"
CLAIM_SEP = "~"       # work/<token>~<original name>: unique even when the same name arrives twice


@dataclass(frozen=True)
class Folders:
    inbox: str = "inbox"
    work: str = "work"
    out: str = "out"
    archive: str = "archive"
    failed: str = "failed"
    duplicates: str = "duplicates"


@dataclass(frozen=True)
class WatchOptions:
    root: Path
    settle: float = 5.0               # seconds a file's size+mtime must stay unchanged
    rescan: float = 30.0              # seconds between full scans of the inbox
    poll: bool = False                # stat polling instead of inotify (network shares)
    tick: float = 0.5                 # how often stability is checked
    once: bool = False                # exit when the inbox and work/ are empty (cron, tests)
    folders: Folders = Folders()
    executor: str = "local"
    scheduler: str | None = None
    processor: str | None = None


class Settler:
    """Tracks inbox files until their size and mtime have held still for `settle` seconds."""

    def __init__(self, settle: float):
        self.settle = settle
        self.seen: dict[Path, tuple[int, int, float]] = {}
        self.instant: set[Path] = set()

    def observe(self, path: Path, now: float) -> None:
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            self.forget(path)
            return
        sig = (st.st_size, st.st_mtime_ns)
        old = self.seen.get(path)
        if old is None or old[:2] != sig:
            self.seen[path] = (*sig, now)

    def ready(self, now: float) -> list[Path]:
        return sorted(p for p, (_, _, since) in self.seen.items()
                      if p in self.instant or now - since >= self.settle)

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)
        self.instant.discard(path)


def _observer(inbox: Path, poll: bool, settler_hint, wake: threading.Event):
    """A watchdog observer whose events are only hints: they add a path to look at and wake the loop."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Hint(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.is_directory:
                return
            src, dest = Path(event.src_path), Path(getattr(event, "dest_path", "") or event.src_path)
            settler_hint(dest, instant=event.event_type == "moved" and is_ignored(src.name) and not is_ignored(dest.name))
            wake.set()

    observer = PollingObserver(timeout=1.0) if poll else Observer()
    observer.schedule(Hint(), str(inbox), recursive=True)
    observer.daemon = True
    return observer


class Watcher:
    def __init__(self, options: WatchOptions, settings: Settings, processor: Processor, state: StateDB):
        self.o, self.settings, self.processor, self.state = options, settings, processor, state
        f, root = options.folders, Path(options.root)
        self.inbox, self.work, self.out = root / f.inbox, root / f.work, root / f.out
        self.archive, self.failed, self.duplicates = root / f.archive, root / f.failed, root / f.duplicates
        for d in (self.inbox, self.work, self.out, self.archive, self.failed, self.duplicates):
            d.mkdir(parents=True, exist_ok=True)
        self.fp = fingerprint(settings)
        self.settler = Settler(options.settle)
        self.hints: set[Path] = set()
        self.hint_lock = threading.Lock()
        self.wake = threading.Event()
        self.stop = StopRequest()            # replaced by the one the signal handler sets, in run()
        self.engine: Engine | None = None
        self.in_engine: dict[str, str] = {}      # sha256 -> claim name of documents being processed

    # ----------------------------------------------------------------------------------------------
    def run(self) -> int:
        executor = make_executor(self.o.executor, self.settings.workers, self.o.scheduler)
        self.engine = Engine(self.processor, self.settings, executor, self.state)
        observer = _observer(self.inbox, self.o.poll, self._hint, self.wake)
        observer.start()
        try:
            with stop_on_signal() as self.stop:
                self.engine.stop = self.stop
                self._recover()
                self._loop()
        except DependencyMissing as exc:
            log(f"stopping: {exc.error.one_line()} — files stay in work/ and are redone on the next start")
            return EXIT_MISSING
        except KeyboardInterrupt:
            log("stopped hard: files in work/ are redone on the next start")
        finally:
            observer.stop()
            observer.join(timeout=5)
            executor.close()
        return EXIT_OK

    def _hint(self, path: Path, instant: bool = False) -> None:
        with self.hint_lock:
            self.hints.add(path)
            if instant:
                self.settler.instant.add(path)

    def _loop(self) -> None:
        last_scan = -float("inf")
        limit = 2 * self.engine.executor.workers + 2
        while True:
            now = time.monotonic()
            if self.stop:
                self._return_waiting()
            else:
                if now - last_scan >= self.o.rescan:
                    for p in self._scan_inbox():
                        self.settler.observe(p, now)
                    last_scan = now
                with self.hint_lock:
                    hinted, self.hints = self.hints, set()
                for p in set(self.settler.seen) | hinted:
                    if not is_ignored(p.name):
                        self.settler.observe(p, now)
                for p in self.settler.ready(now):
                    if len(self.in_engine) >= limit:
                        break
                    self.settler.forget(p)
                    self._claim(p)
            if self.engine.busy:
                for outcome in self.engine.step(self.o.tick):
                    self._finish(outcome)
            elif self.stop:
                log("stopped: nothing in flight")
                return
            elif self.o.once and not self.settler.seen and not any(self._scan_inbox()):
                return
            else:
                self.wake.wait(self.o.tick)
                self.wake.clear()

    def _scan_inbox(self) -> list[Path]:
        found = []
        for p in self.inbox.rglob("*"):
            rel = p.relative_to(self.inbox)
            if not any(is_ignored(part) for part in rel.parts) and p.is_file():
                found.append(p)
        return sorted(found)

    # claiming ------------------------------------------------------------------------------------
    def _claim(self, path: Path) -> None:
        """Atomic rename into work/: from here on the file is ours, whatever happens to this process."""
        work_name = f"{time.time_ns():x}{CLAIM_SEP}{path.name}"
        try:
            claimed = atomic.move(path, self.work / work_name)
        except FileNotFoundError:
            return                                     # gone meanwhile (taken back, or another claimer)
        self._take(claimed, recovering=False)

    def _recover(self) -> None:
        for folder in (self.out, self.failed, self.duplicates):
            atomic.remove_stale_temps(folder)
        leftovers = sorted(p for p in self.work.iterdir() if p.is_file() and not p.name.startswith("."))
        if leftovers:
            log(f"recovering {len(leftovers)} file(s) left in work/ by an earlier run")
        for p in leftovers:
            self._take(p, recovering=True)

    def _take(self, claimed: Path, recovering: bool) -> None:
        original = original_name(claimed.name)
        try:
            sha = sha256_file(claimed)
        except OSError as exc:                  # unreadable (permissions, I/O error): fail it, keep going
            error = TaskError(ErrorCode.E_NOT_FOUND.value, "ingest",
                              f"{DESCRIPTIONS[ErrorCode.E_NOT_FOUND]} ({exc.strerror or exc})")
            self._to_failed(claimed, original, "", error)
            return
        known = self.state.claim(sha)
        if known and known.claim != claimed.name and (
                known.status == "done" or (known.status == "processing" and (self.work / known.claim).exists())):
            self._duplicate(claimed, original, sha, known)
            return
        if known and known.claim == claimed.name and recovering and (
                known.status == "done" or _record_sha(self.out / known.output) == sha):
            self.state.put_claim(replace(known, status="done"))     # crashed after the record was written
            atomic.move_free(claimed, self.archive, original)
            return
        if known and known.claim == claimed.name and known.status == "processing":
            output = known.output                                 # crashed mid-way: same output name
        else:
            output = atomic.free_path(self.out, f"{Path(original).stem}.json", self.state.outputs_reserved()).name
        claim = Claim(sha, claimed.name, output, "processing", original)
        self.state.put_claim(claim)
        key = f"{sha}:{self.fp}"
        self.state.mark_running(key, sha, str(claimed), output)
        self.in_engine[sha] = claimed.name
        self.engine.add(Job(claimed, sha, key, tag=claim))

    def _return_waiting(self) -> None:
        """Shutting down: documents not started yet go back to the inbox under their own names."""
        for job in self.engine.drop_waiting():
            c: Claim = job.tag
            atomic.move_free(job.path, self.inbox, c.original_name)
            self.state.drop_claim(c.sha256)
            self.in_engine.pop(c.sha256, None)

    # results -------------------------------------------------------------------------------------
    def _finish(self, outcome: Outcome) -> None:
        c: Claim = outcome.job.tag
        try:
            self._settle_outcome(outcome, c)
        except OSError as exc:               # out/ or failed/ unwritable, disk full: not the scan's fault
            log(f"cannot store the result for {c.original_name} ({exc}); it stays in work/ and is redone on the next start")
        self.in_engine.pop(c.sha256, None)

    def _settle_outcome(self, outcome: Outcome, c: Claim) -> None:
        claimed = outcome.job.path
        if outcome.ok:
            atomic.write_text(self.out / c.output, outcome.record_json)
            self.state.put_claim(replace(c, status="done"))
            self.state.mark_finished(outcome.job.key, ok=True, pages=outcome.pages, seconds=outcome.seconds)
            atomic.move_free(claimed, self.archive, c.original_name)
            log(f"done {c.original_name} -> {self.out.name}/{c.output} ({outcome.pages} pages, {outcome.seconds:.1f} s)")
        else:
            err = outcome.error
            self.state.put_claim(replace(c, status="failed"))
            self.state.mark_finished(outcome.job.key, ok=False, pages=outcome.pages, seconds=outcome.seconds,
                                     error_code=err.code, error_message=err.message)
            self._to_failed(claimed, c.original_name, c.sha256, err)

    def _to_failed(self, claimed: Path, original: str, sha: str, err: TaskError) -> None:
        """Error note first, then the original: a crash in between leaves it in work/, redone on start."""
        dst = atomic.free_path(self.failed, original)
        note = {**err.as_dict(), "file": original, "sha256": sha, "time": _now()}
        atomic.write_text(dst.with_name(dst.name + ".error.json"), json.dumps(note, ensure_ascii=False, indent=2) + "\n")
        atomic.move(claimed, dst)
        log(f"FAILED {original}: {err.message} [{err.code}] -> {self.failed.name}/{dst.name}")

    def _duplicate(self, claimed: Path, original: str, sha: str, first: Claim) -> None:
        dst = atomic.free_path(self.duplicates, original)
        note = {"file": original, "sha256": sha, "duplicate_of": first.original_name,
                "record": f"{self.out.name}/{first.output}", "status_of_first": first.status, "time": _now()}
        atomic.write_text(dst.with_name(dst.name + ".duplicate.json"),
                          json.dumps(note, ensure_ascii=False, indent=2) + "\n")
        atomic.move(claimed, dst)
        log(f"duplicate {original}: same content as {first.original_name} -> {self.duplicates.name}/{dst.name}")


def _record_sha(path: Path) -> str | None:
    """The content hash a written record says it is for (records are written atomically: whole or absent)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("source", {}).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None


def original_name(work_name: str) -> str:
    token, sep, rest = work_name.partition(CLAIM_SEP)
    return rest if sep and token and all(ch in "0123456789abcdef" for ch in token) else work_name


def log(message: str) -> None:
    print(f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_watch(options: WatchOptions, settings: Settings) -> int:
    """Watch options.root until SIGTERM/SIGINT (or, with `once`, until the inbox is empty)."""
    root = Path(options.root)
    check_executor(options.executor, options.scheduler)
    if options.settle < 0 or options.rescan <= 0:
        raise UsageError("--settle must be >= 0 and --rescan > 0")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    processor = load_processor(options.processor)

    def watch_locked() -> int:
        with StateDB(root / STATE_FILE) as state:
            log(f"watching {root / options.folders.inbox} ({'polling' if options.poll else 'inotify'}, "
                f"settle {options.settle:g} s, rescan {options.rescan:g} s, {settings.workers} workers)")
            return Watcher(options, settings, processor, state).run()

    return run_guarded("sohoa watch", root / LOCK_FILE, processor, settings, watch_locked)


__all__ = ["Folders", "WatchOptions", "run_watch"]
