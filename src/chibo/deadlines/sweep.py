"""The periodic sweep (``chibo reminders``, the worker's ``sweep_reminders``): first the obligations the
processes open on a calendar (a cell's next regular meeting…), registered by the apps above at start-up,
then the late flags and the reminders now due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from chibo.core import clock
from chibo.deadlines.reminders import SweepResult, sweep

# (today) → anything; opens the obligations that fall due on a calendar rather than on an event.
SweepStep = Callable[[date], object]
_steps: list[SweepStep] = []


def register_step(step: SweepStep) -> None:
    if step not in _steps:
        _steps.append(step)


def run_sweep(*, today: date | None = None) -> SweepResult:
    day = today or clock.today()
    for step in _steps:
        step(day)
    return sweep(today=today)
