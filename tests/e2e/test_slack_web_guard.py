"""`POST /slack/events` against junk, over real HTTP: 401, 400 or 413, never a 500 or a
traceback, and one short log line per refusal that holds none of the body.

The inputs are those of the attack that found the problem (issue 8): malformed
`X-Slack-Request-Timestamp` values, unsigned and signed garbage bodies, and 5 MB bodies with,
without and with a lying Content-Length.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from slack_sdk.signature import Clock

from tests.e2e.harness import SECRET, SlackWorld, block_text, start_world, stop_world
from tests.slackfake.signing import slash_command_body

BIG = 5_000_000
MARK = b"ZQX"  # a byte pattern of the junk bodies, so the log can be searched for it
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


class Records(logging.Handler):
    """What the log would hold at INFO, the level `iso20k serve` logs at."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        return [self.format(r) for r in self.records]

    def refusals(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.name == "bot.slack.guard"]


@pytest.fixture
def logs(world: SlackWorld) -> Iterator[Records]:
    """Everything logged while the test runs, uvicorn's own loggers included (they do not
    propagate to the root logger, and uvicorn configures them when the world starts)."""
    handler = Records()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(levels[name])


def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send(
    world: SlackWorld, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    host, port = world.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", "replace")
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, text
    finally:
        connection.close()


def signed(body: bytes, content_type: str = "application/json") -> dict[str, str]:
    now = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": now,
        "X-Slack-Signature": signature(body, now),
    }


def assert_short_log(logs: Records, refusals: int) -> None:
    """One line per refusal, short, with nothing of a body and no traceback anywhere."""
    assert len(logs.refusals()) == refusals, logs.refusals()
    assert all(len(line) < 200 for line in logs.refusals())
    assert all(r.exc_info is None for r in logs.records), [r.getMessage() for r in logs.records]
    text = "\n".join(logs.lines())
    assert MARK.decode() not in text
    assert "Traceback" not in text
    assert len(text) < 300 * max(refusals, 1)


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "9" * 400, "-5", "17.5", "0x1F"])
def test_a_malformed_timestamp_is_401(world: SlackWorld, logs: Records, timestamp: str) -> None:
    body = slash_command_body(text="status").encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(body, timestamp),  # right but for the timestamp
    }
    status, answered, text = send(world, body, headers)
    assert status == 401
    assert text == "Invalid or missing Slack signature."
    # Not from Slack as far as anyone can tell: nothing to tell Slack about its retries
    assert "x-slack-no-retry" not in answered
    assert_short_log(logs, 1)
    reason = logs.refusals()[0]
    assert reason.startswith("refused POST /slack/events: 401 ")
    assert ("unsigned" if not timestamp else "malformed timestamp") in reason
    assert world.slack.calls_to("response_url") == []


@pytest.mark.parametrize(
    "body",
    [
        b"{" + MARK + b" not json",
        b"payload=%7B" + MARK,
        b"\xff\xfe" + MARK + b"\x00\x01",
        b"[" + MARK + b"]",
        b"",
    ],
)
def test_unsigned_garbage_is_401(world: SlackWorld, logs: Records, body: bytes) -> None:
    status, _, _ = send(world, body, {"Content-Type": "application/json"})
    assert status == 401
    assert_short_log(logs, 1)
    assert "401 unsigned" in logs.refusals()[0]


def test_an_old_or_foreign_timestamp_is_401(world: SlackWorld, logs: Records) -> None:
    body = slash_command_body(text="status").encode()
    for timestamp in ("17", str(int(time.time()) - 6 * 60), str(int(time.time()) + 6 * 60)):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(body, timestamp),
        }
        assert send(world, body, headers)[0] == 401
    assert_short_log(logs, 3)
    assert all("outside the 5-minute window" in line for line in logs.refusals())


def test_a_signed_body_that_is_not_utf8_is_401(world: SlackWorld, logs: Records) -> None:
    body = b"\xff\xfe" + MARK + b"\x00"
    now = str(int(time.time()))
    base = b"v0:" + now.encode() + b":" + body
    raw = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": raw}
    assert send(world, body, headers)[0] == 401
    assert_short_log(logs, 1)
    assert "not UTF-8" in logs.refusals()[0]


def test_a_wrong_signature_is_401(world: SlackWorld, logs: Records) -> None:
    body = b'{"type": "event_callback", "junk": "' + MARK + b'"}'
    headers = signed(body)
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert send(world, body, headers)[0] == 401
    assert_short_log(logs, 1)
    assert "bad signature" in logs.refusals()[0]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{" + MARK + b" not json", "application/json"),
        (b"payload=%7B" + MARK, "application/x-www-form-urlencoded"),
        (b"[1, 2, 3]", "application/json"),
        (b"5", "application/json"),
        (b"{}", "application/json"),
        (b"", "application/x-www-form-urlencoded"),
        (b"text=" + MARK, "application/x-www-form-urlencoded"),
        # a shape Slack never sends, on which Bolt itself trips (KeyError: the view's type)
        (
            b"payload="
            + quote(json.dumps({"type": "view_submission", "view": {"callback_id": "x"}})).encode(),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_a_signed_body_nobody_can_read_is_400(
    world: SlackWorld, logs: Records, body: bytes, content_type: str
) -> None:
    status, headers, text = send(world, body, signed(body, content_type))
    assert status == 400
    assert text == "Malformed request body."
    assert headers.get("x-slack-no-retry") == "1"  # Slack need not send it again
    assert_short_log(logs, 1)
    assert logs.refusals()[0].startswith("refused POST /slack/events: 400 ")


def test_a_declared_5_mb_body_is_413_before_it_is_sent(world: SlackWorld, logs: Records) -> None:
    """Only the headers go out: the answer comes without waiting for a byte of the body."""
    with socket.create_connection(_address(world), timeout=30) as s:
        s.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {BIG}\r\n\r\n".encode()
        )
        head = _response_head(s)
    assert head.startswith(b"HTTP/1.1 413 ")
    assert_short_log(logs, 1)
    assert f"413 body too large ({BIG} bytes)" in logs.refusals()[0]


def test_a_5_mb_body_without_a_length_is_cut_off_at_1_mb(world: SlackWorld, logs: Records) -> None:
    chunk = MARK * 20_000  # 60 kB

    def chunked() -> Iterator[bytes]:
        for _ in range(BIG // len(chunk)):
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        yield b"0\r\n\r\n"

    head = _stream(
        world,
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        chunked(),
    )
    assert head.startswith(b"HTTP/1.1 413 ")
    assert_short_log(logs, 1)
    assert "413 body too large" in logs.refusals()[0]


def test_a_5_mb_body_sent_whole_is_413_and_logged_in_one_line(
    world: SlackWorld, logs: Records
) -> None:
    body = MARK * (BIG // len(MARK))
    status, headers, text = send(world, body, signed(body))
    assert status == 413
    assert text == "Request body over 1000000 bytes."  # README: "a body over 1 MB"
    assert headers.get("x-slack-no-retry") == "1"  # the same body would be refused again
    assert_short_log(logs, 1)


def test_a_content_length_that_lies_reads_no_further(world: SlackWorld, logs: Records) -> None:
    """Ten bytes declared, 5 MB sent: the ten are checked (unsigned: 401), the rest is no
    request at all, and none of it reaches the log."""
    body = MARK * (BIG // len(MARK))
    head = _stream(
        world,
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10\r\n\r\n",
        (body[i : i + 65536] for i in range(0, len(body), 65536)),
    )
    assert head.startswith(b"HTTP/1.1 401 ")
    assert "401 unsigned (10 bytes)" in logs.refusals()[0]
    assert all(r.exc_info is None for r in logs.records)
    text = "\n".join(logs.lines())
    assert MARK.decode() not in text and len(text) < 1000


def test_a_good_request_still_gets_through(world: SlackWorld, logs: Records) -> None:
    assert world.command("help").status == 200
    assert "What you can ask:" in block_text(world.last("response_url").args["blocks"])
    assert logs.refusals() == []


class Later(Clock):
    """Ten minutes ahead of the wall clock."""

    def now(self) -> float:
        return time.time() + 600


def test_the_5_minute_window_is_checked_on_the_injected_clock(tmp_path: Path) -> None:
    world = start_world(tmp_path, clock=Later())
    try:
        # signed now, which the guard's clock sees as ten minutes ago
        assert world.command("help").status == 401
        ahead = int(time.time()) + 600
        late = world.command("help", timestamp=ahead)
        # the guard lets it through; Bolt, on the wall clock, refuses it in turn
        assert late.status == 401
        assert world.slack.calls_to("response_url") == []
    finally:
        stop_world(world)


def _address(world: SlackWorld) -> tuple[str, int]:
    host, port = world.base_url.removeprefix("http://").split(":")
    return host, int(port)


def _response_head(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        got = s.recv(65536)
        if not got:
            break
        data += got
    return data


def _stream(world: SlackWorld, head: bytes, body: Iterator[bytes]) -> bytes:
    """Send `head`, then `body` from a thread while the answer is read (the server answers
    before it has read everything, and may stop reading)."""
    with socket.create_connection(_address(world), timeout=30) as s:
        s.sendall(head)

        def pump() -> None:
            try:
                for chunk in body:
                    s.sendall(chunk)
            except OSError:
                pass  # the server closed the connection: it had heard enough

        sender = threading.Thread(target=pump, daemon=True)
        sender.start()
        answer = _response_head(s)
        with contextlib.suppress(OSError):  # the server may have closed it already
            s.shutdown(socket.SHUT_RDWR)
        sender.join(timeout=60)
        return answer
