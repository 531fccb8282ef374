"""Run a command and measure wall time and the peak resident memory of its whole process tree."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mb: float
    returncode: int
    peak_pss_mb: float = 0.0   # with pss=True: pages shared between processes counted once (Linux)


def run_measured(cmd: list[str], env: dict | None = None, poll: float = 0.05,
                 trace: list[tuple[float, float]] | None = None, pss: bool = False, **kwargs) -> Measurement:
    """Wall time and peak summed RSS of the command and all its descendants (sampled every `poll` s).

    Summed RSS counts every page a forked worker shares with its parent once per process; `pss=True`
    also sums the proportional set size, which counts shared pages once (slower to sample).
    `trace`, when given, receives every sample as (seconds since start, RSS MB): to show memory stays flat.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, **kwargs)
    root = psutil.Process(proc.pid)
    peak = peak_pss = 0
    while proc.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            rss = shared = 0
            for p in tree:
                try:
                    info = p.memory_full_info() if pss else p.memory_info()
                    rss += info.rss
                    shared += getattr(info, "pss", 0)
                except psutil.Error:
                    pass
            peak, peak_pss = max(peak, rss), max(peak_pss, shared)
            if trace is not None:
                trace.append((time.perf_counter() - start, rss / 2**20))
        except psutil.Error:
            pass
        time.sleep(poll)
    return Measurement(time.perf_counter() - start, peak / 2**20, proc.returncode, peak_pss / 2**20)
