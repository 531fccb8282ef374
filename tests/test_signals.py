"""The first SIGINT/SIGTERM only records itself; a second stops hard; the old handlers come back."""

from __future__ import annotations

import os
import signal

import pytest

from pipeline.signals import stop_on_signal


def test_first_signal_is_recorded_second_stops_hard():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        with stop_on_signal() as stop:
            assert not stop
            os.kill(os.getpid(), signal.SIGTERM)
            assert stop and stop.signum == signal.SIGTERM
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGTERM) is before

