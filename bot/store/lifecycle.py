"""An organisation's life after install: uninstalled, its data exported, deleted, purged.

When Slack says the app was uninstalled or its bot token revoked, the tokens go at once and
the organisation is marked `uninstalled_at`: its reminders pause (bot/reminders/outbox.py)
and its data stays for the retention period (DATA_RETENTION_DAYS), so a reinstall within it
(which sets `uninstalled_at` back to None) finds everything as it was; after it,
`purge_expired` deletes the organisation and every row that carries its id (docs/privacy.md).

Deletion walks every table with an `organisation_id` column, in the reverse of the foreign
keys' order, so a table added later is deleted with the rest without this module knowing it;
the export lists every such table too (a table no section names is exported under its own
name), and leaves out only what would hand someone a secret: the tokens, the digests of
download links, the files' bytes, the workers' claim tokens.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, or_, update
from sqlalchemy import select as select_rows
from sqlalchemy.engine import Engine, RowMapping
from sqlmodel import Session, SQLModel, col, select

from bot.store import models  # noqa: F401  (every table is in the metadata)
from bot.store.models import (
    Delivery,
    Organisation,
    Platform,
    SlackInstallation,
    slack_external_id,
)
from bot.store.secrets import Cipher

log = logging.getLogger(__name__)
EXPORT_FORMAT = "iso20k-organisation-export/1"
# Columns never exported, by table: secrets, or what gives access to something.
WITHHELD: dict[str, frozenset[str]] = {
    "download": frozenset({"token_digest", "content"}),
    "reminder": frozenset({"claim_token"}),
    "slack_installation": frozenset({"secrets"}),
}
# The secrets of an installation that belong to the installing person's own (user) token.
USER_SECRETS = ("user_token", "user_refresh_token", "user_token_expires_at")


@dataclass(frozen=True)
class SlackWorkspace:
    """Where the app was installed: a workspace (in an enterprise, or outside any), or a
    whole Enterprise Grid organisation (`org_wide`, no team)."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False


# -- uninstalling -------------------------------------------------------------------------


def uninstalled(
    session: Session, platform: Platform, external_id: str, now: dt.datetime
) -> Organisation | None:
    """Mark the organisation `platform`/`external_id` uninstalled at `now` (the earliest
    time wins when it already was) and, for Slack, delete its workspace's installation
    rows; flushes, the caller commits. None: no such organisation (nothing else to do)."""
    if platform == "slack":
        enterprise, _, team = external_id.rpartition(":")
        _delete_installations(session, SlackWorkspace(team, enterprise or None))
    return _mark_uninstalled(session, platform, [external_id], now).get(external_id)


def slack_uninstalled(
    session: Session, workspace: SlackWorkspace, now: dt.datetime
) -> list[Organisation]:
    """Slack's `app_uninstalled` (or the bot token revoked) for `workspace`: its
    installation rows deleted, its organisations marked; an org-wide install marks every
    workspace of the enterprise that no installation of its own still serves."""
    _delete_installations(session, workspace)
    if workspace.org_wide and workspace.enterprise_id:
        prefix = f"{workspace.enterprise_id}:"
        known = session.exec(
            select(Organisation.external_id).where(
                col(Organisation.platform) == "slack",
                col(Organisation.external_id).startswith(prefix, autoescape=True),
            )
        ).all()
        served = _installed_teams(session, workspace.enterprise_id)
        ids = [e for e in known if e.removeprefix(prefix) not in served]
    elif workspace.team_id:
        ids = [slack_external_id(workspace.enterprise_id, workspace.team_id)]
    else:
        return []
    return list(_mark_uninstalled(session, "slack", ids, now).values())


def slack_tokens_revoked(
    session: Session,
    workspace: SlackWorkspace,
    bot_users: Sequence[str],
    users: Sequence[str],
    now: dt.datetime,
    cipher: Cipher | None = None,
) -> list[Organisation]:
    """Slack's `tokens_revoked`: a revoked bot token is an uninstall (nothing can be sent any
    more); revoked user tokens only take those tokens out of the installation that holds
    them (its installer's). Without a `cipher` the user tokens cannot be taken out of the
    encrypted secrets; they are revoked at Slack anyway, so nothing could use them."""
    if bot_users:
        return slack_uninstalled(session, workspace, now)
    if users and cipher is not None:
        rows = session.exec(
            select(SlackInstallation).where(
                _installation_of(workspace), col(SlackInstallation.installer_user_id).in_(users)
            )
        ).all()
        for row in rows:
            secrets = cipher.decrypt(row.secrets)
            if any(name in secrets for name in USER_SECRETS):
                kept = {k: v for k, v in secrets.items() if k not in USER_SECRETS}
                row.secrets, row.updated_at = cipher.encrypt(kept), now
                session.add(row)
        session.flush()
    return []


def in_use(session: Session, organisation: Organisation) -> bool:
    """A person of the organisation was just served, so the app is installed there again
    (a platform delivers nothing from a workspace it is not installed in): clear
    `uninstalled_at`, which resumes its reminders and stops the retention clock. The OAuth
    install clears it too; with a single SLACK_BOT_TOKEN this is the only thing that does.
    True if it had been marked uninstalled; flushes."""
    if organisation.uninstalled_at is None:
        return False
    organisation.uninstalled_at = None
    session.add(organisation)
    session.flush()
    log.info("organisation %s is in use again: no longer uninstalled", organisation.id)
    return True


def _installation_of(workspace: SlackWorkspace) -> Any:
    """The installation rows of `workspace`: its own, or the enterprise's org-wide one."""
    if workspace.org_wide:
        return (col(SlackInstallation.enterprise_id) == workspace.enterprise_id) & col(
            SlackInstallation.is_enterprise_install
        ).is_(True)
    return (col(SlackInstallation.team_id) == workspace.team_id) & col(
        SlackInstallation.is_enterprise_install
    ).is_(False)


def _delete_installations(session: Session, workspace: SlackWorkspace) -> None:
    if workspace.team_id or (workspace.org_wide and workspace.enterprise_id):
        session.exec(delete(SlackInstallation).where(_installation_of(workspace)))


def _installed_teams(session: Session, enterprise_id: str) -> set[str]:
    rows = session.exec(
        select(SlackInstallation.team_id).where(
            col(SlackInstallation.enterprise_id) == enterprise_id,
            col(SlackInstallation.is_enterprise_install).is_(False),
        )
    ).all()
    return {team for team in rows if team}


def _mark_uninstalled(
    session: Session, platform: Platform, external_ids: Sequence[str], now: dt.datetime
) -> dict[str, Organisation]:
    if not external_ids:
        return {}
    of_them = (col(Organisation.platform) == platform) & col(Organisation.external_id).in_(
        external_ids
    )
    # One UPDATE, so a retried event racing the first keeps the earliest time either way.
    session.exec(
        update(Organisation)
        .where(
            of_them,
            or_(col(Organisation.uninstalled_at).is_(None), col(Organisation.uninstalled_at) > now),
        )
        .values(uninstalled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    found = session.exec(
        select(Organisation).where(of_them).execution_options(populate_existing=True)
    ).all()
    return {org.external_id: org for org in found}


# -- deleting -----------------------------------------------------------------------------


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _tenant_tables() -> list[Table]:
    """Every table holding rows of an organisation, those that point at others first."""
    tables = SQLModel.metadata.sorted_tables  # referenced tables before those referring
    return [t for t in reversed(tables) if "organisation_id" in t.c]


def delete_organisation(session: Session, organisation: Organisation) -> None:
    """Delete the organisation and every row of it, its Slack installation and its
    recorded deliveries too; flushes, the caller commits (all of it or nothing)."""
    org_id = organisation.id
    assert org_id is not None, "organisation must be flushed first"
    for table in _tenant_tables():
        session.exec(delete(table).where(table.c.organisation_id == org_id))
    if organisation.platform == "slack":
        enterprise, _, team = organisation.external_id.rpartition(":")
        _delete_installations(session, SlackWorkspace(team, enterprise or None))
    session.exec(
        delete(Delivery).where(
            col(Delivery.platform) == organisation.platform,
            col(Delivery.workspace_id) == organisation.external_id,
        )
    )
    session.exec(delete(Organisation).where(col(Organisation.id) == org_id))
    session.expunge(organisation)
    session.flush()


def expired(session: Session, now: dt.datetime, retention: dt.timedelta) -> list[Organisation]:
    """The organisations uninstalled longer ago than `retention`, locked until the session
    ends (PostgreSQL; SQLite has one writer): a reinstall committed first is not among them,
    one arriving meanwhile waits, and another worker purging at once skips them."""
    rows = session.exec(
        select(Organisation)
        .where(col(Organisation.uninstalled_at) < now - retention)
        .order_by(col(Organisation.id))
        .with_for_update(skip_locked=True)
    ).all()
    return list(rows)


def purge_expired(session: Session, now: dt.datetime, retention: dt.timedelta) -> list[int]:
    """Delete every organisation uninstalled longer ago than `retention`, with all its
    rows; the ids of those deleted. Flushes; the caller commits."""
    deleted = []
    for organisation in expired(session, now, retention):
        deleted.append(organisation.id or 0)
        delete_organisation(session, organisation)
    return deleted


def purge_now(engine: Engine, clock: Callable[[], dt.datetime], retention: dt.timedelta) -> int:
    """One purge in a transaction of its own, logged by organisation id (never their data);
    how many were deleted. The reminder worker runs it every hour."""
    with Session(engine) as session:
        deleted = purge_expired(session, clock(), retention)
        session.commit()
    if deleted:
        ids = ", ".join(str(i) for i in deleted)
        log.info("retention: deleted %d uninstalled organisation(s): %s", len(deleted), ids)
    return len(deleted)


def purge_job(
    engine: Engine, retention_days: int, clock: Callable[[], dt.datetime]
) -> Callable[[], int]:
    """`purge_now` with DATA_RETENTION_DAYS, for the scheduler (bot/reminders/scheduler.py)."""
    return functools.partial(purge_now, engine, clock, dt.timedelta(days=retention_days))


# -- exporting ----------------------------------------------------------------------------


def export_organisation(
    session: Session, organisation: Organisation, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything stored of the organisation as JSON-ready values (dates in ISO 8601), no
    token or secret: its profile, members, assessments with their answers (each with its
    whole revision history), assignments, milestones, audit batches and bookings, reminders,
    the audit trail, and whatever else carries its id."""
    org_id = organisation.id
    assert org_id is not None, "organisation must be flushed first"
    rows = {t.name: _rows(session, t, org_id) for t in _tenant_tables()}
    exported: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _value(now or dt.datetime.now(dt.UTC)),
        "organisation": _row_of(session, _table("organisation"), org_id),
        "members": rows.pop("member"),
        "assessments": _assessments(
            rows.pop("assessment"), rows.pop("answer"), rows.pop("answer_revision")
        ),
        "assignments": rows.pop("assignment"),
        "milestones": rows.pop("milestone"),
        "audit_batches": rows.pop("audit_batch"),
        "reminders": rows.pop("reminder"),
        "audit_trail": rows.pop("audit_entry"),
        "teams_conversations": rows.pop("teamsconversation"),
        "teams_accounts": rows.pop("teamsaccount"),
        "downloads": rows.pop("download"),
        "slack_installations": _slack_installations(session, organisation),
    }
    exported.update(rows)  # tables added after this was written: under their own names
    return exported


def _assessments(
    assessments: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    revisions: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each assessment with its answers, each answer with its revisions, oldest first; a
    question with revisions and no current answer is listed with `value` None."""
    by_question: dict[tuple[int, str], dict[str, Any]] = {}
    for answer in answers:
        entry = {**answer, "revisions": []}
        by_question[(answer["assessment_id"], answer["question_id"])] = entry
    for revision in sorted(revisions, key=lambda r: (r["changed_at"], r["id"])):
        key = (revision["assessment_id"], revision["question_id"])
        entry = by_question.setdefault(
            key,
            {"assessment_id": key[0], "question_id": key[1], "value": None, "revisions": []},
        )
        entry["revisions"].append(revision)
    out = []
    for assessment in assessments:
        own = [e for (a, _q), e in sorted(by_question.items()) if a == assessment["id"]]
        out.append({**assessment, "answers": own})
    return out


def _slack_installations(session: Session, organisation: Organisation) -> list[dict[str, Any]]:
    if organisation.platform != "slack":
        return []
    enterprise, _, team = organisation.external_id.rpartition(":")
    table = _table("slack_installation")
    query = select_rows(table).where(_installation_of(SlackWorkspace(team, enterprise or None)))
    found = session.connection().execute(query).mappings()
    return [_clean(table.name, row) for row in found]


def _rows(session: Session, table: Table, org_id: int) -> list[dict[str, Any]]:
    query = select_rows(table).where(table.c.organisation_id == org_id).order_by(table.c.id)
    return [_clean(table.name, row) for row in session.connection().execute(query).mappings()]


def _row_of(session: Session, table: Table, row_id: int) -> dict[str, Any]:
    query = select_rows(table).where(table.c.id == row_id)
    found = session.connection().execute(query).mappings().one()
    return _clean(table.name, found)


def row_json(row: SQLModel) -> dict[str, Any]:
    """One stored row as an export writes it: JSON-ready values, secrets withheld."""
    table = row.__table__  # type: ignore[attr-defined]
    withheld = WITHHELD.get(table.name, frozenset())
    return {c.name: _value(getattr(row, c.name)) for c in table.columns if c.name not in withheld}


def _clean(table: str, row: RowMapping) -> dict[str, Any]:
    withheld = WITHHELD.get(table, frozenset())
    return {name: _value(value) for name, value in row.items() if name not in withheld}


def _value(value: Any) -> Any:
    """A value as JSON has it: dates and times in ISO 8601, the rest as stored (JSON
    columns already hold JSON's own values)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return len(value)
    return value


def organisations(session: Session) -> Iterable[Organisation]:
    """Every organisation, oldest first (for `iso20k org list`)."""
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))))
