"""Log lines for operators: one JSON object a line (or plain text), with the request's context,
and never a secret.

A line in JSON has `time` (ISO 8601, UTC), `level`, `logger`, `message`, and when known
`organisation` (the Slack team or enterprise id, the Teams tenant id), `request_id` and
`platform` (slack, teams, reminders), then `exception` (the traceback, as one string) when
there is one. The context lives in a `contextvars.ContextVar`, bound where a request, a turn or
a reminder starts (`bound`), so the asyncio tasks and threads (`asyncio.to_thread`) a request
starts carry it too. Dialog and report worker processes log the same way: `ProcessWorker`
hands them the parent's `LogSetup` (format, level, what to redact; `setup_of`) when they
start, and each job the context of the request it serves (bot/dialogs/worker.py).

Redaction happens on the finished text, whatever the message or the traceback holds: the
values of the secret settings (every `Settings` field marked `repr=False`) and anything shaped
like a Slack token, an incoming webhook's URL or an `Authorization: Bearer …` value become
`[redacted]`: tokens read from the database (Slack OAuth installations) have those shapes.

The formatter is a plain `logging.Formatter`: a JSON line is a `json.dumps` of a few fields,
not worth a dependency (python-json-logger would add its own field-renaming options we do not
need, and still leave redaction and the context to us).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TextIO

LogFormat = Literal["json", "text"]
CONTEXT_FIELDS = ("organisation", "request_id", "platform")
REDACTED = "[redacted]"
# Slack's tokens: bot xoxb-, user xoxp-, app-level xapp-, legacy xoxa-/xoxr-, and with token
# rotation the refresh and rotating tokens xoxe- / xoxe.xoxb- (docs.slack.dev "Tokens").
SLACK_TOKEN = re.compile(r"\b(?:xox[abpre](?:\.xox[abp])?|xapp)-[A-Za-z0-9-]+")
# An installation's incoming webhook posts to a channel with no token beside it: the URL is
# the secret (docs.slack.dev "Sending messages using incoming webhooks").
SLACK_WEBHOOK = re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+")
BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
# APScheduler writes two INFO lines per job run ("Running job …", "Job … executed
# successfully"): every few seconds, forever.
QUIET_LOGGERS = ("apscheduler",)

# One line per Slack request and Teams activity, under a logger of its own so operators can
# route or silence it apart from the refusals and errors of the modules that serve them.
requests = logging.getLogger("bot.requests")

_context: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "iso20k_log_context", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextlib.contextmanager
def bound(**fields: str | None) -> Iterator[None]:
    """Add `fields` to every line logged inside the block (and in tasks started from it)."""
    token = _context.set({**current(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: str | None) -> None:
    """Add `fields` for the rest of the current `bound` block (once they are learnt)."""
    _context.set({**current(), **{k: v for k, v in fields.items() if v}})


def current() -> Mapping[str, str]:
    return _context.get() or {}


class Redactor:
    """Takes secrets out of finished text: the given values and anything shaped like one."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole; very short values
        # (a test's "x") would blank out ordinary words, so they are left to the patterns.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = SLACK_TOKEN.sub(REDACTED, text)
        text = SLACK_WEBHOOK.sub(REDACTED, text)
        return BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        line.update(current())
        if record.exc_info:
            line["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            line["stack"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, the context as `key=value` after the message, redacted too."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(f"{k}={v}" for k, v in current().items())
        if context:
            head, _, rest = text.partition("\n")
            text = f"{head} [{context}]" + (f"\n{rest}" if rest else "")
        return self.redact(text)


def parse_level(level: str) -> int:
    """A level's number from its name (any case); ValueError for anything else."""
    number = logging.getLevelNamesMapping().get(level.strip().upper())
    if number is None:
        raise ValueError(f"{level!r} is no log level; use DEBUG, INFO, WARNING or ERROR")
    return number


_HANDLER_MARK = "iso20k_handler"


@dataclass(frozen=True)
class LogSetup:
    """How a process logs, as plain data: `configure`'s arguments, to pickle to a worker."""

    fmt: LogFormat
    level: str = "INFO"
    secrets: tuple[str, ...] = ()

    def apply(self) -> logging.Handler:
        return configure(self.fmt, self.level, self.secrets)


def setup_of(root: logging.Logger | None = None) -> LogSetup | None:
    """How `configure` set this process's logging up, or None if it did not."""
    for handler in (root or logging.getLogger()).handlers:
        setup = getattr(handler, _HANDLER_MARK, None)
        if isinstance(setup, LogSetup):
            return setup
    return None


def configure(
    fmt: LogFormat,
    level: str = "INFO",
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log line to `stream` (stderr) in `fmt` at `level`; again replaces it."""
    number = parse_level(level)
    kept = tuple(s for s in secrets if s)
    redact = Redactor(kept)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    setup = LogSetup(fmt, logging.getLevelName(number), kept)
    setattr(handler, _HANDLER_MARK, setup)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, None) is not None]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(number)
    quiet = logging.DEBUG if number <= logging.DEBUG else logging.WARNING
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    return handler
