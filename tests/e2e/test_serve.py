"""`iso20k serve` as production runs it: its own process, worker processes, env settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.harness import ROOT, SECRET, TOKEN, block_text, serve_process
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body


def test_serve_answers_a_signed_command_from_its_worker_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )
    with FakeSlack(token=TOKEN) as slack:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            "DIALOG_PROCESSES": "1",
        }
        env.pop("SLACK_APP_TOKEN", None)
        with serve_process(env) as base:
            body = slash_command_body(text="", response_url=slack.response_url("serve"))
            status, _, _ = post(base, "/slack/events", body, SECRET)
            assert status == 200
            reply = slack.wait_for("response_url", timeout=30)[0]
            assert "Use /iso20k followed by" in block_text(reply.args["blocks"])
            assert post(base, "/slack/events", body, "wrong-secret")[0] == 401
