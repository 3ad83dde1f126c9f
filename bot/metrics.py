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
sends; worker restarts, by lane and reason, as the supervisor in this process counted them;
database errors, by the kind of process that met them, kind and outcome: this process's own
engine's (bot/store/transactions.py `watch_errors`) and what each worker process sent back
with its jobs (bot/dialogs/worker.py explains why that way and not prometheus-client's
multiprocess mode). Both are read from their counters when scraped, and only for lanes and
engines that are watched: a series that nothing could increment would tell an operator
"none" when nobody looked.

`iso20k worker` has no web server: `serve_metrics` gives it one for /metrics alone.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.dialogs.admission import WorkerBusy
from bot.dialogs.repeats import InFlight
from bot.dialogs.worker import RESTART_REASONS, DialogWorker, Health, ProcessWorker
from bot.reminders.dispatch import TickResult
from bot.reminders.outbox import lagging_count
from bot.store.transactions import ERROR_KINDS, ERROR_OUTCOMES, ErrorTally

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
        self.shed = Counter(
            "iso20k_requests_shed",
            "Dialog steps refused at once because they could not be answered in time (busy).",
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
        self._lanes: list[ProcessWorker] = []
        self._tallies: list[tuple[str, Callable[[], dict[tuple[str, str], int]]]] = []
        reg.register(_Supervised(self._lanes, self._tallies))

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def watch_outbox(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        """Show `iso20k_reminders_lagging`: reminders due by `now()` and not yet sent."""
        self.registry.register(_Lagging(engine, now))

    def watch_workers(self, *workers: DialogWorker | None) -> None:
        """Show the restarts of each lane run by worker processes, and the database errors
        those processes report (a lane on a thread of this process has neither: its steps
        use this process's engine, `watch_database`)."""
        for worker in workers:
            if isinstance(worker, ProcessWorker):
                self._lanes.append(worker)
                self._tallies.append((worker.name, worker.database_errors))

    def watch_repeats(self, in_flight: InFlight) -> None:
        """Show `iso20k_repeats_joined_total`: repeated deliveries (Slack's retries, double
        clicks, replays) that met their first in flight and took no worker's place."""
        self.registry.register(_Joined(in_flight))

    def watch_database(self, tally: ErrorTally, process: str) -> None:
        """Show the database errors counted in `tally` (this process's engine, watched with
        bot.store.transactions.watch_errors) under `process=`."""
        self._tallies.append((process, tally.counts))

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
        return _TimedWorker(worker, self.dialog_step_seconds, self.shed)


class _TimedWorker:
    def __init__(self, worker: DialogWorker, seconds: Histogram, shed: Counter) -> None:
        self.worker, self.seconds, self.shed = worker, seconds, shed

    async def call(self, fn: Callable[..., R], *args: Any, within: float | None = None) -> R:
        started = time.perf_counter()
        try:
            reply = await self.worker.call(fn, *args, within=within)
        except WorkerBusy:  # refused at once: no step ran, so none is timed
            self.shed.inc()
            raise
        except BaseException:
            self.seconds.observe(time.perf_counter() - started)
            raise
        self.seconds.observe(time.perf_counter() - started)
        return reply

    def health(self) -> Health:
        return self.worker.health()

    def close(self) -> None:
        self.worker.close()


class _Supervised(Collector):
    """The counts the worker supervisors and error tallies keep, read when scraped."""

    def __init__(
        self,
        lanes: list[ProcessWorker],
        tallies: list[tuple[str, Callable[[], dict[tuple[str, str], int]]]],
    ) -> None:
        self.lanes, self.tallies = lanes, tallies

    def collect(self) -> Iterator[Metric]:
        if self.lanes:
            restarts = CounterMetricFamily(
                "iso20k_worker_restarts",
                "Worker pools replaced, by lane and reason (died, max_jobs, max_rss).",
                labels=["lane", "reason"],
            )
            for lane in self.lanes:
                counts = lane.restarts()
                for reason in RESTART_REASONS:
                    restarts.add_metric([lane.name, reason], counts.get(reason, 0))
            yield restarts
        if self.tallies:
            errors = CounterMetricFamily(
                "iso20k_database_errors",
                "Database errors met by transactions, by process, kind and outcome.",
                labels=["process", "kind", "outcome"],
            )
            totals: dict[tuple[str, str, str], int] = {}
            for process, tally in self.tallies:
                for kind in ERROR_KINDS:
                    for outcome in ERROR_OUTCOMES:
                        totals.setdefault((process, kind, outcome), 0)
                for (seen, ended), times in tally().items():
                    key = (process, seen, ended)
                    totals[key] = totals.get(key, 0) + times
            for labels, value in totals.items():
                errors.add_metric(list(labels), value)
            yield errors


class _Joined(Collector):
    def __init__(self, in_flight: InFlight) -> None:
        self.in_flight = in_flight

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "iso20k_repeats_joined",
            "Repeated deliveries that waited for their first, in flight, instead of a worker.",
            value=self.in_flight.joined,
        )


class _Lagging(Collector):
    def __init__(self, engine: Engine, now: Callable[[], dt.datetime]) -> None:
        self.engine, self.now = engine, now

    def collect(self) -> Iterator[Metric]:
        try:
            with Session(self.engine) as session:
                count = lagging_count(session, self.now())
        except Exception as exc:  # the database is down: /readyz says so; no figure here
            log.warning("reminders lagging not measured: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily(
            "iso20k_reminders_lagging",
            "Reminders due and not yet sent (of installed organisations).",
            value=count,
        )


def authorised(request: Request, token: str | None) -> bool:
    """With a token configured, the request must carry `Authorization: Bearer <token>`
    (compared in constant time); without one, everyone may read the metrics."""
    if not token:
        return True
    return _bearer_matches(request.headers.get("authorization", ""), token)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape in progress does not hold the process's exit


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every few seconds is no news; refusals are logged below


def serve_metrics(
    metrics: Metrics, port: int, token: str | None, host: str = "0.0.0.0"
) -> Callable[[], None]:
    """Serve `GET /metrics` on `port` from a daemon thread (behind `token` like the web
    app's); returns what stops it. prometheus-client's own `start_http_server` has no way
    to ask for a bearer token, hence this small WSGI app."""

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        if token and not _bearer_matches(environ.get("HTTP_AUTHORIZATION", ""), token):
            log.warning("/metrics refused: no valid bearer token")
            start("401 Unauthorized", [("WWW-Authenticate", "Bearer")])
            return [b""]
        start("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [metrics.render()]

    server = make_server(host, port, app, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _space, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
