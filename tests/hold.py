"""Holding a job's step until the window cancels it: a run surely in flight on Cancel."""

from __future__ import annotations

import threading

import pytest


class Hold:
    """Keeps a step of a job on its worker thread until the window cancels the work.

    ``wrap(real)`` is ``real`` that first sets ``entered`` and then waits for ``release``,
    which a ``Job.cancel`` after that sets (Cancel, a newer job in the lane, or the window's
    close): a run is surely in flight when Cancel is pressed, or when the window closes,
    whatever the speed of the machine.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, timeout: float = 60.0):
        from explorer.app.jobs import Job

        self.timeout = timeout  # seconds: never held longer, whatever happens
        self.entered, self.release = threading.Event(), threading.Event()
        cancel = Job.cancel

        def cancel_and_release(job: Job) -> None:
            cancel(job)
            if self.entered.is_set():  # not a cancel of older, finished work
                self.release.set()

        monkeypatch.setattr(Job, "cancel", cancel_and_release)

    def wrap(self, real):
        def fn(*a, **kw):
            self.entered.set()
            self.release.wait(self.timeout)
            return real(*a, **kw)

        return fn

    def wrap_steps(self, real):
        """A generator function held after its last yield (a cancel no longer stops it)."""

        def fn(*a, **kw):
            out = yield from real(*a, **kw)
            self.entered.set()
            self.release.wait(self.timeout)
            return out

        return fn
