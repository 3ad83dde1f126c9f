"""The console loop: read a command, run the dialog, print the reply, prompt for forms.

It talks to the dialogs exactly as a chat adapter does (`handle_command`, `handle_action`,
`handle_submit`); only the rendering differs. Every command runs in its own transaction,
retried briefly while the database is away (bot.store.transactions), so an interrupted form
saves nothing; a form whose save fails keeps what was typed and offers to try again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.console.render import menu, pad, render_message, render_prompt
from bot.dialogs.commands import handle_action, handle_command, handle_submit
from bot.dialogs.context import DialogContext, OpenDirectory, enter
from bot.dialogs.model import Attachment, Button, Field, Form, Message, Outcome, readable
from bot.dialogs.validation import RawValue, clean_value
from bot.store.transactions import REPLY_BUDGET, StoreUnavailable, in_transaction
from iso20k_core.language import N_, Language, _, resolve, using
from iso20k_core.standard import Bank

log = logging.getLogger(__name__)

WORKSPACE = "local"
PROMPT = "iso20k> "
QUIT = ("quit", "exit", "q")


CANCEL = "cancel"
# What is typed stays as it is (the console reads these words); what it means is translated.
CONSOLE_HELP = (
    ("as NAME", N_("act as another member (the console is one terminal for the whole team)")),
    ("1, 2, …", N_("press a button of the last reply")),
    (CANCEL, N_("inside a form: leave it; nothing from the form is saved (Ctrl-C too)")),
    ("quit", N_("leave the console (Ctrl-D too)")),
)


class EndOfInput(Exception):
    """Standard input closed in the middle of something."""


class FormCancelled(Exception):
    """The person left a form (`cancel` or Ctrl-C)."""


class Console:
    def __init__(
        self,
        engine: Engine,
        bank: Bank,
        user: str,
        stdin: TextIO,
        stdout: TextIO,
        today: Callable[[], dt.date] = dt.date.today,
        workspace: str = WORKSPACE,
        files: Path = Path("iso20k-files"),
        locale: str | None = None,
    ) -> None:
        self.engine, self.bank, self.user = engine, bank, user
        self.stdin, self.stdout, self.today, self.workspace = stdin, stdout, today, workspace
        self.files = files
        self.buttons: tuple[Button, ...] = ()
        # The person at the terminal reads ISO20K_LOCALE (`locale`); without one, their
        # organisation's language once a step has read it, else English.
        self.locale = locale
        self.language: Language = resolve(locale)

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def read(self, prompt: str) -> str:
        self.write(prompt)
        line = self.stdin.readline()
        if not line:
            raise EndOfInput
        return line.rstrip("\n")

    def run(self) -> int:
        with using(self.language):
            self.write(_("iso20k console. Type 'help' for commands, 'quit' to leave.") + "\n")
        try:
            while True:
                line = self.read(PROMPT).strip()
                if line.lower() in QUIT:
                    return 0
                if line:
                    self.dispatch(line)
        except (EndOfInput, KeyboardInterrupt):
            self.write("\n")
            return 0

    def dispatch(self, line: str) -> None:
        """One line typed, answered in the language of the person at the terminal (the
        console's own words and the dialog's alike)."""
        try:
            self._dispatch(line)
        except StoreUnavailable:  # rolled back: true to say nothing changed
            log.info("the console's %r found no database", line, exc_info=True)
            with using(self.language):
                self.write(
                    _(
                        "✖ The database did not answer, so nothing was done or changed. "
                        "Try again in a moment."
                    )
                    + "\n"
                )

    def _dispatch(self, line: str) -> None:
        words = line.split()
        if words[0] == "/iso20k":
            line = " ".join(words[1:])
        if line.isdigit() and 0 < int(line) <= len(self.buttons):
            button = self.buttons[int(line) - 1]
            self.show(self._step(lambda ctx: handle_action(ctx, button.action, button.value)))
        elif line.lower() in ("help", "?"):
            self.show(self._step(lambda ctx: handle_command(ctx, "help")))
            with using(self.language):
                self.write(_("In the console also:") + "\n")
                self.write(
                    "".join(f"  {pad(usage, 12)} {_(meaning)}\n" for usage, meaning in CONSOLE_HELP)
                )
        elif line.startswith("as "):
            self.user = line[3:].strip().lstrip("@") or self.user
            with using(self.language):
                self.write(_("Now acting as @{user}.", user=self.user) + "\n")
        else:
            self.show(self._step(lambda ctx: handle_command(ctx, line)))

    def _step(self, action: Callable[[DialogContext], Outcome]) -> Outcome:
        def attempt(session: Session) -> Outcome:
            ctx = enter(
                session,
                "console",
                self.workspace,
                "Local organisation",
                self.user,
                self.today(),
                self.bank,
                display_name=self.user,
                directory=OpenDirectory(self.workspace, self.locale),  # it knows everyone
                default_locale=self.locale,
            )
            self.language = ctx.language
            with using(ctx.language):
                return action(ctx)

        return in_transaction(self.engine, attempt, REPLY_BUDGET)

    def show(self, outcome: Outcome) -> None:
        """Print an outcome, and fill its forms, in the language its step wrote in."""
        with using(self.language):
            self._show(outcome)

    def _show(self, outcome: Outcome) -> None:
        for notice in outcome.notices:
            self.write(_("(direct message to @{user})", user=notice.user_id) + "\n")
            self.write(render_message(notice.message))
        reply = outcome.reply
        while isinstance(reply, Form):
            try:
                reply = self.fill(reply)
            except (FormCancelled, KeyboardInterrupt):
                self.write("\n" + _("Cancelled: nothing from this form was saved.") + "\n")
                return
        if isinstance(reply, Message):
            self.buttons = reply.buttons
            self.write(render_message(reply))
            if reply.file is not None:
                self.save(reply.file)

    def save(self, file: Attachment) -> None:
        """A file a chat app would attach is written to the files folder instead."""
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / Path(file.filename).name  # never outside the folder
        path.write_bytes(file.content)
        self.write(_("[file] {title}: saved to {path}", title=file.title, path=path) + "\n")

    def fill(self, form: Form) -> Message | Form | None:
        """Prompt for every field; submit; re-prompt fields the dialog refused."""
        self.write(f"\n== {form.title} ==\n")
        if form.progress:
            done, total = form.progress
            self.write(_("{done} of {total} answered", done=done, total=total) + "\n")
        for item in form.items:
            if not isinstance(item, Field):
                self.write(readable(item.text) + "\n")
        raw: dict[str, RawValue] = {f.id: self.ask(f) for f in form.fields}
        while True:
            try:
                outcome = self._step(lambda ctx: handle_submit(ctx, form.kind, form.state, raw))
            except Exception:  # the database, anything: what was typed stays
                # INFO with the trace: the terminal shows no trace to the person (the console
                # configures no log handler, and Python prints only WARNING and above).
                log.info("saving the %s form failed", form.kind, exc_info=True)
                if self.try_again():
                    continue
                return Message(
                    heading=_("Not saved"), text=_("You left the form; nothing of it was saved.")
                )
            if not outcome.errors:
                for notice in outcome.notices:
                    self.write(render_message(notice.message))
                return outcome.reply
            for field in form.fields:
                if field.id in outcome.errors:
                    self.write(f"  ✖ {field.label}: {outcome.errors[field.id]}\n")
                    raw[field.id] = self.ask(field)

    def try_again(self) -> bool:
        """After a failed save: True to submit the same answers again."""
        self.write(
            "  "
            + _("✖ Not saved: something went wrong on our side. Your answers are kept.")
            + "\n    "
            + _("Press Enter to try saving again, or type 'quit' to leave without saving.")
            + "\n"
        )
        return self.read("  > ").strip().lower() not in QUIT

    def ask(self, field: Field) -> RawValue:
        self.write(render_prompt(field))
        while True:
            shown = _initial_text(field)
            answer = self.read(f"  > [{shown}] " if shown else "  > ").strip()
            if answer.lower() == CANCEL:
                raise FormCancelled
            value = _raw(field, answer) if answer else _initial_raw(field)
            try:
                clean_value(field, value, self.today())
            except ValueError as exc:
                self.write(f"  ✖ {exc}\n")
                continue
            return value


def _initial_text(field: Field) -> str:
    if field.initial is None or field.initial == ():
        return ""
    if isinstance(field.initial, tuple):
        return ", ".join(field.initial)
    labels = {o.value: o.label for o in field.options}
    return labels.get(field.initial, field.initial)


def _initial_raw(field: Field) -> RawValue:
    if isinstance(field.initial, tuple):
        return list(field.initial)
    return field.initial


def _raw(field: Field, answer: str) -> RawValue:
    """Numbers pick options; '-' clears an optional field."""
    if answer == "-":
        return [] if field.kind == "multi_choice" else None
    if field.kind == "choice":
        return _option(field, answer)
    if field.kind == "multi_choice":
        return [_option(field, part.strip()) for part in answer.split(",") if part.strip()]
    return answer


def _option(field: Field, answer: str) -> str:
    """The typed value wins (`3` is maturity level 3); else the menu key; else the text,
    which validation matches against labels and looks up."""
    if any(o.value == answer for o in field.options):
        return answer
    keys = {key: o.value for (key, _), o in zip(menu(field), field.options, strict=True)}
    return keys.get(answer, answer)
