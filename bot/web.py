"""The ASGI web app: `POST /slack/events` and `GET /healthz` (Teams joins later).

One Starlette app served by uvicorn in production; Bolt's own development server is not used
(PLATFORM.md). Without Slack credentials only the health check is served.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import Clock
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack.guard import SlackGuard


def create_web_app(slack: AsyncApp | None, clock: Clock | None = None) -> Starlette:
    routes = [Route("/healthz", healthz, methods=["GET"])]
    if slack is not None:
        # Bolt's handler sits behind the guard: nothing reaches it unsigned, oversized or
        # unparseable (bot/slack/guard.py).
        guard = SlackGuard(slack, clock)
        routes.append(Route("/slack/events", guard.handle, methods=["POST"]))
    return Starlette(routes=routes)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})
