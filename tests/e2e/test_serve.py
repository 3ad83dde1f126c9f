"""`iso20k serve` as production runs it: its own process, worker processes, env settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.harness import SECRET, TOKEN, block_text, free_port
from tests.slackfake.server import FakeSlack
from tests.slackfake.signing import post, slash_command_body

ROOT = Path(__file__).resolve().parents[2]


def test_serve_answers_a_signed_command_from_its_worker_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
    )
    port = free_port()
    with FakeSlack(token=TOKEN) as slack:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORT": str(port),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            "DIALOG_PROCESSES": "1",
        }
        env.pop("SLACK_APP_TOKEN", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                        break
                except OSError:
                    assert server.poll() is None, server.stdout.read() if server.stdout else ""
                    assert time.monotonic() < deadline, "serve did not come up"
                    time.sleep(0.2)
            body = slash_command_body(text="", response_url=slack.response_url("serve"))
            status, _, _ = post(base, "/slack/events", body, SECRET)
            assert status == 200
            reply = slack.wait_for("response_url", timeout=30)[0]
            assert "Use /iso20k followed by" in block_text(reply.args["blocks"])
            assert post(base, "/slack/events", body, "wrong-secret")[0] == 401
        finally:
            server.terminate()
            server.wait(timeout=20)
