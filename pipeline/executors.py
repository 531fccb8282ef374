"""Where tasks run: a local process pool, or a Dask distributed cluster. Same tasks, same results.

Both are used through three calls — `submit`, `wait_any`, `close` — so batch and watch never know
which one they drive. Tasks go through `call_safely`, which turns any exception into plain data
(`TaskError`): exceptions with custom constructors do not survive pickling between processes, and a
result that fails to unpickle would take the whole pool down with it.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from pipeline.errors import ErrorCode, MissingDependency, SohoaError


WORKER_DIED = "worker"   # the stage of a TaskError whose worker process stopped under it


@dataclass(frozen=True)
class TaskError:
    """A failed task, as plain picklable data."""
    code: str
    stage: str
    message: str
    hint: str = ""
    missing_dependency: bool = False

    def to_exception(self) -> SohoaError:
        if self.missing_dependency:
            return MissingDependency(self.message, self.hint)
        return SohoaError(ErrorCode(self.code), self.message, stage=self.stage, hint=self.hint)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "stage": self.stage, "message": self.message}


@dataclass(frozen=True)
class TaskResult:
    value: Any = None
    error: TaskError | None = None


def task_error(exc: BaseException, stage: str = "") -> TaskError:
    if isinstance(exc, SohoaError):
        return TaskError(exc.code.value, exc.stage or stage, exc.message, exc.hint,
                         isinstance(exc, MissingDependency))
    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return TaskError(ErrorCode.E_INTERNAL.value, stage, f"unexpected error: {detail}")


def call_safely(fn: Callable, *args) -> TaskResult:
    """Run `fn(*args)` in a worker; never raises (except when the worker itself is being shut down)."""
    try:
        return TaskResult(value=fn(*args))
    except Exception as exc:  # noqa: BLE001 - the boundary where every failure becomes data
        return TaskResult(error=task_error(exc, getattr(fn, "__name__", "").lstrip("_")))


class Executor(Protocol):
    workers: int

    def submit(self, fn: Callable, *args) -> Any: ...
    def wait_any(self, futures: Iterable[Any], timeout: float) -> set[Any]: ...
    def close(self) -> None: ...


def _init_worker(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent (which stops cleanly), run tesseract single-threaded,
    and exit when the parent is gone (kill -9 of batch/watch must not leave orphans working on)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class LocalExecutor:
    """A process pool on this machine; one worker per core is the right size for tesseract."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker, initargs=(os.getpid(),))

    def submit(self, fn: Callable, *args) -> cf.Future:
        try:
            return self._pool.submit(call_safely, fn, *args)
        except cf.process.BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(call_safely, fn, *args)

    def wait_any(self, futures: Iterable[cf.Future], timeout: float) -> set[cf.Future]:
        futures = list(futures)
        if not futures:
            return set()
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed client: `scheduler` is `tcp://HOST:8786`, or None for a LocalCluster here.

    Workers must have sohoa installed and see the input files at the same path (a shared mount).
    """

    def __init__(self, workers: int, scheduler: str | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            self._client = Client(scheduler, timeout="30s")
        else:
            self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                         dashboard_address=None, env={"OMP_THREAD_LIMIT": "1"})
            self._client = Client(self._cluster)
        n = sum(self._client.nthreads().values())
        self.workers = max(1, n)

    def submit(self, fn: Callable, *args):
        return self._client.submit(call_safely, fn, *args, pure=False)

    def wait_any(self, futures: Iterable[Any], timeout: float) -> set[Any]:
        from distributed import wait

        futures = list(futures)
        if not futures:
            return set()
        try:
            done, _ = wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return {f for f in futures if f.done()}
        return set(done)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def result_of(future: Any) -> TaskResult:
    """The task's result; a worker that died (or a lost Dask task) becomes an E_INTERNAL task error."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - BrokenProcessPool, KilledWorker, CancelledError …
        return TaskResult(error=TaskError(ErrorCode.E_INTERNAL.value, WORKER_DIED,
                                          f"the worker running this task stopped: {type(exc).__name__}"))


def make_executor(kind: str, workers: int, scheduler: str | None = None) -> Executor:
    if kind == "local":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {kind!r}: use 'local' or 'dask'")
