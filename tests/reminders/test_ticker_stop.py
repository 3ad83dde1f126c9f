"""Stopping the blocking ticker (`iso20k worker`) from a signal handler: asked at any moment,
even before it started, it stops; nothing raised into the scheduler's own code can be
swallowed there (APScheduler catches BaseException while it submits a job)."""

import threading

from bot.reminders.scheduler import Ticker

LIMIT = 30.0


def test_a_stop_asked_for_before_the_start_is_honoured() -> None:
    ticker = Ticker(lambda: None, 60, blocking=True, purge=lambda: None)
    ticker.request_stop()
    runner = threading.Thread(target=ticker.start, daemon=True)
    runner.start()
    runner.join(LIMIT)
    assert not runner.is_alive()


def test_a_running_blocking_ticker_stops_when_asked() -> None:
    ticked = threading.Event()
    ticker = Ticker(ticked.set, 0.05, blocking=True, purge=lambda: None)
    runner = threading.Thread(target=ticker.start, daemon=True)
    runner.start()
    assert ticked.wait(LIMIT)
    ticker.request_stop()
    runner.join(LIMIT)
    assert not runner.is_alive()
    assert ticker.stop(1.0)  # stopping again is harmless
