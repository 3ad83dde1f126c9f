"""The ASGI web app: `POST /slack/events` and `GET /healthz` (Teams joins later).

One Starlette app served by uvicorn in production; Bolt's own development server is not used
(PLATFORM.md). Without Slack credentials only the health check is served.

`/healthz` tells the truth about the dialog workers: 200 `{"status": "ok"}` while they can
serve, 503 `{"status": "unavailable", "reason": …}` while they cannot (starting, a worker
died and the pool is being replaced, shutting down). It runs on the event loop, so it only
reads state the worker's supervisor keeps; it never waits for a worker.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import Clock
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.dialogs.worker import SERVING, Health
from bot.slack.guard import SlackGuard


def create_web_app(
    slack: AsyncApp | None,
    *,
    health: Callable[[], Health] | None = None,
    clock: Clock | None = None,
) -> Starlette:
    """The app; `health` says whether the dialog workers can serve (none: always); `clock`
    is what the Slack guard checks request timestamps against (tests set it)."""

    async def healthz(request: Request) -> Response:
        state = health() if health is not None else SERVING
        if state.serving:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": state.reason}, status_code=503)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if slack is not None:
        # Bolt's handler sits behind the guard: nothing reaches it unsigned, oversized or
        # unparseable (bot/slack/guard.py).
        guard = SlackGuard(slack, clock)
        routes.append(Route("/slack/events", guard.handle, methods=["POST"]))
    return Starlette(routes=routes)
