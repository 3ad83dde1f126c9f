"""The bot's settings, read from the environment (one object, passed to whoever needs it)."""

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.store.db import PoolSettings
from iso20k_core.language import language_for, supported_tags

# The Bot Framework's public cloud (learn.microsoft.com, "Authenticate requests with the Bot
# Connector API"); national clouds such as Azure China (21Vianet) set their own.
PUBLIC_CLOUD_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
PUBLIC_CLOUD_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
PUBLIC_CLOUD_SCOPE = "https://api.botframework.com/.default"
# The bot scopes of manifest.yml (tests/slack/test_manifest.py keeps them the same).
SLACK_BOT_SCOPES = "commands,chat:write,im:write,files:write,users:read"


class Settings(BaseSettings):
    """Everything the bot reads from its environment; env names are case-insensitive."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # The embedded default is a SQLite file in the working folder (DESIGN.md "Running it");
    # point DATABASE_URL at PostgreSQL to scale out.
    database_url: str = "sqlite:///iso20k.db"
    port: int = 3000
    # Slack over HTTP needs the bot token and signing secret; Socket Mode needs the app token.
    # repr=False: printing or logging the settings must not leak a credential.
    slack_bot_token: str | None = Field(default=None, repr=False)
    slack_signing_secret: str | None = Field(default=None, repr=False)
    slack_app_token: str | None = Field(default=None, repr=False)
    # Another Web API base URL: enterprise grids, or the fake Slack the tests run.
    slack_api_url: str | None = None
    # Teams: the bot's Microsoft app id and client secret (Azure Bot or the Teams Developer
    # Portal), its tenant for a single-tenant bot, and where tokens are checked and fetched.
    teams_app_id: str | None = None
    teams_app_password: str | None = Field(default=None, repr=False)
    teams_app_tenant_id: str | None = None
    teams_openid_metadata_url: str = PUBLIC_CLOUD_METADATA
    # Empty: the public cloud's, or for a single-tenant bot its tenant's token endpoint.
    teams_token_url: str | None = None
    teams_token_scope: str = PUBLIC_CLOUD_SCOPE
    # Local development only (the Bot Framework Emulator): activities without a token.
    teams_allow_anonymous: bool = False
    # Where this app is reachable from the internet (https://iso20k.example.com): download
    # links for Teams and the package's validDomains are made from it.
    public_url: str | None = None
    # How long a download link works, in minutes.
    download_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Processes that run dialog steps for `iso20k serve`, so acknowledgements never wait for
    # an evaluation; 0 runs them on a thread of the web process. None: one per CPU.
    dialog_processes: int | None = Field(default=None, ge=0, le=64)
    # Reports, exports and charts run in processes of their own (bot/dialogs/lanes.py), so
    # they never hold up what a person waits for; 0 runs them on a thread of the web process.
    report_processes: int = Field(default=1, ge=0, le=64)
    # Slow requests that may wait for a report worker, beyond those it runs, and for how
    # long; past either the person is told to ask again.
    report_queue: int = Field(default=8, ge=0, le=10_000)
    report_wait_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Report workers are replaced after this many jobs each (0: never), and any worker above
    # this resident size in MiB after its current job (0: no ceiling; Linux /proc).
    report_max_jobs: int = Field(default=50, ge=0)
    worker_max_rss_mb: int = Field(default=512, ge=0)
    # The embedded default runs the reminder ticker inside `iso20k serve`; turn it off when
    # separate `iso20k worker` processes run.
    reminders_in_web: bool = True
    reminder_tick_seconds: float = Field(default=5.0, ge=0.1, le=3600)
    # The language of the console and the CLI, and of anyone whose platform and organisation
    # name none (ISO20K_LOCALE=zh-CN); unset: English.
    iso20k_locale: str | None = None
    # When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open.
    metrics_token: str | None = Field(default=None, repr=False)
    # Log lines: one JSON object a line, or plain text; unset: json for `serve` and `worker`,
    # text for the console and the other commands (bot/logs.py).
    # The level: DEBUG, INFO, WARNING, ERROR; unset: INFO, and WARNING in the console, where
    # the log shares the terminal with the conversation.
    log_format: Literal["json", "text"] | None = None
    log_level: str | None = None
    # Data retention (docs/privacy.md): days an organisation's data is kept after the app was
    # uninstalled (or its bot token revoked) before the reminder worker deletes it; a
    # reinstall within them keeps everything.
    data_retention_days: int = Field(default=30, ge=1, le=36_500)

    # Database pools, per process (every process makes its own engine; bot/store/db.py):
    # connections kept, extra ones under load, seconds to wait for a free one, and seconds
    # after which a connection is replaced (0: never). PostgreSQL only.
    db_pool_size: int = Field(default=5, ge=1, le=1000)
    db_max_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout: float = Field(default=30.0, gt=0, le=3600)
    db_pool_recycle: int = Field(default=1800, ge=0)
    # `iso20k worker` serves its own /metrics on this port when set (it has no web server);
    # behind METRICS_TOKEN like the web's.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    # Slack OAuth: the app installed in many workspaces (README "Many workspaces"). The mode
    # is on when the client id and secret are set (Bolt's own names) and SLACK_BOT_TOKEN is
    # not; then SLACK_SIGNING_SECRET and ISO20K_SECRET_KEY are needed too (`oauth_missing`).
    slack_client_id: str | None = None
    slack_client_secret: str | None = Field(default=None, repr=False)
    # The bot scopes asked for on install, comma-separated: manifest.yml's.
    slack_scopes: str = SLACK_BOT_SCOPES
    slack_install_path: str = "/slack/install"
    slack_redirect_uri_path: str = "/slack/oauth_redirect"
    # Where Slack sends the browser back after the install; unset: PUBLIC_URL and the path.
    slack_redirect_uri: str | None = None
    # Rotating tokens (token rotation turned on in the app config) are refreshed this many
    # minutes before they expire (Bolt's default; Slack's tokens live 12 hours).
    slack_token_rotation_minutes: int = Field(default=120, ge=1, le=11 * 60)
    # Fernet keys, comma-separated, the first writes (bot/store/secrets.py): the tokens of
    # every installation are stored encrypted with it.
    iso20k_secret_key: str | None = Field(default=None, repr=False)

    @field_validator("log_format", mode="before")
    @classmethod
    def _known_format(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if value.strip().lower() not in ("json", "text"):
                raise ValueError(f"{value!r} is no log format; use json or text")
            return value.strip().lower()
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str | None) -> str | None:
        from bot.logs import parse_level

        if level is None or not level.strip():
            return None
        parse_level(level)
        return level.strip().upper()

    @field_validator("iso20k_locale")
    @classmethod
    def _known_locale(cls, tag: str | None) -> str | None:
        if tag is None or not tag.strip():
            return None
        found = language_for(tag)
        if found is None:
            tags = ", ".join(supported_tags())
            raise ValueError(f"ISO20K_LOCALE={tag!r} has no translation; use one of {tags}")
        return found.tag

    @model_validator(mode="after")
    def _anonymous_only_without_app(self) -> "Settings":
        if self.teams_allow_anonymous and self.teams_app_id:
            raise ValueError(
                "TEAMS_ALLOW_ANONYMOUS is for local development without a bot registration: "
                "unset it, or unset TEAMS_APP_ID"
            )
        return self

    @property
    def teams(self) -> bool:
        """Whether Teams is served: with a bot registration, or anonymously for development."""
        return bool(self.teams_app_id and self.teams_app_password) or self.teams_allow_anonymous

    @property
    def pool(self) -> PoolSettings:
        return PoolSettings(
            size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            timeout=self.db_pool_timeout,
            recycle=self.db_pool_recycle,
        )

    @property
    def slack(self) -> bool:
        """Whether Slack is served: one workspace by its bot token, or many by OAuth."""
        return bool(self.slack_bot_token) or self.slack_oauth

    @property
    def slack_oauth(self) -> bool:
        """Whether the app is installed by Slack's OAuth flow, each workspace with its own
        tokens, instead of serving the one workspace of SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret) and not self.slack_bot_token

    def oauth_missing(self) -> list[str]:
        """The settings the OAuth mode cannot start without, by name (never a value)."""
        if not self.slack_oauth:
            return []
        needed = {
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "ISO20K_SECRET_KEY": self.iso20k_secret_key,
        }
        return [name for name, value in needed.items() if not (value and value.strip())]

    def slack_scope_list(self) -> list[str]:
        return [s.strip() for s in self.slack_scopes.split(",") if s.strip()]

    def slack_redirect_url(self) -> str | None:
        """The redirect URL to register under *OAuth & Permissions → Redirect URLs*."""
        if self.slack_redirect_uri:
            return self.slack_redirect_uri
        if self.public_url:
            return self.public_url.rstrip("/") + self.slack_redirect_uri_path
        return None

    def secret_values(self) -> list[str]:
        """The values of every secret setting (the fields kept out of repr), for redaction."""
        values = (getattr(self, name) for name, f in type(self).model_fields.items() if not f.repr)
        return [v for v in values if isinstance(v, str) and v]

    def teams_token_endpoint(self) -> str:
        """Where the bot's own tokens come from (client credentials)."""
        if self.teams_token_url:
            return self.teams_token_url
        if self.teams_app_tenant_id:
            return f"https://login.microsoftonline.com/{self.teams_app_tenant_id}/oauth2/v2.0/token"
        return PUBLIC_CLOUD_TOKEN_URL


def get_settings() -> Settings:
    """Read the environment now; a new object each call, so tests can change the environment."""
    return Settings()
