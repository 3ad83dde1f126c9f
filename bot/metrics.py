"""What `GET /metrics` shows, in the Prometheus text format (prometheus-client).

Every metric lives in a `Metrics` object's own registry, never the library's global one: the
app is handed one (bot/serve.py), and each test makes its own. Metric names and labels are for
operators and not translated. Label values are kept to small known sets (`kind_of`): a
request's kind comes from its payload, and an unbounded label would let anyone who reaches
the endpoint grow the registry without end.

Wired: requests by platform, kind and outcome; acknowledgement latency (the time from the
request's arrival to its answer: what Slack's 3-second rule measures); dialog step duration
(a step from the web process's side, waiting for a worker included); reminders sent and
failed, from each tick's result; reminders lagging (due and not sent), read from the outbox
when scraped, so every process that serves /metrics shows the same figure whichever process
sends. Not yet here: worker restarts and database errors (their events happen inside
bot/dialogs/worker.py and, in the worker processes, bot/store/transactions.py; a counter that
nothing increments would tell an operator "none" when nobody looked).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from bot.dialogs.worker import DialogWorker, Health
from bot.reminders.dispatch import TickResult
from bot.store.models import Reminder

log = logging.getLogger(__name__)
R = TypeVar("R")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Slack's limit is 3 s; the buckets are finest where a healthy ack lands (PLATFORM.md: ~1 to
# 15 ms alone, ~100 ms spikes under load).
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
STEP_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# The payload kinds each platform sends (api.slack.com "interactivity" and Events API; the
# Bot Framework's activity types); anything else is counted as "other".
KINDS = {
    "slack": frozenset(
        {
            "command",
            "block_actions",
            "block_suggestion",
            "view_submission",
            "view_closed",
            "shortcut",
            "message_action",
            "event_callback",
            "url_verification",
            "app_rate_limited",
            "ssl_check",
        }
    ),
    "teams": frozenset(
        {"message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction"}
    ),
}


def kind_of(platform: str, raw: object) -> str:
    """The `kind` label for a request's payload kind: a known one, else "other"."""
    return raw if isinstance(raw, str) and raw in KINDS.get(platform, ()) else "other"


def outcome_of(status: int) -> str:
    """The `outcome` label: answered, refused by us (4xx: unsigned, too large, …), or failed."""
    return "ok" if status < 400 else "refused" if status < 500 else "error"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        reg = self.registry
        self.requests = Counter(
            "iso20k_requests",
            "Requests from Slack and Teams, by platform, payload kind and outcome.",
            ["platform", "kind", "outcome"],
            registry=reg,
        )
        self.ack_seconds = Histogram(
            "iso20k_ack_seconds",
            "Seconds from a request's arrival to its acknowledgement.",
            ["platform"],
            buckets=ACK_BUCKETS,
            registry=reg,
        )
        self.dialog_step_seconds = Histogram(
            "iso20k_dialog_step_seconds",
            "Seconds a dialog step took, seen from the web process (waiting included).",
            buckets=STEP_BUCKETS,
            registry=reg,
        )
        self.reminders_sent = Counter(
            "iso20k_reminders_sent", "Reminders delivered by this process.", registry=reg
        )
        self.reminders_failed = Counter(
            "iso20k_reminders_failed",
            "Reminder deliveries that failed in this process (each is retried, then failed).",
            registry=reg,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def watch_outbox(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        """Show `iso20k_reminders_lagging`: reminders due by `now()` and not yet sent."""
        self.registry.register(_Lagging(engine, now))

    def observe_tick(self, tick: Callable[[], TickResult]) -> Callable[[], TickResult]:
        """`tick`, counting what each run sent and what failed."""

        def observed() -> TickResult:
            result = tick()
            self.reminders_sent.inc(result.sent)
            self.reminders_failed.inc(result.retried)
            return result

        return observed

    def observe_requests(
        self, platform: str, handler: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`handler`, counting each request and timing its answer. The handler names the
        payload's kind in `request.state.kind` once it has read it (bot/slack/guard.py,
        bot/teams/endpoint.py)."""

        async def observed(request: Request) -> Response:
            started = time.perf_counter()
            status = 500
            try:
                response = await handler(request)
                status = response.status_code
                return response
            finally:
                self.ack_seconds.labels(platform).observe(time.perf_counter() - started)
                kind = kind_of(platform, getattr(request.state, "kind", None))
                self.requests.labels(platform, kind, outcome_of(status)).inc()

        return observed

    def timed(self, worker: DialogWorker) -> DialogWorker:
        """`worker`, its steps timed."""
        return _TimedWorker(worker, self.dialog_step_seconds)


class _TimedWorker:
    def __init__(self, worker: DialogWorker, seconds: Histogram) -> None:
        self.worker, self.seconds = worker, seconds

    async def call(self, fn: Callable[..., R], *args: Any) -> R:
        with self.seconds.time():
            return await self.worker.call(fn, *args)

    def health(self) -> Health:
        return self.worker.health()

    def close(self) -> None:
        self.worker.close()


class _Lagging(Collector):
    def __init__(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        try:
            with Session(self.engine) as session:
                due = select(func.count()).where(
                    col(Reminder.state).in_(("pending", "claimed")), Reminder.due_at <= self.now()
                )
                count = session.exec(due).one()
        except Exception as exc:  # the database is down: /readyz says so; no figure here
            log.warning("reminders lagging not measured: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily(
            "iso20k_reminders_lagging", "Reminders due and not yet sent.", value=count
        )


def authorised(request: Request, token: str | None) -> bool:
    """With a token configured, the request must carry `Authorization: Bearer <token>`
    (compared in constant time); without one, everyone may read the metrics."""
    if not token:
        return True
    scheme, _space, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
