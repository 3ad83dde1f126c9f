"""`GET /metrics` over real HTTP: `iso20k serve` counts a signed Slack command, times its
acknowledgement and its dialog step, and keeps the metrics behind METRICS_TOKEN; in this
process, each `Metrics` has a registry of its own, reminders are counted from each tick, and
the lagging gauge reads the outbox."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.metrics import Metrics, kind_of
from bot.reminders.dispatch import TickResult
from bot.store.db import make_engine
from bot.store.models import Organisation, Reminder
from bot.web import create_web_app
from tests.e2e.harness import TOKEN, serve_process, wait_until
from tests.e2e.test_serve import command, migrated, serve_env
from tests.migrated import migrated as migrated_copy
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body
from tests.test_readyz import get, served

METRICS_TOKEN = "s3cret-scrape-token"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as fake:
        yield fake


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, or None if it is not there."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return None if found is None else float(found.group(1))


def test_serve_counts_a_signed_slack_command_behind_the_bearer_token(
    tmp_path: Path, slack: FakeSlack
) -> None:
    env = {**serve_env(migrated(tmp_path), slack, processes=0), "METRICS_TOKEN": METRICS_TOKEN}
    with serve_process(env, tmp_path / "serve.log") as base:
        assert get(f"{base}/readyz")[0] == 200
        command(base, slack)
        unsigned = slash_command_body(text="", response_url=slack.response_url("x"))
        assert post(base, "/slack/events", unsigned, "not-the-secret")[0] == 401

        assert get(f"{base}/metrics")[0] == 401
        assert get(f"{base}/metrics", {"Authorization": "Bearer wrong"})[0] == 401
        assert get(f"{base}/metrics", {"Authorization": METRICS_TOKEN})[0] == 401
        bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}

        def scraped() -> str:
            status, text = get(f"{base}/metrics", bearer)
            assert status == 200
            return text

        text = scraped()
        ok = {"platform": "slack", "kind": "command", "outcome": "ok"}
        assert sample(text, "iso20k_requests_total", **ok) == 1.0
        # Refused before it was read: its kind is unknown.
        refused = {"platform": "slack", "kind": "other", "outcome": "refused"}
        assert sample(text, "iso20k_requests_total", **refused) == 1.0
        assert sample(text, "iso20k_ack_seconds_count", platform="slack") == 2.0
        assert sample(text, "iso20k_ack_seconds_bucket", platform="slack", le="3.0") == 2.0
        assert sample(text, "iso20k_reminders_lagging") == 0.0
        # The command's step ran on the worker after the ack: timed once it is done.
        wait_until(lambda: (sample(scraped(), "iso20k_dialog_step_seconds_count") or 0) >= 1)
        assert METRICS_TOKEN not in text


def test_metrics_are_open_without_a_token_and_each_registry_is_its_own() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second
    first.reminders_sent.inc()
    with served(create_web_app(None, metrics=second)) as base:
        status, text = get(f"{base}/metrics")
    assert status == 200
    assert sample(text, "iso20k_reminders_sent_total") == 0.0
    assert sample(first.render().decode(), "iso20k_reminders_sent_total") == 1.0
    assert "# TYPE iso20k_requests_total counter" in text
    assert "# TYPE iso20k_ack_seconds histogram" in text


def test_reminders_are_counted_from_each_tick_and_lagging_from_the_outbox(
    tmp_path: Path,
) -> None:
    engine = make_engine(migrated_copy(f"sqlite:///{tmp_path / 'outbox.db'}"))
    with Session(engine) as session:
        org = Organisation(platform="slack", external_id="T1", name="Acme IT")
        session.add(org)
        session.flush()
        assert org.id is not None
        for n, (due, state) in enumerate(
            [(-60, "pending"), (-1, "claimed"), (-30, "sent"), (+60, "pending")]
        ):
            session.add(
                Reminder(
                    organisation_id=org.id,
                    kind="milestone",
                    target="U1",
                    subject="s",
                    due_at=NOW + dt.timedelta(minutes=due),
                    dedupe_key=f"k{n}",
                    state=state,  # type: ignore[arg-type]
                )
            )
        session.commit()
    metrics = Metrics()
    metrics.watch_outbox(engine, lambda: NOW)
    tick = metrics.observe_tick(lambda: TickResult(claimed=3, sent=2, retried=1))
    tick()
    tick()
    text = metrics.render().decode()
    assert sample(text, "iso20k_reminders_sent_total") == 4.0
    assert sample(text, "iso20k_reminders_failed_total") == 2.0
    assert sample(text, "iso20k_reminders_lagging") == 2.0  # the due ones not yet sent
    engine.dispose()


def test_kinds_are_kept_to_known_ones() -> None:
    assert kind_of("slack", "view_submission") == "view_submission"
    assert kind_of("teams", "message") == "message"
    assert kind_of("teams", "made-up-" + "x" * 50) == "other"
    assert kind_of("slack", None) == "other"
