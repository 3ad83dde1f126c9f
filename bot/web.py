"""The ASGI web app: `POST /slack/events` and `GET /healthz` (Teams joins later).

One Starlette app served by uvicorn in production; Bolt's own development server is not used
(PLATFORM.md). Without Slack credentials only the health check is served.

`/healthz` tells the truth about the dialog workers: 200 `{"status": "ok"}` while they can
serve, 503 `{"status": "unavailable", "reason": …}` while they cannot (starting, a worker
died and the pool is being replaced, shutting down). It runs on the event loop, so it only
reads state the worker's supervisor keeps; it never waits for a worker. While the workers
start and warm (imports, the question bank, the renderers' fonts), it says so: 503 with
"dialog workers starting" or "report workers starting".

`on_shutdown` runs once uvicorn has answered the requests in flight: the work they handed to
background tasks is drained there, on the loop that runs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

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
    on_shutdown: Callable[[], Awaitable[object]] | None = None,
) -> Starlette:
    """The app; `health` says whether the dialog workers can serve (none: always); `clock`
    is what the Slack guard checks request timestamps against (tests set it); `on_shutdown`
    is awaited when the server stops."""

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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            await on_shutdown()

    return Starlette(routes=routes, lifespan=lifespan)
