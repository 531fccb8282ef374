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


def run_measured(cmd: list[str], env: dict | None = None, poll: float = 0.05, **kwargs) -> Measurement:
    """Wall time and peak summed RSS of the command and all its descendants (sampled every `poll` s)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, **kwargs)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            rss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(poll)
    return Measurement(time.perf_counter() - start, peak / 2**20, proc.returncode)
