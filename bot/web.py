"""The ASGI web app: `POST /slack/events` and `GET /healthz` (Teams joins later).

One Starlette app served by uvicorn in production; Bolt's own development server is not used
(PLATFORM.md). Without Slack credentials only the health check is served.
"""

from __future__ import annotations

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def create_web_app(slack: AsyncApp | None) -> Starlette:
    routes = [Route("/healthz", healthz, methods=["GET"])]
    if slack is not None:
        handler = AsyncSlackRequestHandler(slack)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})
