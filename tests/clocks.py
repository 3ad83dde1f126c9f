"""Clocks a test controls, for code that takes its clock (and its sleep) as arguments."""

from __future__ import annotations


class SteppedClock:
    """Monotonic seconds that advance only when someone sleeps on it (or the test moves
    `now`): a gap between two events is exactly what the code waited, never how busy the
    machine was. Pass `clock` as the clock and `clock.sleep` as the sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "nobody should sleep for nothing"
        self.slept.append(seconds)
        self.now += seconds
