"""The bot's settings, read from the environment (one object, passed to whoever needs it)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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


def get_settings() -> Settings:
    """Read the environment now; a new object each call, so tests can change the environment."""
    return Settings()
