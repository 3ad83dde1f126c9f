"""The `/iso20k` command, buttons and form submissions, routed to their dialogs.

Adapters call three functions: `handle_command` with the text after `/iso20k`,
`handle_action` when a button is pressed, `handle_submit` when a form comes back. Each returns
an `Outcome`; none raises for bad input: a wrong command answers with help and the closest
match, a wrong field with an inline error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping

from bot.dialogs import assess, audit, files, remind, reports, setup, team, trail
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Fact, Form, Message, Outcome, command
from bot.dialogs.validation import RawValue, validate
from iso20k_core.dates import DateError, check_horizon, parse_iso_date
from iso20k_core.language import N_, _
from iso20k_core.text import TextError, clean_text

# Slack's `<@U1|name>`, or `@id` (the console's names; Teams user ids `29:…` and AAD object
# ids, which the Teams adapter writes for each `<at>…</at>` mention).
MENTION = re.compile(r"^<@([A-Z0-9_]+)(?:\|[^>]*)?>$|^@([\w.:\-]+)$", re.IGNORECASE)

# The command words are typed as they are, in every language; what they do is marked here and
# read in the reader's language where it is shown (`help_message`: `_(meaning)`).
HELP: tuple[tuple[str, str], ...] = (
    ("help", N_("this list")),
    ("setup", N_("the organisation profile (the first person to run it becomes admin)")),
    ("assess [section]", N_("answer the assessment; resumes where you stopped")),
    ("assign @user section [YYYY-MM-DD]", N_("ask someone to answer a section")),
    ("role @user admin|manager|member", N_("grant a role (admins)")),
    ("status", N_("readiness, verdict, next milestone and audit")),
    ("plan", N_("the five stages, tasks, milestones and audits")),
    ("cost", N_("the cost estimate (managers)")),
    ("risks", N_("risks and countermeasures")),
    ("audit", N_("audit batches and their bookings; record a booking")),
    ("remind [pause|resume|change]", N_("reminder offsets, and pausing them (managers)")),
    ("report [pdf|html|md]", N_("the feasibility report as a file (managers)")),
    ("export xlsx|mspdi|ics", N_("the plan for Excel, MS Project or your calendar")),
    ("log [page]", N_("the audit trail: who changed what, and when (admins)")),
)
COMMANDS = (
    "help",
    "setup",
    "assess",
    "assign",
    "role",
    "status",
    "plan",
    "cost",
    "risks",
    "audit",
    "remind",
    "report",
    "export",
    "log",
)
# The commands whose answer may be a form. Slack opens a form as a modal with the trigger
# that came with the command or button, which expires 3 s after Slack sent it, so only
# these must be answered that fast; any other answer is a message, which a response_url
# takes for half an hour (bot/slack/unavailable.py).
FORM_COMMANDS = frozenset({"setup", "assess", "remind"})
FORM_ACTIONS = FORM_COMMANDS | {"book"}
ALIASES = {
    "costs": "cost",
    "audits": "audit",
    "risk": "risks",
    "assessment": "assess",
    "reminders": "remind",
    "trail": "log",
}


def help_message(note: str | None = None) -> Message:
    return Message(
        heading=_("iso20k: prepare for ISO/IEC 20000-1 certification"),
        text=(note + "\n\n" if note else "") + _("What you can ask:"),
        facts=tuple(Fact(command(usage), _(meaning)) for usage, meaning in HELP),
        tone="warning" if note else "info",
    )


def parse_user(token: str) -> str | None:
    found = MENTION.match(token.strip())
    if found is None:
        return None
    return found.group(1) or found.group(2)


def handle_command(ctx: DialogContext, text: str) -> Outcome:
    try:
        # NFKC: a command typed with a Chinese input method (ａｓｓｅｓｓ) is still a command.
        words = clean_text(text).split()
    except TextError as exc:
        return Outcome(reply=help_message(_("I can't read that command. {problem}", problem=exc)))
    if not words:
        return Outcome(reply=help_message())
    name, args = _routed(words[0]), words[1:]
    handler = _HANDLERS.get(name)
    if handler is None:
        close = difflib.get_close_matches(name, COMMANDS, n=1, cutoff=0.5)
        if close:
            note = _(
                "I don't know {word!r}. Did you mean {command}?",
                word=words[0],
                command=command(close[0]),
            )
        else:
            note = _("I don't know {word!r}.", word=words[0])
        return Outcome(reply=help_message(note))
    return handler(ctx, args)


def command_name(text: str) -> str:
    """The subcommand `text` asks for, as `handle_command` routes it (lower case, aliases
    resolved); "" for none or for text that cannot be read."""
    try:
        words = clean_text(text).split()
    except TextError:
        return ""
    return _routed(words[0]) if words else ""


def may_answer_with_form(operation: str, name: str, text: str) -> bool:
    """Whether the answer to a command (`text`) or a button (action `name`) may be a form;
    False for a submission, whose answer is the modal's own (bot/slack/listeners/views.py)."""
    if operation == "command":
        return command_name(text) in FORM_COMMANDS
    return operation == "action" and name in FORM_ACTIONS


def _routed(word: str) -> str:
    name = word.lower()
    return ALIASES.get(name, name)


def _setup(ctx: DialogContext, args: list[str]) -> Outcome:
    if ctx.admins_exist() and not ctx.is_manager:
        return Outcome(reply=setup._not_allowed())
    return Outcome(reply=setup.setup_form(ctx))


def _assess(ctx: DialogContext, args: list[str]) -> Outcome:
    return Outcome(reply=assess.assess_form(ctx, args[0] if args else None))


def _assign(ctx: DialogContext, args: list[str]) -> Outcome:
    usage = _("Usage: {command}", command=command("assign @user section [YYYY-MM-DD]"))
    if len(args) not in (2, 3) or parse_user(args[0]) is None:
        return Outcome(reply=help_message(usage))
    due = None
    if len(args) == 3:
        try:
            due = check_horizon(parse_iso_date(args[2]), ctx.today)
        except DateError as exc:
            return Outcome(reply=help_message(_("{problem} {usage}", problem=exc, usage=usage)))
    user = parse_user(args[0])
    assert user is not None
    return team.assign(ctx, user, args[1], due)


def _role(ctx: DialogContext, args: list[str]) -> Outcome:
    user = parse_user(args[0]) if len(args) == 2 else None
    if user is None:
        usage = command("role @user admin|manager|member")
        return Outcome(reply=help_message(_("Usage: {command}", command=usage)))
    return team.set_role(ctx, user, args[1].lower())


def _reply(
    build: Callable[[DialogContext], Message],
) -> Callable[[DialogContext, list[str]], Outcome]:
    return lambda ctx, args: Outcome(reply=build(ctx))


_HANDLERS: dict[str, Callable[[DialogContext, list[str]], Outcome]] = {
    "help": lambda ctx, args: Outcome(reply=help_message()),
    "setup": _setup,
    "assess": _assess,
    "assign": _assign,
    "role": _role,
    "status": _reply(reports.status),
    "plan": _reply(reports.plan),
    "cost": _reply(reports.cost),
    "risks": _reply(reports.risks),
    "audit": _reply(audit.audits),
    "remind": remind.remind,
    "report": files.report,
    "export": files.export_plan,
    "log": trail.log,
}


def handle_action(ctx: DialogContext, action: str, value: str = "") -> Outcome:
    """A button: the same as the command it names, with its value as the argument."""
    if action == "book":
        return Outcome(reply=audit.booking_form(ctx, value or None))
    if action in _HANDLERS and action not in ("assign", "role"):
        return handle_command(ctx, f"{action} {value}".strip())
    return Outcome(
        reply=help_message(_("That button is no longer available ({action}).", action=action))
    )


def form_for(ctx: DialogContext, kind: str, state: Mapping[str, str]) -> Form | Message:
    """Rebuild the form a submission answers, so it is validated against the same fields."""
    if kind == setup.KIND:
        return setup.setup_form(ctx)
    if kind == assess.KIND:
        return assess.assess_form(ctx, state.get("section"), int(state.get("page", "0") or 0))
    if kind == audit.KIND:
        return audit.booking_form(ctx)
    if kind == remind.KIND:
        return remind.remind_form(ctx)
    return help_message(_("That form is no longer available ({kind}).", kind=kind))


def handle_submit(
    ctx: DialogContext, kind: str, state: Mapping[str, str], raw: Mapping[str, RawValue]
) -> Outcome:
    form = form_for(ctx, kind, state)
    if isinstance(form, Message):
        return Outcome(reply=form)
    clean, errors = validate(form, raw, ctx.today)
    if errors:
        # The same form with the errors on its fields: a channel that keeps no form open
        # (a Teams card) shows it again with the person's values; nothing is saved.
        return Outcome(reply=form, errors=errors)
    if kind == setup.KIND:
        return setup.submit_setup(ctx, clean)
    if kind == assess.KIND:
        return assess.submit_assess(ctx, dict(state), clean)
    if kind == remind.KIND:
        return remind.submit_remind(ctx, clean)
    return audit.submit_booking(ctx, clean)
