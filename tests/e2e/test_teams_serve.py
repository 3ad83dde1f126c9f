"""`iso20k serve` for Teams as production runs it: its own process, worker processes, the
settings from the environment; Slack and Teams from one process; anonymous development."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SECRET, TOKEN, block_text, serve_process
from tests.e2e.teams_harness import ALICE, TENANT, card_text
from tests.e2e.test_serve import command, migrated
from tests.slackfake.server import FakeSlack
from tests.teamsfake.activities import message, post, signed_post
from tests.teamsfake.connector import FakeConnector
from tests.teamsfake.identity import APP_ID, FakeIdentity
from tests.teamsfake.tokens import APP_PASSWORD, FakeTokenService

HELP = "What you can ask:"
CHAT = "a:serve-chat"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeIdentity, FakeTokenService, FakeConnector]]:
    with (
        FakeIdentity() as identity,
        FakeTokenService() as tokens,
        FakeConnector(tokens) as connector,
    ):
        connector.add_person(ALICE.teams_id, str(ALICE.aad_object_id), ALICE.name, TENANT)
        connector.open(CHAT, tenant_id=TENANT, members=[ALICE.teams_id])
        yield identity, tokens, connector
        connector.check_all()


def teams_env(url: str, identity: FakeIdentity, tokens: FakeTokenService) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "TEAMS_"))
    }
    return {
        **env,
        "DATABASE_URL": url,
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": APP_PASSWORD,
        "TEAMS_OPENID_METADATA_URL": identity.metadata_url,
        "TEAMS_TOKEN_URL": tokens.token_url,
        "DIALOG_PROCESSES": "1",
        "PYTHONUNBUFFERED": "1",
    }


def hello(connector: FakeConnector) -> dict[str, object]:
    return message(
        "help", tenant=TENANT, user=ALICE, conversation=CHAT, service_url=connector.service_url
    )


def test_serve_answers_teams_from_its_worker_processes(
    tmp_path: Path, fakes: tuple[FakeIdentity, FakeTokenService, FakeConnector]
) -> None:
    identity, tokens, connector = fakes
    env = teams_env(migrated(tmp_path), identity, tokens)
    with serve_process(env) as base:
        assert post(base, hello(connector)).status == 401  # no token, no turn
        assert signed_post(identity, base, hello(connector)).status == 202
        connector.wait_for(lambda: connector.messages_to(CHAT))
    assert HELP in card_text(connector.messages_to(CHAT)[0].cards[0])


def test_one_process_serves_slack_and_teams(
    tmp_path: Path, fakes: tuple[FakeIdentity, FakeTokenService, FakeConnector]
) -> None:
    identity, tokens, connector = fakes
    with FakeSlack(token=TOKEN) as slack:
        env = {
            **teams_env(migrated(tmp_path), identity, tokens),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
        }
        with serve_process(env) as base:
            command(base, slack, "both")
            assert signed_post(identity, base, hello(connector)).status == 202
            assert HELP in block_text(slack.wait_for("response_url", timeout=60)[0].args["blocks"])
            connector.wait_for(lambda: connector.messages_to(CHAT))


def test_anonymous_development_needs_no_token(tmp_path: Path) -> None:
    with FakeConnector(None) as connector:
        connector.add_person(ALICE.teams_id, str(ALICE.aad_object_id), ALICE.name, TENANT)
        connector.open(CHAT, tenant_id=TENANT, members=[ALICE.teams_id])
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "TEAMS_"))
        }
        env |= {
            "DATABASE_URL": migrated(tmp_path),
            "TEAMS_ALLOW_ANONYMOUS": "true",
            "DIALOG_PROCESSES": "0",
        }
        with serve_process(env) as base:
            assert post(base, hello(connector)).status == 202
            connector.wait_for(lambda: connector.messages_to(CHAT))
        connector.check_all()
