"""The ASGI web app: `POST /slack/events`, `POST /api/messages` (Teams), `GET /files/{token}`,
`GET /healthz`, `GET /readyz` and `GET /metrics`; with Slack OAuth, `GET /slack/install` and
`GET /slack/oauth_redirect` too.

One Starlette app served by uvicorn in production; Bolt's own development server is not used
(PLATFORM.md). Each platform's route is served when it has credentials: Slack only, Teams
only, or both. `/files/{token}` serves the files offered by link (bot/downloads.py) while
their link works; any other token, expired or never made, is the same 404.

`/healthz` tells the truth about the dialog workers: 200 `{"status": "ok"}` while they can
serve, 503 `{"status": "unavailable", "reason": …}` while they cannot (starting, a worker
died and the pool is being replaced, shutting down). It runs on the event loop, so it only
reads state the worker's supervisor keeps; it never waits for a worker. While the workers
start and warm (imports, the question bank, the renderers' fonts), it says so: 503 with
"dialog workers starting" or "report workers starting".

`/readyz` adds the database: 200 `{"status": "ready"}`, else 503 with each check's result
(bot/readiness.py). `/metrics` is the Prometheus text (bot/metrics.py), behind
`Authorization: Bearer METRICS_TOKEN` when one is set.

`on_shutdown` runs once uvicorn has answered the requests in flight: the work they handed to
background tasks is drained there, on the loop that runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import quote

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import Clock
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.dialogs.worker import SERVING, Health
from bot.downloads import fetch
from bot.metrics import CONTENT_TYPE, Metrics, authorised
from bot.readiness import ReadinessProbe
from bot.slack.guard import SlackGuard
from bot.teams.endpoint import TeamsEndpoint
from iso20k_core.language import _, resolve, using

Handler = Callable[[Request], Awaitable[Response]]
MAX_ACCEPTED = 8  # languages of an Accept-Language header looked at, at most


def create_web_app(
    slack: AsyncApp | None,
    *,
    teams: TeamsEndpoint | None = None,
    files: Engine | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    health: Callable[[], Health] | None = None,
    clock: Clock | None = None,
    on_shutdown: Callable[[], Awaitable[object]] | None = None,
    locale: str | None = None,
    readiness: ReadinessProbe | None = None,
    metrics: Metrics | None = None,
    metrics_token: str | None = None,
) -> Starlette:
    """The app; `teams` answers `/api/messages`; `files` is the database download links
    are served from, their expiry checked against `now`; `health` says whether the dialog
    workers can serve (none: always); `clock` is what the Slack guard checks request
    timestamps against (tests set it); `on_shutdown` is awaited when the server stops;
    `locale` (ISO20K_LOCALE) is what a download link's own answers are written in when the
    browser's Accept-Language names no language there is a catalog for; `readiness` is what
    /readyz checks (none: the workers' `health` only); `metrics` is served on /metrics (none:
    no such route), its requests and acknowledgements counted, behind `metrics_token`."""
    probe = readiness or ReadinessProbe(None, health)

    async def healthz(request: Request) -> Response:
        state = health() if health is not None else SERVING
        if state.serving:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": state.reason}, status_code=503)

    async def readyz(request: Request) -> Response:
        found = await probe.check()
        return JSONResponse(found.body(), status_code=200 if found.ready else 503)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]

    def observed(platform: str, handler: Handler) -> Handler:
        return handler if metrics is None else metrics.observe_requests(platform, handler)

    if metrics is not None:
        shown = metrics

        async def scrape(request: Request) -> Response:
            if not authorised(request, metrics_token):
                headers = {"WWW-Authenticate": "Bearer"}
                return Response("Unauthorized.\n", 401, headers=headers, media_type="text/plain")
            # The outbox is counted on a thread: it is a database query.
            return Response(await asyncio.to_thread(shown.render), media_type=CONTENT_TYPE)

        routes.append(Route("/metrics", scrape, methods=["GET"]))
    if slack is not None:
        # Bolt's handler sits behind the guard: nothing reaches it unsigned, oversized or
        # unparseable (bot/slack/guard.py).
        guard = SlackGuard(slack, clock)
        routes.append(Route("/slack/events", observed("slack", guard.handle), methods=["POST"]))
        if slack.oauth_flow is not None:
            # Installing in a workspace (Slack OAuth): a browser's GETs, which Bolt's handler
            # answers (bot/slack/oauth.py); nothing there is signed by Slack.
            oauth = AsyncSlackRequestHandler(slack)
            for path in (slack.oauth_flow.install_path, slack.oauth_flow.redirect_uri_path):
                routes.append(Route(path, oauth.handle, methods=["GET"]))
    if teams is not None:
        routes.append(Route("/api/messages", observed("teams", teams.handle), methods=["POST"]))
    if files is not None:
        engine = files

        async def download(request: Request) -> Response:
            token = str(request.path_params["token"])
            found = await asyncio.to_thread(_file, engine, token, now())
            if found is None:
                with using(
                    resolve(*accepted_languages(request.headers.get("accept-language")), locale)
                ):
                    gone = _("no such file, or its link has expired")
                return JSONResponse({"error": gone}, 404)
            filename, mime, content = found
            shown = "inline" if mime.startswith("image/") else "attachment"
            headers = {
                "Content-Disposition": f"{shown}; filename*=UTF-8''{quote(filename, safe='')}",
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            }
            return Response(content, media_type=mime, headers=headers)

        routes.append(Route("/files/{token}", download, methods=["GET"]))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            await on_shutdown()
        if teams is not None:
            # Its apologies' HTTP sessions, once nothing can apologise any more; on a thread,
            # since they live on an event loop of their own (bot/teams/connector.py).
            await asyncio.to_thread(teams.close)

    return Starlette(routes=routes, lifespan=lifespan)


def _file(engine: Engine, token: str, now: dt.datetime) -> tuple[str, str, bytes] | None:
    with Session(engine) as session:
        found = fetch(session, token, now)
        return None if found is None else (found.filename, found.mime, found.content)


def accepted_languages(header: str | None) -> list[str]:
    """The languages an Accept-Language header asks for, most wanted first (RFC 9110
    12.5.4: `zh-CN,zh;q=0.9,en;q=0.8`); `*` and unreadable weights are left out."""
    weighted: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "").split(",")[:MAX_ACCEPTED]):
        tag, _semi, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, n, tag))
    return [tag for _w, _n, tag in sorted(weighted)]


_accepted = accepted_languages  # its former name
