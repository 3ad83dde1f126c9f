"""A local fake of Slack for tests: the Web API over real HTTP, signed inbound requests, limits.

Why: Bolt has no official testing guide (bolt-python issue 380), and a mocked `WebClient` hides
the HTTP layer where retries, tokens and `response_url`s go wrong. These helpers let a test run
the real app and the real `slack_sdk` against a server on 127.0.0.1 (see /work/shared/PLATFORM.md,
"How bolt-python tests itself").

- `server.FakeSlack`: the Web API, `response_url`s and file uploads; records every call and
  refuses what Slack refuses (scopes, Block Kit, channels, triggers, view hashes, limits).
- `signing`: bodies and headers exactly as Slack sends them to `POST /slack/events`.
- `limits`: Block Kit limits that `slack_sdk.models` does not check.
- `scopes`: the scope each method needs, and the scopes `manifest.yml` asks for.
- `views`: modals and Home tabs as Slack keeps them (ids, hashes, stacks, trigger ids).
"""

from .limits import LimitError, check_message, check_view
from .server import Call, FakeSlack, ManualClock

__all__ = ["Call", "FakeSlack", "LimitError", "ManualClock", "check_message", "check_view"]
