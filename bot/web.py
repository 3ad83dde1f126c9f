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

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.dialogs.worker import SERVING, Health


def create_web_app(
    slack: AsyncApp | None, *, health: Callable[[], Health] | None = None
) -> Starlette:
    """The app; `health` says whether the dialog workers can serve (none: always)."""

    async def healthz(request: Request) -> Response:
        state = health() if health is not None else SERVING
        if state.serving:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": state.reason}, status_code=503)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if slack is not None:
        handler = AsyncSlackRequestHandler(slack)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes)
