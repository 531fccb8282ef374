"""Drives many documents at once through an executor, page by page, caching finished pages in the state DB.

Each document is a small state machine: ingest → its pages (fanned out, at most `max_in_flight`
tasks pending so memory stays flat on a 300-page PDF) → build the record. Finished pages are saved
as they arrive; a restarted run reloads them and OCRs only what is missing. A failing step fails
only its own document. Batch and watch both feed this engine; they differ in where files come from
and where results go.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from pipeline.config import Settings
from pipeline.errors import MissingDependency
from pipeline.executors import WORKER_DIED, Executor, TaskError, result_of
from pipeline.processor import Processor, page_count
from pipeline.signals import StopRequest
from pipeline.state import StateDB


@dataclass
class Job:
    path: Path
    sha256: str
    key: str
    tag: Any = None                       # caller's bookkeeping (output name, claim …)
    source: Any = None
    pages: dict[int, dict] = field(default_factory=dict)
    todo: deque = field(default_factory=deque)
    n_pages: int = 0
    started: float = 0.0
    running: int = 0                      # tasks of this job in flight
    error: TaskError | None = None
    cached_pages: int = 0


@dataclass(frozen=True)
class Outcome:
    job: Job
    record_json: str
    error: TaskError | None
    pages: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


class DependencyMissing(Exception):
    """Every document would fail the same way: the run stops (exit 3)."""

    def __init__(self, error: MissingDependency):
        super().__init__(error.one_line())
        self.error = error


class Engine:
    def __init__(self, processor: Processor, settings: Settings, executor: Executor, state: StateDB,
                 max_in_flight: int | None = None):
        self.processor = processor
        self.settings = settings
        self.executor = executor
        self.state = state
        self.max_in_flight = max_in_flight or 2 * executor.workers
        self.waiting: deque[Job] = deque()
        self.active: list[Job] = []
        self.tasks: dict[Any, tuple[Job, str, int]] = {}
        self.suspects: deque[tuple[Job, str, int]] = deque()   # tasks lost with a crashed worker
        self.isolated: Any = None                               # the suspect running alone
        self._pending_failures: list[Outcome] = []
        self.stop = StopRequest()          # once true (a signal), no waiting document is started

    # feeding ------------------------------------------------------------------------------------------
    def add(self, job: Job) -> None:
        self.waiting.append(job)

    @property
    def busy(self) -> bool:
        return bool(self.waiting or self.tasks or self.active or self.suspects)

    @property
    def in_flight(self) -> int:
        return len(self.tasks)

    def drop_waiting(self) -> list[Job]:
        """Stop taking new documents (shutdown): hand back those not started yet."""
        jobs, self.waiting = list(self.waiting), deque()
        return jobs

    # running ------------------------------------------------------------------------------------------
    def step(self, timeout: float = 0.5) -> list[Outcome]:
        """Submit what fits, wait up to `timeout` for a task, return the documents that finished."""
        self._fill()
        outcomes: list[Outcome] = []
        for fut in self.executor.wait_any(list(self.tasks), timeout):
            job, kind, number = self.tasks.pop(fut)
            job.running -= 1
            result = result_of(fut)
            alone, self.isolated = fut is self.isolated, (None if fut is self.isolated else self.isolated)
            if job.error is None:
                if result.error is not None and result.error.stage == WORKER_DIED and not alone:
                    self.suspects.append((job, kind, number))   # maybe a victim of a neighbour's crash
                elif result.error is not None:
                    if result.error.missing_dependency:
                        raise DependencyMissing(result.error.to_exception())
                    job.error = result.error
                    if alone:
                        job.error = replace(result.error, message="the program crashed while reading this document")
                else:
                    outcome = self._advance(job, kind, number, result.value)
                    if outcome:
                        outcomes.append(outcome)
            if job.error is not None and job.running == 0 and job in self.active and not self._has_suspects(job):
                outcomes.append(self._fail(job))
        self._fill()
        outcomes += self._pending_failures
        self._pending_failures = []
        return outcomes

    def _advance(self, job: Job, kind: str, number: int, value: Any) -> Outcome | None:
        if kind == "ingest":
            job.source = value
            job.n_pages = page_count(value)
            job.pages = {n: p for n, p in self.state.load_pages(job.key).items() if 1 <= n <= job.n_pages}
            job.cached_pages = len(job.pages)
            job.todo = deque(n for n in range(1, job.n_pages + 1) if n not in job.pages)
            if not job.todo:
                self._submit(job, "record", 0)
        elif kind == "page":
            self.state.save_page(job.key, number, value)
            job.pages[number] = value
            if len(job.pages) == job.n_pages:
                self._submit(job, "record", 0)
        else:
            self.active.remove(job)
            return Outcome(job, value, None, job.n_pages, time.monotonic() - job.started)
        return None

    def _has_suspects(self, job: Job) -> bool:
        return any(s[0] is job for s in self.suspects)

    def _fail(self, job: Job) -> Outcome:
        self.active.remove(job)
        job.todo.clear()
        try:
            record = self.processor.failed_record(job.path, job.error.to_exception(), job.source, self.settings)
        except Exception as exc:  # noqa: BLE001 - a bug in the failure path must not stop the run
            record = _minimal_failed_record(job, exc)
        return Outcome(job, record, job.error, job.n_pages, time.monotonic() - job.started)

    def _fill(self) -> None:
        if self.suspects or self.isolated is not None:
            self._fill_isolated()
            return
        while len(self.tasks) < self.max_in_flight:
            job = next((j for j in self.active if j.todo and j.error is None), None)
            if job is not None:
                self._submit(job, "page", job.todo.popleft())
            elif self.waiting and not self.stop:
                job = self.waiting.popleft()
                job.started = time.monotonic()
                self.active.append(job)
                self._submit(job, "ingest", 0)
            else:
                return

    def _fill_isolated(self) -> None:
        """After a worker died, rerun the tasks it took down one at a time: the one that kills its
        worker while running alone is the culprit and fails its document; the others just finish."""
        while self.isolated is None and not self.tasks and self.suspects:
            job, kind, number = self.suspects.popleft()
            if job.error is None:
                self.isolated = self._submit(job, kind, number)
            elif job.running == 0 and job in self.active and not self._has_suspects(job):
                self._pending_failures.append(self._fail(job))

    def _submit(self, job: Job, kind: str, number: int) -> Any:
        p, s = self.processor, self.settings
        if kind == "ingest":
            fut = self.executor.submit(p.ingest, job.path, s)
        elif kind == "page":
            fut = self.executor.submit(p.ocr_page, job.source, number, s)
        else:
            fut = self.executor.submit(p.build_record, job.source, [job.pages[n] for n in sorted(job.pages)], s)
        job.running += 1
        self.tasks[fut] = (job, kind, number)
        return fut


def _minimal_failed_record(job: Job, exc: Exception) -> str:
    """The failure as plain JSON when even the failed record cannot be built (a bug: it says so)."""
    return json.dumps({"status": "failed", "error": job.error.as_dict(),
                       "source": {"path": str(job.path), "sha256": job.sha256},
                       "note": f"the failed record could not be built: {type(exc).__name__}: {exc}"},
                      ensure_ascii=False, indent=2) + "\n"


def process_paths(paths: list[Path], settings: Settings, processor: Processor | None = None) -> Iterator[Outcome]:
    """Documents through the engine with nothing cached or skipped (`sohoa process`): outcomes as they finish.

    Same tasks, same failure handling and same worker-crash isolation as batch and watch; the
    state lives in memory only, so a rerun reads everything again.
    """
    from pipeline.executors import make_executor
    from pipeline.processor import PIPELINE

    with StateDB(Path(":memory:")) as state:
        executor = make_executor("local", settings.workers)
        try:
            engine = Engine(processor or PIPELINE, settings, executor, state)
            for index, path in enumerate(paths):
                engine.add(Job(path=Path(path), sha256="", key=f"process-{index}"))
            while engine.busy:
                yield from engine.step(0.5)
        finally:
            executor.close()
