"""The tables. Every row but an organisation's own carries its `organisation_id`.

Rows that point at an assessment or a member do it with a composite foreign key
(`assessment_id, organisation_id`) so the database itself refuses a row that mixes two
tenants; a plain key on `organisation_id` still points every row at its organisation.
"""

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import AutoString, Field, SQLModel

from bot.store import db  # noqa: F401  (sets the naming convention before any table exists)
from bot.store.columns import JSONText, UTCDateTime, utc_now

# Literal types for mypy; SQLModel cannot map a Literal, so these columns say sa_type=AutoString
# (like every other str column) and a CHECK constraint keeps the values in the database honest.
Platform = Literal["slack", "teams", "console"]
Role = Literal["admin", "manager", "member"]
AssignmentState = Literal["open", "done", "cancelled"]
ReminderState = Literal["pending", "claimed", "sent", "cancelled", "failed"]

PLATFORMS: tuple[Platform, ...] = get_args(Platform)
ROLES: tuple[Role, ...] = get_args(Role)
ASSIGNMENT_STATES: tuple[AssignmentState, ...] = get_args(AssignmentState)
REMINDER_STATES: tuple[ReminderState, ...] = get_args(ReminderState)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK named after `column` (ck_<table>_<column>) allowing only `values`."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _json(*, nullable: bool) -> Column[Any]:
    # `json` on PostgreSQL, TEXT on SQLite: numbers come back exactly (JSONText says why).
    # none_as_null: a Python None in a nullable column is SQL NULL, not the JSON text 'null'.
    return Column(JSONText(none_as_null=nullable), nullable=nullable)


def _same_tenant(column: str, table: str) -> ForeignKeyConstraint:
    """`column` refers to a row of `table` belonging to the same organisation."""
    return ForeignKeyConstraint(
        [column, "organisation_id"], [f"{table}.id", f"{table}.organisation_id"]
    )


class Organisation(SQLModel, table=True):
    """A Slack workspace, a Teams tenant or a console user's organisation: the tenant."""

    __table_args__ = (UniqueConstraint("platform", "external_id"), _one_of("platform", PLATFORMS))

    id: int | None = Field(default=None, primary_key=True)
    platform: Platform = Field(sa_type=AutoString)
    external_id: str  # Slack team id, Teams tenant id, or a name chosen on the console
    name: str
    profile: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
    timezone: str = "UTC"
    currency: str = "EUR"
    reminder_channel: str | None = None  # channel id for reminders and the weekly digest
    # Offsets, working hours and pause of reminders (bot.reminders.policy); None: defaults.
    reminder_policy: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
    # When the app was uninstalled or its tokens revoked (Slack's app_uninstalled,
    # tokens_revoked): reminders pause, and the data is deleted once the retention period has
    # passed unless the app is installed again (docs/privacy.md). None: installed.
    uninstalled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


def slack_external_id(enterprise_id: str | None, team_id: str) -> str:
    """`Organisation.external_id` of a Slack workspace: `E1:T1` inside an Enterprise Grid,
    `T1` outside one (bot/slack/tenant.py says why)."""
    return f"{enterprise_id}:{team_id}" if enterprise_id else team_id


class Member(SQLModel, table=True):
    """A person of the organisation as the chat platform knows them."""

    __table_args__ = (
        UniqueConstraint("organisation_id", "platform_user_id"),
        UniqueConstraint("id", "organisation_id"),  # target of the same-tenant foreign keys
        _one_of("role", ROLES),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    platform_user_id: str
    display_name: str | None = None
    timezone: str | None = None  # the person's own, as the chat platform reports it
    # Their locale tag (`zh-CN`) as the platform last reported it: Teams gives it only on a
    # person's own activities, and reminders are written in it later (bot/reminders).
    locale: str | None = None
    role: Role = Field(default="member", sa_type=AutoString)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Assessment(SQLModel, table=True):
    """One round of answering the question bank; a new cycle starts after one closes."""

    __table_args__ = (
        UniqueConstraint("organisation_id", "cycle"),
        UniqueConstraint("id", "organisation_id"),
        CheckConstraint("cycle >= 1", name="cycle"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    cycle: int  # 1-based
    bank_version: str  # the question bank the answers refer to
    started_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """The current value of one question in one assessment; its history is AnswerRevision."""

    __table_args__ = (
        UniqueConstraint("assessment_id", "question_id"),
        _same_tenant("assessment_id", "assessment"),
        _same_tenant("answered_by", "member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    assessment_id: int
    question_id: str
    value: Any = Field(sa_column=_json(nullable=False))
    answered_by: int | None = None  # member id
    answered_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class AnswerRevision(SQLModel, table=True):
    """One change of an answer: who, when, from what, to what. Only ever inserted."""

    __tablename__ = "answer_revision"
    __table_args__ = (
        _same_tenant("assessment_id", "assessment"),
        _same_tenant("changed_by", "member"),
        Index(None, "assessment_id", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    assessment_id: int
    question_id: str
    old_value: Any = Field(default=None, sa_column=_json(nullable=True))
    new_value: Any = Field(default=None, sa_column=_json(nullable=True))
    changed_by: int | None = None  # member id
    changed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Assignment(SQLModel, table=True):
    """A section of the question bank given to a member to answer."""

    __table_args__ = (
        UniqueConstraint("assessment_id", "section_id", "member_id"),
        _same_tenant("assessment_id", "assessment"),
        _same_tenant("member_id", "member"),
        _one_of("state", ASSIGNMENT_STATES),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    assessment_id: int
    section_id: str
    member_id: int
    due_date: date | None = None
    state: AssignmentState = Field(default="open", sa_type=AutoString)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Milestone(SQLModel, table=True):
    """A milestone of the certification plan, kept so reminders survive a restart."""

    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    key: str  # stable id from the plan, e.g. "stage2_audit"
    title: str
    planned_date: date
    owner_role: str | None = None
    done: bool = False


class AuditBatch(SQLModel, table=True):
    """An audit the certification body must be booked for (stage 1, stage 2, surveillance…)."""

    __tablename__ = "audit_batch"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    key: str  # "stage1", "stage2", "surveillance1", "surveillance2", "recertification"
    title: str
    planned_date: date
    window_end: date | None = None  # end of the reserve left to the certification body
    booking_deadline: date
    booked: bool = False
    booked_date: date | None = None
    certification_body: str | None = None
    booking_reference: str | None = None


class Reminder(SQLModel, table=True):
    """The outbox: a message due at a time, sent once by whichever worker claims it."""

    __table_args__ = (
        # Re-planning regenerates reminders; the dedupe key makes that idempotent.
        UniqueConstraint("organisation_id", "dedupe_key"),
        # The scheduler's question on every tick: what is pending and due?
        Index(None, "state", "due_at"),
        _one_of("state", REMINDER_STATES),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str  # "milestone", "booking_deadline", "audit_batch", "assignment_nudge", "digest"
    target: str  # channel or user id on the organisation's platform
    subject: str
    due_at: datetime = Field(sa_type=UTCDateTime)
    dedupe_key: str
    state: ReminderState = Field(default="pending", sa_type=AutoString)
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = None  # which worker holds the claim; only it may mark the row
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    payload: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
    message_ref: str | None = None  # e.g. Slack's message ts, to update or thread on it


class Delivery(SQLModel, table=True):
    """A request already acted on, by what identifies it: each is acted on once.

    Slack redelivers events it thinks we missed, people double-click, and a signed request can
    be replayed within Bolt's 5-minute window; `delivery_key` says what it was (see
    `bot.slack.deps`: a command's trigger_id, a submission's view id, hash and values, a
    button's container, action and action_ts, an event's event_id). Recorded in the same
    transaction as what the request did, so a request whose work failed is not recorded and
    its retry is acted on. Infrastructure rather than tenant data: old rows are forgotten
    (`bot.store.deliveries`).
    """

    __table_args__ = (UniqueConstraint("platform", "delivery_key"), Index(None, "received_at"))

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    delivery_key: str
    workspace_id: str
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TeamsConversation(SQLModel, table=True):
    """A Teams conversation the bot may post to, as the activities that came from it named it.

    Stored when the bot is installed or first spoken to (conversationUpdate, installationUpdate,
    any message), so reminders, nudges and digests can be sent proactively later. Messages go
    only to the `service_url` of an authenticated activity (bot/teams/auth.py checks the
    token's `serviceurl` claim), never to one a payload merely names.
    """

    __table_args__ = (UniqueConstraint("organisation_id", "conversation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    conversation_id: str
    service_url: str
    conversation_type: str = "personal"  # personal, groupChat or channel
    name: str | None = None  # a channel's or group chat's name, when Teams gives it
    # For a personal chat: whose (their AAD object id); reminders to them go here.
    user_aad_id: str | None = Field(default=None, index=True)
    bot_id: str = ""  # the bot's account id in this conversation (28:…)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class TeamsAccount(SQLModel, table=True):
    """A person of a tenant as Teams addresses them: their AAD object id (our member id) and
    their Teams user id (29:…), which a 1:1 conversation is created with."""

    __table_args__ = (UniqueConstraint("organisation_id", "aad_object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    aad_object_id: str
    teams_user_id: str
    name: str | None = None
    service_url: str | None = None  # where their tenant's conversations are served
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Download(SQLModel, table=True):
    """A file offered by a link for a short while (reports and exports on Teams, which takes no
    file from a bot in a channel): `GET /files/{token}` serves it until `expires_at`.

    Only a digest of the link's token is stored, so reading the table does not give anyone the
    links; the token itself has 256 random bits (bot/downloads.py). Expired rows are deleted.
    """

    __table_args__ = (Index(None, "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    token_digest: str = Field(unique=True)
    filename: str
    mime: str
    content: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class SlackInstallation(SQLModel, table=True):
    """The app installed in a Slack workspace (or organisation-wide in an Enterprise Grid) by
    Slack's OAuth flow: what Bolt's installation store keeps, one row per installation.

    `installation_key` is `enterprise:team` with either part empty (a workspace outside a
    grid, an organisation-wide install), unique so a reinstall replaces the row. Every token
    is in `secrets`, one Fernet token (bot/store/secrets.py) of a JSON object, so the
    database never holds one in the clear; the rest is what Bolt looks installations up by.
    """

    __tablename__ = "slack_installation"

    id: int | None = Field(default=None, primary_key=True)
    installation_key: str = Field(unique=True)
    enterprise_id: str | None = None
    team_id: str | None = Field(default=None, index=True)
    is_enterprise_install: bool = False
    app_id: str | None = None
    team_name: str | None = None
    enterprise_name: str | None = None
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: str | None = None
    installer_user_id: str | None = None
    secrets: str  # Fernet: {"bot_token": …, "bot_refresh_token": …, "user_token": …, …}
    bot_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    installed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class SlackOAuthState(SQLModel, table=True):
    """An OAuth `state` handed to a browser on /slack/install, consumed once on the redirect
    (Bolt's state store): it ties the redirect to the install that started it."""

    __tablename__ = "slack_oauth_state"
    __table_args__ = (Index(None, "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """One administrative action: who did what to the organisation, when, and what changed.
    Only ever inserted (bot/store/audit.py); an organisation's entries go with it."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index(None, "organisation_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # The platform user id of whoever acted (U…, an AAD object id, the console's user), or
    # "cli" for the command line; their name as it was then, since people leave.
    actor: str
    actor_name: str | None = None
    action: str  # a dotted key: "role.granted", "profile.changed", "org.exported", …
    details: dict[str, Any] | None = Field(default=None, sa_column=_json(nullable=True))
