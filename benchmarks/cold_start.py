"""The first command after `iso20k serve` starts, and /healthz while the workers warm.

    .venv/bin/python benchmarks/cold_start.py [--runs R] [--dialog-processes D]

Each run starts `iso20k serve` as production does (its own process, worker processes,
SQLite, the fake Slack of tests/slackfake), waits only until its port accepts connections,
and at once sends a signed `/iso20k help`: the first request it ever gets, while its worker
processes are still starting and warming. Meanwhile /healthz is asked every 20 ms.

It prints, per run: from the process start to the port listening; the first command's
acknowledgement (target: under 50 ms) and when its reply reached the fake Slack (the reply
waits for a warm dialog worker); how long /healthz said 503 and with which reasons, and the
slowest /healthz answer (it only reads state, so it should never wait). Then the server gets
SIGTERM. It prints figures, it is not a test: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.harness import SECRET, TOKEN, free_port, serving  # noqa: E402
from tests.e2e.test_serve import migrated, serve_env  # noqa: E402
from tests.slackfake.server import FakeSlack  # noqa: E402
from tests.slackfake.signing import post, slash_command_body  # noqa: E402

TARGET_MS = 50.0


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class HealthWatch:
    """Asks /healthz every 20 ms: the reasons it gave, when it first said 200, its slowest."""

    def __init__(self, base: str) -> None:
        self.base, self.stop = base, threading.Event()
        self.reasons: list[str] = []
        self.first_ok: float | None = None
        self.slowest = 0.0
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self) -> None:
        while not self.stop.wait(0.02):
            asked = time.monotonic()
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=10):
                    if self.first_ok is None:
                        self.first_ok = time.monotonic()
            except urllib.error.HTTPError as err:
                reason = err.read().decode(errors="replace")
                if reason not in self.reasons:
                    self.reasons.append(reason)
            except OSError:
                continue
            self.slowest = max(self.slowest, time.monotonic() - asked)


def one_run(work: Path, slack: FakeSlack, processes: int, number: int) -> float:
    port = free_port()
    env = {**serve_env(migrated(work), slack, processes=processes), "PORT": str(port)}
    key = f"cold-{number}"
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with serving(["serve", "--host", "127.0.0.1"], env, work / f"serve-{number}.log") as served:
        while not listening(port):
            if served.process.poll() is not None:
                raise RuntimeError(served.output())
            time.sleep(0.001)
        listened = time.monotonic()
        health = HealthWatch(base)
        body = slash_command_body(text="", response_url=slack.response_url(key))
        sent = time.monotonic()
        status, _, _ = post(base, "/slack/events", body, SECRET)
        acked = time.monotonic()
        health.thread.start()
        reply = slack.wait_for("response_url", number, timeout=120)[-1]
        while health.first_ok is None and time.monotonic() - started < 120:
            time.sleep(0.02)
        health.stop.set()
        health.thread.join()
    ack_ms = (acked - sent) * 1000
    print(
        f"run {number}: listening after {listened - started:.2f} s; first command: HTTP {status}, "
        f"ack {ack_ms:.1f} ms (target {TARGET_MS:g} ms), reply {reply.at - sent:.2f} s after it"
    )
    ok_after = f"{health.first_ok - started:.2f} s" if health.first_ok else "never"
    print(
        f"    /healthz 200 after {ok_after}; slowest answer {health.slowest * 1000:.1f} ms; "
        f"503 reasons: {'; '.join(health.reasons) or 'none seen'}"
    )
    return ack_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dialog-processes", type=int, default=2)
    args = parser.parse_args()
    acks = []
    with FakeSlack(token=TOKEN) as slack:
        for number in range(1, args.runs + 1):
            work = Path(tempfile.mkdtemp(prefix="iso20k-cold-"))
            acks.append(one_run(work, slack, args.dialog_processes, number))
    acks.sort()
    print(
        f"first-command acknowledgement over {len(acks)} runs: median {acks[len(acks) // 2]:.1f} "
        f"ms, worst {acks[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
