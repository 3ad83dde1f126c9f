"""A dialog worker killed with SIGKILL under load, and the server stopped with SIGTERM.

    .venv/bin/python benchmarks/worker_kill.py [--seconds S] [--kill-at K] [--people P]

`iso20k serve` runs as production runs it (its own process, DIALOG_PROCESSES=2, SQLite,
the fake Slack of tests/slackfake). P simulated people send `/iso20k help` in a closed loop
(each the next once the previous was answered or 30 s passed) for S seconds; K seconds in,
one dialog worker process is killed with SIGKILL. A poller reads /healthz every 20 ms.
Afterwards the server gets SIGTERM.

It prints: commands sent and acknowledged, non-2xx acknowledgements, answered, answered
with the honest apology, lost (no reply at all: must be 0), duplicated (more than one reply:
the documented at-least-once window), how long /healthz said 503 after the kill and when it
said 200 again, seconds from the kill until the first command sent after it was answered
(by the surviving worker, if the pool had not noticed yet), and seconds from SIGTERM until
the server and every process it started were gone (the promise is 10 s). It prints
figures, it is not a test: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import processes  # noqa: E402
from tests.e2e.harness import SECRET, TOKEN, Served, block_text, health, serve_served  # noqa: E402
from tests.slackfake.server import FakeSlack  # noqa: E402
from tests.slackfake.signing import post, slash_command_body  # noqa: E402

APOLOGY = "may or may not have been done"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--kill-at", type=float, default=5.0)
    parser.add_argument("--people", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iso20k-worker-kill-"))
    url = f"sqlite:///{work / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True)
    with FakeSlack(token=TOKEN) as slack:
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.url,
            DIALOG_PROCESSES="2",
        )
        env.pop("SLACK_APP_TOKEN", None)
        with serve_served(env, work / "serve.log") as served:
            run(served, slack, args)


def run(served: Served, slack: FakeSlack, args: argparse.Namespace) -> None:
    base, pid = served.base_url, served.process.pid
    sent: dict[str, float] = {}
    acks: list[int] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + args.seconds
    health_log: list[tuple[float, int]] = []

    def person(n: int) -> None:
        i = 0
        while time.monotonic() < stop_at:
            key = f"p{n}-{i}"
            i += 1
            body = slash_command_body(text="help", response_url=slack.response_url(key))
            with lock:
                sent[key] = time.monotonic()
            status, _, _ = post(base, "/slack/events", body, SECRET)
            with lock:
                acks.append(status)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not replies(slack, key):
                time.sleep(0.005)

    def poll_health() -> None:
        while time.monotonic() < stop_at:
            health_log.append((time.monotonic(), health(base)[0]))
            time.sleep(0.02)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(args.people)]
    threads.append(threading.Thread(target=poll_health))
    for t in threads:
        t.start()
    time.sleep(max(0.0, start + args.kill_at - time.monotonic()))
    victim = min(p.pid for p in processes.forkserver_workers(pid))
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    for t in threads:
        t.join()

    answered = {key: replies(slack, key) for key in sent}
    lost = [k for k, r in answered.items() if not r]
    duplicated = [k for k, r in answered.items() if len(r) > 1]
    apologised = [k for k, r in answered.items() if any(APOLOGY in text for text in r)]
    after = [
        min(call.at for call in slack.calls_to("response_url") if call.path.endswith(f"/{k}"))
        for k, at in sent.items()
        if at > killed_at and answered[k]
    ]
    unhealthy = [t for t, status in health_log if status != 200 and t >= killed_at]
    print(f"commands sent          {len(sent)}")
    print(
        f"acknowledged 200       {acks.count(200)}   other statuses: {len(acks) - acks.count(200)}"
    )
    print(f"answered               {len(sent) - len(lost)}")
    print(f"  with the apology     {len(apologised)}")
    print(f"lost (must be 0)       {len(lost)}")
    print(f"duplicated replies     {len(duplicated)}")
    if unhealthy:
        back = min(
            (t for t, status in health_log if status == 200 and t > unhealthy[-1]), default=0
        )
        print(f"/healthz 503 for       {unhealthy[-1] - unhealthy[0] + 0.02:.2f} s after the kill")
        print(f"kill -> healthy again  {back - killed_at:.2f} s")
    else:
        print("/healthz 503 for       not seen by the 20 ms poller")
    if after:
        print(f"kill -> next answered  {min(after) - killed_at:.2f} s")
    stopping = time.monotonic()
    served.stop(signal.SIGTERM)
    print(f"SIGTERM -> all gone    {time.monotonic() - stopping:.2f} s (promise: 10 s)")


def replies(slack: FakeSlack, key: str) -> list[str]:
    return [
        block_text(c.args.get("blocks", []))
        for c in slack.calls_to("response_url")
        if c.path.endswith(f"/{key}")
    ]


if __name__ == "__main__":
    main()
