"""The `iso20k` command line.

Bad input never shows a traceback: every `InputError` becomes one line on stderr naming the
field and the problem, with exit status 2 (the usage-error status click uses too).

Languages: everything a command writes (its messages, the report, the evaluation) is in
`--locale` if given, else ISO20K_LOCALE, else English. `--locale` is an option of the group
and of every command, so it goes before or after the command's name (`iso20k --locale zh-CN
report x.yaml`, `iso20k report x.yaml --locale zh-CN --format pdf`); the one after the name
wins. An unknown one is a usage error naming the languages there are. click's own usage
messages stay English.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from bot.logs import LogFormat
from bot.settings import Settings
from iso20k_core import figures as fig
from iso20k_core.dates import DateError, check_horizon, parse_iso_date
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_input_text
from iso20k_core.language import _, _n, language_for, resolve, supported_tags, using
from iso20k_core.report import FORMATS, render
from iso20k_core.results import Evaluation
from iso20k_core.standard import Bank, BankError, checked_bank, load_bank

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from bot.store.models import Member, Organisation

EXIT_BAD_INPUT = 2
LOCALE = "iso20k.locale"  # where the chosen language's tag is kept, in the root context's meta


def _fail(message: str) -> NoReturn:
    click.echo(f"iso20k: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _settings() -> Settings:
    """The settings from the environment; a wrong one is named on one line, no traceback."""
    from pydantic import ValidationError

    from bot.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]).upper()
        _fail(f"{where + ': ' if where else ''}{problem['msg'].removeprefix('Value error, ')}")


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """An engine for a one-shot command, with the deployment's pool settings, disposed however
    the command ends (an error, `sys.exit`, an early return)."""
    from bot.store.db import make_engine

    engine = make_engine(settings.database_url, settings.pool)
    try:
        yield engine
    finally:
        engine.dispose()


def _configure_logging(settings: Settings, fmt: LogFormat, level: str = "INFO") -> None:
    """Log lines in LOG_FORMAT (else `fmt`) at LOG_LEVEL (else `level`), secrets redacted."""
    from bot.logs import configure

    configure(
        settings.log_format or fmt,
        settings.log_level or level,
        secrets=settings.secret_values(),
    )


class IsoDate(click.ParamType[dt.date]):
    """A date option: YYYY-MM-DD within the horizon of the real day (iso20k_core.dates)."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        try:
            day = value if isinstance(value, dt.date) else parse_iso_date(str(value))
            return check_horizon(day, dt.date.today())
        except DateError as exc:
            self.fail(str(exc), param, ctx)


def _unknown_locale(tag: str) -> str:
    return _(
        "there is no translation for {tag!r}; choose one of: {tags}",
        tag=tag,
        tags=", ".join(supported_tags()),
    )


def _choose_locale(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--locale`: the language of everything the command writes, until it ends."""
    if value is None:
        return None
    found = language_for(value)
    if found is None:
        raise click.BadParameter(_unknown_locale(value), ctx, param)
    ctx.find_root().meta[LOCALE] = found.tag
    ctx.with_resource(using(found))
    return found.tag


def _locale_option() -> click.Option:
    return click.Option(
        ["--locale"],
        metavar="TAG",
        default=None,
        expose_value=False,
        is_eager=True,  # before the other options, so their errors are in it too
        callback=_choose_locale,
        help="The language to write in, e.g. zh-CN [ISO20K_LOCALE, else en].",
    )


def _env_locale() -> str | None:
    """ISO20K_LOCALE (any case, as the settings read it), checked; None when unset."""
    import os

    tag = next((v for k, v in os.environ.items() if k.lower() == "iso20k_locale"), None)
    if tag is None or not tag.strip():
        return None
    if language_for(tag) is None:
        _fail(f"ISO20K_LOCALE: {_unknown_locale(tag)}")
    return tag


class LocaleGroup(click.Group):
    """A group whose every command, and every subgroup's, takes `--locale` too."""

    group_class = type  # subgroups are LocaleGroups as well

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(p.name == "locale" for p in cmd.params):
            cmd.params.append(_locale_option())
        super().add_command(cmd, name)


@click.group(cls=LocaleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="iso20k")
@click.option(
    "--locale",
    metavar="TAG",
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_choose_locale,
    help="The language to write in, e.g. zh-CN [ISO20K_LOCALE, else en].",
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Prepare an IT organisation for ISO/IEC 20000-1 certification."""
    if LOCALE not in ctx.meta:  # no --locale before the command: the environment's
        tag = _env_locale()
        if tag is not None:
            ctx.meta[LOCALE] = resolve(tag).tag
        ctx.with_resource(using(resolve(tag)))


@cli.command("evaluate")
@click.argument("profile_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--today", type=IsoDate(), default=None, help="Evaluate as of this date [today].")
def evaluate_command(profile_file: Path, fmt: str, today: dt.date | None) -> None:
    """Evaluate PROFILE_FILE (YAML or JSON with `profile` and `answers`)."""
    click.echo(render(_evaluation_of(profile_file, today), fmt), nl=False)  # type: ignore[arg-type]


def _evaluation_of(profile_file: Path, today: dt.date | None) -> Evaluation:
    try:
        text = profile_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(_("{file}: no such file", file=profile_file))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(_("{file}: cannot read ({error})", file=profile_file, error=exc.__class__.__name__))
    day = today or dt.date.today()
    try:  # every date in the file within the horizon of the evaluation's day
        given = parse_input_text(text, today=day)
        return evaluate(given.profile, given.answers, day, given.bank, given.bookings)
    except InputError as exc:
        _fail(f"{profile_file}: {exc}")


def _write(data: bytes, output: Path | None, default_name: str) -> None:
    target = output or Path(default_name)
    try:
        target.write_bytes(data)
    except OSError as exc:
        error = exc.strerror or exc.__class__.__name__
        _fail(_("{file}: cannot write ({error})", file=target, error=error))
    click.echo(_("wrote {file} ({size} bytes)", file=target, size=fig.count(len(data))))


@cli.command("report")
@click.argument("profile_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html", "md"]), default="pdf", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [iso20k-report.FORMAT].",
)
@click.option("--today", type=IsoDate(), default=None, help="Evaluate as of this date [today].")
def report_command(
    profile_file: Path, fmt: str, output: Path | None, today: dt.date | None
) -> None:
    """The feasibility report for senior management, as PDF, HTML or Markdown."""
    from iso20k_core.report.document import render_report

    evaluation = _evaluation_of(profile_file, today)
    _write(render_report(evaluation, fmt), output, f"iso20k-report.{fmt}")  # type: ignore[arg-type]


@cli.command("export")
@click.argument("profile_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "mspdi", "ics"]), required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [iso20k-plan.SUFFIX].",
)
@click.option("--today", type=IsoDate(), default=None, help="Evaluate as of this date [today].")
def export_command(
    profile_file: Path, fmt: str, output: Path | None, today: dt.date | None
) -> None:
    """The plan for Excel (xlsx), MS Project (mspdi XML) or calendars (ics)."""
    from iso20k_core.report.exports import EXPORT_SUFFIX, export

    evaluation = _evaluation_of(profile_file, today)
    suffix = EXPORT_SUFFIX[fmt]  # type: ignore[index]
    _write(export(evaluation, fmt), output, f"iso20k-plan{suffix}")  # type: ignore[arg-type]


def _bank_at_start() -> Bank:
    try:
        return checked_bank()
    except BankError as exc:  # a broken translation: say which file and id, and stop
        _fail(str(exc))


@cli.command("questions")
@click.option("--section", "section_id", default=None, help="Only this section (an id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--bank-version", default=None, help="A bank version [newest].")
def questions_command(section_id: str | None, fmt: str, bank_version: str | None) -> None:
    """List the question bank, or one section of it."""
    try:
        bank = load_bank(bank_version)
    except BankError as exc:
        _fail(str(exc))
    sections = bank.assessed_sections
    if section_id is not None:
        sections = tuple(s for s in bank.assessed_sections if s.id == section_id)
        if not sections:
            known = ", ".join(s.id for s in bank.assessed_sections)
            _fail(
                _(
                    "--section: unknown section {section!r}; choose one of: {known}",
                    section=section_id,
                    known=known,
                )
            )
    if fmt == "json":
        data = [s.model_dump(mode="json") for s in sections]
        click.echo(json.dumps({"version": bank.version, "sections": data}, indent=2))
        return
    click.echo(
        _("{standard}, question bank {version}", standard=bank.standard, version=bank.version)
    )
    for section in sections:
        count = len(section.questions)
        click.echo(
            "\n"
            + _n(
                "[{id}] {title} ({n} question)",
                "[{id}] {title} ({n} questions)",
                count,
                id=section.id,
                title=section.title,
            )
        )
        for area in section.areas:
            required = (
                _(", required maturity {level}", level=area.required_maturity)
                if area.required_maturity is not None
                else ""
            )
            clause = f"{area.clause} " if area.clause else ""
            click.echo(f"  {clause}{area.title}{required}")
            for q in area.questions:
                click.echo(f"    {q.id:<44} {q.type:<15} {q.text}")


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the database named by DATABASE_URL (default: ./iso20k.db)."""
    from bot.store.migrate import upgrade

    url = _settings().database_url
    upgrade(url, revision)
    click.echo(
        _("database at {url} is at revision {revision}", url=_redact(url), revision=revision)
    )


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)
def serve_command(host: str) -> None:
    """Serve Slack (POST /slack/events, or Socket Mode with SLACK_APP_TOKEN), Teams
    (POST /api/messages) and GET /healthz on $PORT, whichever has credentials."""
    from bot.serve import serve

    settings = _settings()
    _check_serving(settings)
    _configure_logging(settings, "json")
    serve(settings, host)


def _check_serving(settings: Settings) -> None:
    """What `serve` cannot start with, said before anything is done (`start` migrates after)."""
    if settings.slack_bot_token and not (settings.slack_signing_secret or settings.slack_app_token):
        _fail(_("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: Slack needs both"))
    if settings.teams_app_id and not settings.teams_app_password:
        _fail(_("TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is not: Teams needs both"))
    if settings.slack_app_token and settings.teams and not settings.slack_signing_secret:
        _fail(
            _(
                "Slack Socket Mode (SLACK_APP_TOKEN) and Teams are not served by one process: "
                "set SLACK_SIGNING_SECRET to serve Slack over HTTP beside Teams"
            )
        )
    _check_slack_oauth(settings)


def _check_slack_oauth(settings: Settings) -> None:
    """Slack OAuth (many workspaces): what it needs, named, never a value."""
    from bot.store.secrets import Cipher, SecretKeyError

    if not settings.slack_oauth:
        return
    missing = settings.oauth_missing()
    if missing:
        _fail(
            _(
                "Slack OAuth (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) also needs {names}; "
                "`iso20k secret-key` makes a key",
                names=" and ".join(missing),
            )
        )
    if settings.slack_app_token:
        _fail(
            _(
                "Slack OAuth installs the app in many workspaces over HTTP: unset "
                "SLACK_APP_TOKEN (Socket Mode serves one workspace, with SLACK_BOT_TOKEN)"
            )
        )
    try:
        Cipher.from_setting(settings.iso20k_secret_key or "")
    except SecretKeyError as exc:
        _fail(str(exc))


@cli.command("worker")
@click.option("--once", is_flag=True, help="Tick once and exit (cron, tests).")
def worker_command(once: bool) -> None:
    """Send due reminders: an APScheduler ticker over the outbox table.

    SIGTERM or SIGINT stops it within seconds with status 0 (see bot/serve.py). With
    METRICS_PORT set it serves its own GET /metrics there (reminders sent, failed and
    lagging, its database errors).
    """
    import logging
    import os

    from bot.metrics import Metrics, serve_metrics
    from bot.reminders.runner import make_tick, utc_now
    from bot.reminders.scheduler import scheduler
    from bot.serve import TICK_GRACE, exit_on_stop_signals, ignore_stop_signals
    from bot.store.db import make_engine
    from bot.store.lifecycle import purge_job
    from bot.store.transactions import ErrorTally, watch_errors

    settings = _settings()
    _check_slack_oauth(settings)  # reminders to many workspaces read their stored tokens
    _configure_logging(settings, "json")
    engine = make_engine(settings.database_url, settings.pool)
    tick = make_tick(settings, engine, _bank_at_start())
    purge = purge_job(engine, settings.data_retention_days, utc_now)
    if once:
        purge()
        click.echo(str(tick()))
        return
    stop_metrics = None
    if settings.metrics_port is not None:
        metrics = Metrics()
        metrics.watch_outbox(engine, utc_now)
        database_errors = ErrorTally()
        watch_errors(engine, database_errors)
        metrics.watch_database(database_errors, "reminders")
        tick = metrics.observe_tick(tick)
        try:
            stop_metrics = serve_metrics(metrics, settings.metrics_port, settings.metrics_token)
        except OSError as exc:
            problem = exc.strerror or str(exc)
            _fail(
                _(
                    "METRICS_PORT={port} cannot be served: {problem}",
                    port=settings.metrics_port,
                    problem=problem,
                )
            )
        click.echo(_("iso20k worker: GET /metrics on port {port}", port=settings.metrics_port))
    every = f"{settings.reminder_tick_seconds:g}"
    ticker = scheduler(tick, settings.reminder_tick_seconds, blocking=True, purge=purge)
    exit_on_stop_signals(ticker.request_stop)
    click.echo(_("iso20k worker: ticking every {seconds} s; Ctrl-C stops", seconds=every))
    try:
        ticker.start()
    finally:
        ignore_stop_signals()
        tick_done = ticker.stop(TICK_GRACE)
        if stop_metrics is not None:
            stop_metrics()
        engine.dispose()
        click.echo(_("iso20k worker: stopped"))
        if not tick_done:  # its thread would hold the exit; the lease covers its claims
            logging.shutdown()
            sys.stdout.flush()
            os._exit(0)


# -- secrets at rest (Slack OAuth installations; bot/store/secrets.py) ----------------------


@cli.command("secret-key")
def secret_key_command() -> None:
    """Print a new key for ISO20K_SECRET_KEY (Fernet: 32 random bytes, url-safe base64)."""
    from bot.store.secrets import new_key

    click.echo(new_key())


@cli.command("rotate-secrets")
def rotate_secrets_command() -> None:
    """Re-encrypt every stored secret with the first key of ISO20K_SECRET_KEY.

    All rows or none: a secret no listed key reads stops it before anything is changed.
    """
    from bot.slack.installations import rotate_secrets
    from bot.store.secrets import Cipher, SecretKeyError, UnreadableSecret

    settings = _settings()
    try:
        cipher = Cipher.from_setting(settings.iso20k_secret_key or "")
    except SecretKeyError as exc:
        _fail(str(exc))
    with _database(settings) as engine:
        try:
            count = rotate_secrets(engine, cipher)
        except UnreadableSecret as exc:
            _fail(_("{problem}; nothing was changed", problem=str(exc)))
    click.echo(
        _n(
            "{n} stored secret re-encrypted with the first key of ISO20K_SECRET_KEY",
            "{n} stored secrets re-encrypted with the first key of ISO20K_SECRET_KEY",
            count,
        )
    )


@cli.group("reminders")
def reminders_group() -> None:
    """The reminder outbox."""


@reminders_group.command("list")
@click.option("--org", "org", default=None, help="Only this organisation (name or workspace id).")
@click.option(
    "--state",
    type=click.Choice(["pending", "claimed", "sent", "failed", "cancelled"]),
    default=None,
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def reminders_list(org: str | None, state: str | None, limit: int) -> None:
    """Show what is due, sent and failed."""
    from sqlmodel import Session, col, or_, select

    from bot.store.db import make_engine
    from bot.store.models import Organisation, Reminder

    settings = _settings()
    engine = make_engine(settings.database_url, settings.pool)
    with Session(engine) as session:
        query = select(Reminder, Organisation).join(
            Organisation, col(Organisation.id) == col(Reminder.organisation_id)
        )
        if org is not None:
            query = query.where(
                or_(col(Organisation.name) == org, col(Organisation.external_id) == org)
            )
        if state is not None:
            query = query.where(col(Reminder.state) == state)
        rows = session.exec(query.order_by(col(Reminder.due_at)).limit(limit)).all()
        if not rows:
            click.echo(_("no reminders"))
        for reminder, organisation in rows:
            error = f"  ({reminder.last_error})" if reminder.last_error else ""
            click.echo(
                f"{reminder.due_at:%Y-%m-%d %H:%M}Z  {reminder.state:<9} "
                f"{organisation.name[:20]:<20} {reminder.kind:<17} {reminder.subject:<18} "
                f"-> {reminder.target}{error}"
            )
    engine.dispose()


@cli.group("org")
def org_group() -> None:
    """Organisations: list them, export one's data, delete one (docs/privacy.md)."""


EXIT_UNKNOWN_ORG = 1


def _organisation(session: Session, org: str) -> Organisation:
    """The organisation ORG names, by id or external id (workspace, tenant, console name);
    an unknown or ambiguous one is named on one line and the command exits with status 1."""
    from sqlmodel import col, select

    from bot.store.models import Organisation

    found: list[Organisation] = []
    if org.isdigit():
        found = list(session.exec(select(Organisation).where(col(Organisation.id) == int(org))))
    if not found:
        found = list(session.exec(select(Organisation).where(col(Organisation.external_id) == org)))
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(str(o.id) for o in found)
        message = _("{org!r} names several organisations ({ids}): give the id", org=org, ids=ids)
    else:
        message = _("no organisation {org!r}: `iso20k org list` shows them", org=org)
    click.echo(f"iso20k: {message}", err=True)
    sys.exit(EXIT_UNKNOWN_ORG)


@org_group.command("list")
def org_list() -> None:
    """Every organisation: id, platform, external id, name, and when it was uninstalled."""
    from sqlmodel import Session

    from bot.store.lifecycle import organisations

    with _database(_settings()) as engine, Session(engine) as session:
        found = list(organisations(session))
        if not found:
            click.echo(_("no organisations"))
        for o in found:
            gone = f"{o.uninstalled_at:%Y-%m-%d %H:%M}Z" if o.uninstalled_at else "-"
            click.echo(f"{o.id:>5}  {o.platform:<8} {o.external_id:<24} {o.name[:30]:<30} {gone}")


@org_group.command("export")
@click.argument("org")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [standard output].",
)
def org_export(org: str, output: Path | None) -> None:
    """All of ORG's data (its id or external id) as JSON, tokens and secrets left out."""
    from sqlmodel import Session

    from bot.store.lifecycle import export_organisation

    with _database(_settings()) as engine, Session(engine) as session:
        organisation = _organisation(session, org)
        now = dt.datetime.now(dt.UTC)
        exported = export_organisation(session, organisation, now)
        _hand_out(session, organisation, exported, output, "org.exported", {}, now)


def _hand_out(
    session: Session,
    organisation: Organisation,
    exported: dict[str, Any],
    output: Path | None,
    action: str,
    details: dict[str, Any],
    now: dt.datetime,
) -> None:
    """Write an export as JSON (UTF-8, every script as written) to `output` or standard
    output, then record `action` in the organisation's trail, with where it went and its
    size: recorded once the data is out, since a failed write is no export."""
    from bot.store import audit

    data = (json.dumps(exported, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write(data, output, str(output))
    where = str(output) if output is not None else "stdout"
    recorded = {**details, "to": where, "bytes": len(data)}
    audit.record(session, organisation.id or 0, audit.CLI, action, recorded, at=now)
    session.commit()


def _label(o: Organisation) -> str:
    return f"{o.id} ({o.platform} {o.external_id}, {o.name})"


def _interactive() -> bool:
    return sys.stdin.isatty()


@org_group.command("delete")
@click.argument("org")
@click.option("--yes", is_flag=True, help="Do not ask; needed without a terminal.")
def org_delete(org: str, yes: bool) -> None:
    """Delete ORG (its id or external id) and all its data, at once and for good."""
    import logging

    from sqlmodel import Session

    from bot.store.lifecycle import delete_organisation

    settings = _settings()
    _configure_logging(settings, "text")
    with _database(settings) as engine, Session(engine) as session:
        organisation = _organisation(session, org)
        label = _label(organisation)
        if not yes:
            if not _interactive():
                _fail(_("not deleting {org} without a terminal to confirm: add --yes", org=label))
            question = _("Delete organisation {org} and all its data for good?", org=label)
            if not click.confirm(question, default=False):
                click.echo(_("nothing deleted"))
                return
        org_id = organisation.id
        delete_organisation(session, organisation)
        session.commit()
    # The organisation's audit trail went with it: the log keeps that it was deleted.
    logging.getLogger("bot.cli").warning("org.deleted: organisation %s deleted by cli", org_id)
    click.echo(_("deleted organisation {org}", org=label))


@cli.group("person")
def person_group() -> None:
    """One person's data: export it, or erase what identifies them (docs/privacy.md)."""


def _member(session: Session, organisation: Organisation, person: str) -> Member:
    """The member PERSON names in the organisation (their user id, or the member id); an
    unknown one is named on one line and the command exits with status 1."""
    from bot.store.personal import find_member

    member = find_member(session, organisation, person)
    if member is None:
        message = _(
            "no person {person!r} in organisation {org}: give their user id (U…, an AAD "
            "object id) or member id",
            person=person,
            org=_label(organisation),
        )
        click.echo(f"iso20k: {message}", err=True)
        sys.exit(EXIT_UNKNOWN_ORG)
    return member


@person_group.command("export")
@click.argument("org")
@click.argument("person")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [standard output].",
)
def person_export(org: str, person: str, output: Path | None) -> None:
    """Everything stored of PERSON (user id or member id) in ORG, as JSON."""
    from sqlmodel import Session

    from bot.store.personal import export_person

    with _database(_settings()) as engine, Session(engine) as session:
        organisation = _organisation(session, org)
        member = _member(session, organisation, person)
        now = dt.datetime.now(dt.UTC)
        exported = export_person(session, organisation, member, now)
        # The trail names the member by id only.
        details = {"member": member.id}
        _hand_out(session, organisation, exported, output, "person.exported", details, now)


@person_group.command("erase")
@click.argument("org")
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do not ask; needed without a terminal.")
def person_erase(org: str, person: str, yes: bool) -> None:
    """Erase what identifies PERSON (user id or member id) in ORG, for good; their answers
    stay, as the organisation's, under an anonymous id."""
    from sqlmodel import Session

    from bot.slack.app import installations_cipher
    from bot.store import audit
    from bot.store.personal import CipherNeeded, erase_person, is_erased

    settings = _settings()
    with _database(settings) as engine, Session(engine) as session:
        organisation = _organisation(session, org)
        member = _member(session, organisation, person)
        if is_erased(member):
            click.echo(_("person {member} was erased already", member=member.id))
            return
        label = f"{member.platform_user_id} ({member.display_name or '-'})"
        if not yes:
            if not _interactive():
                _fail(
                    _("not erasing {person} without a terminal to confirm: add --yes", person=label)
                )
            question = _(
                "Erase {person} from organisation {org} for good?",
                person=label,
                org=_label(organisation),
            )
            if not click.confirm(question, default=False):
                click.echo(_("nothing erased"))
                return
        now = dt.datetime.now(dt.UTC)
        try:
            erased = erase_person(
                session, organisation, member, now, installations_cipher(settings)
            )
        except CipherNeeded:
            session.rollback()
            _fail(
                _(
                    "{person} installed the Slack app, and their token cannot be taken out "
                    "without ISO20K_SECRET_KEY: set it and run this again. Nothing was erased.",
                    person=label,
                )
            )
        # The trail keeps that a person was erased, by member id: never who they were.
        details = {"member": erased.member_id}
        audit.record(session, organisation.id or 0, audit.CLI, "person.erased", details, at=now)
        session.commit()
    click.echo(
        _(
            "erased person {member}. Made anonymous: audit entries {entries}. Deleted: "
            "assignments {assignments}, reminders {reminders}, Teams records {teams}.",
            member=erased.member_id,
            entries=erased.audit_entries,
            assignments=erased.assignments,
            reminders=erased.reminders,
            teams=erased.teams_rows,
        )
    )


@cli.group("teams")
def teams_group() -> None:
    """Microsoft Teams."""


@teams_group.command("package")
@click.option("--app-id", default=None, help="The bot's Microsoft app id, a GUID [TEAMS_APP_ID].")
@click.option("--public-url", default=None, help="Where iso20k is reachable, https [PUBLIC_URL].")
@click.option("--package-id", default=None, help="The Teams app's own id, a GUID [the app id].")
@click.option("--app-version", default=None, help="MAJOR.MINOR.PATCH [iso20k's version].")
@click.option("--developer", default=None, help="Who publishes the app, ≤ 32 characters [iso20k].")
@click.option("--website-url", default=None, help="The developer's https page [the public URL].")
@click.option("--privacy-url", default=None, help="The privacy statement [the public URL].")
@click.option("--terms-url", default=None, help="The terms of use [the public URL].")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [iso20k-teams.zip].",
)
def teams_package(
    app_id: str | None,
    public_url: str | None,
    package_id: str | None,
    app_version: str | None,
    developer: str | None,
    website_url: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    output: Path | None,
) -> None:
    """Write the Teams app package (manifest and icons) to upload in Teams."""
    from bot.teams.package import PackageError, build_package, command_menu, details

    settings = _settings()
    try:
        app = details(
            bot_id=(app_id, settings.teams_app_id),
            public_url=(public_url, settings.public_url),
            app_id=package_id,
            version=app_version,
            developer_name=developer,
            website_url=website_url,
            privacy_url=privacy_url,
            terms_url=terms_url,
        )
    except PackageError as exc:
        _fail(str(exc))
    menu = command_menu()
    _write(build_package(app, menu), output, "iso20k-teams.zip")
    if menu.left_out:
        left_out = ", ".join(menu.left_out)
        click.echo(
            _(
                "the command menu holds {count}; left out (still answered): {left_out}",
                count=len(menu.commands),
                left_out=left_out,
            )
        )
    click.echo(
        _(
            "Upload it in Teams: Apps → Manage your apps → Upload an app; "
            "or in the Developer Portal: Apps → Import app."
        )
    )


@cli.command("console")
@click.option("--user", default=None, help="Who you are in the console [$USER].")
def console_command(user: str | None) -> None:
    """The whole product in the terminal: same dialogs, same database, no credentials."""
    import getpass

    from bot.console.app import Console
    from bot.store.db import make_engine

    settings = _settings()
    _configure_logging(settings, "text", "WARNING")
    engine = make_engine(settings.database_url, settings.pool)
    try:
        name = user or getpass.getuser()
    except (KeyError, OSError):
        name = "me"
    locale = click.get_current_context().find_root().meta.get(LOCALE, settings.iso20k_locale)
    code = Console(engine, _bank_at_start(), name, sys.stdin, sys.stdout, locale=locale).run()
    engine.dispose()
    sys.exit(code)


@cli.command("start")
@click.pass_context
def start_command(ctx: click.Context) -> None:
    """Start the product on the embedded default: migrate, then the console or the chat app."""
    settings = _settings()
    serving = (
        settings.slack_bot_token
        or settings.slack_app_token
        or settings.slack_oauth
        or settings.teams_app_id
    )
    if serving or settings.teams:
        _check_serving(settings)
    ctx.invoke(db_upgrade)
    if serving or settings.teams:
        ctx.invoke(serve_command, host="0.0.0.0")
        return
    click.echo(
        _(
            "No Slack or Teams credentials set, so this is the terminal console. To connect "
            "Slack, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN); for "
            "Teams, TEAMS_APP_ID and TEAMS_APP_PASSWORD; then run again."
        )
    )
    ctx.invoke(console_command, user=None)


def main() -> None:
    cli(prog_name="iso20k")


if __name__ == "__main__":
    main()
