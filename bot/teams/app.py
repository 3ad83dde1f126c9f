"""Build the Teams endpoint from the settings: the token checks, the connector for
apologies from the web process, and the tenant it may be limited to."""

from __future__ import annotations

from bot.settings import Settings
from bot.teams.auth import TokenVerifier
from bot.teams.connector import Connector
from bot.teams.endpoint import TeamsEndpoint
from bot.teams.sender import quiet_sdk_logs
from bot.teams.tokens import tokens_from
from bot.workers import Deps


def build_endpoint(settings: Settings, deps: Deps) -> TeamsEndpoint:
    """With TEAMS_APP_ID and TEAMS_APP_PASSWORD every activity's token is checked against
    the keys of TEAMS_OPENID_METADATA_URL; with TEAMS_ALLOW_ANONYMOUS (development only)
    none is."""
    if not settings.teams:
        raise ValueError(
            "Teams needs TEAMS_APP_ID and TEAMS_APP_PASSWORD "
            "(or TEAMS_ALLOW_ANONYMOUS=true for local development)"
        )
    quiet_sdk_logs()
    verifier = None
    if settings.teams_app_id and settings.teams_app_password:
        verifier = TokenVerifier(settings.teams_app_id, settings.teams_openid_metadata_url)
    return TeamsEndpoint(
        deps,
        verifier,
        Connector(tokens_from(settings)),
        app_id=settings.teams_app_id,
        tenant_id=settings.teams_app_tenant_id,
    )
