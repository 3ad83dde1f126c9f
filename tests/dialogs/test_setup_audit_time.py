"""Setup asks for what adjusts the audit time (issue 11, item 2): complexity and the
processes other parties operate; bad values are refused on their own field."""

from __future__ import annotations

from sqlmodel import Session

from bot.dialogs.commands import handle_submit
from bot.dialogs.model import Field, Message
from bot.dialogs.setup import setup_form
from tests.dialogs.people import SETUP, as_user, reply


def _fields(ctx: object) -> dict[str, Field]:
    form = setup_form(ctx)  # type: ignore[arg-type]
    return {f.id: f for f in form.items if isinstance(f, Field)}


def test_the_form_asks_for_complexity_and_outsourced_processes(session: Session) -> None:
    admin = as_user(session, "admin")
    fields = _fields(admin)
    complexity, outsourced = fields["complexity"], fields["outsourced_processes"]
    assert [o.value for o in complexity.options] == ["low", "normal", "high"]
    assert complexity.initial == "normal" and not complexity.required
    assert (outsourced.minimum, outsourced.maximum, outsourced.integer) == (0, 100, True)
    assert not outsourced.required


def test_the_new_fields_are_saved_and_move_the_audit_days(session: Session) -> None:
    admin = as_user(session, "admin")
    saved = handle_submit(
        admin, "setup", {}, {**SETUP, "complexity": "high", "outsourced_processes": "2"}
    )
    assert isinstance(saved.reply, Message) and saved.reply.heading == "Profile saved"
    assert admin.organisation.profile is not None
    assert admin.organisation.profile["complexity"] == "high"
    assert admin.organisation.profile["outsourced_processes"] == 2
    # 50 persons: 5 days in the table; +10 % high complexity, +10 % for two outsourced
    # processes: 5 x 1.2 = 6 audit days, each adjustment named on the cost card.
    cost = reply(admin, "cost")
    assert cost.text.startswith("Audit days: 6 initial (stage 1 2, stage 2 4)")
    assert "may come out between 4.5 and 12 days" in cost.text
    audit = next(s for s in cost.sections if s.heading == "Audit time")
    assert audit.text is not None
    assert "High complexity: +10 %" in audit.text
    assert "2 processes operated by other parties: +10 %" in audit.text
    # Shown again on the form.
    fields = _fields(admin)
    assert fields["complexity"].initial == "high"
    assert fields["outsourced_processes"].initial == "2"


def test_a_bad_count_is_refused_on_its_field(session: Session) -> None:
    admin = as_user(session, "admin")
    for typed in ("-1", "101", "two"):
        refused = handle_submit(admin, "setup", {}, {**SETUP, "outsourced_processes": typed})
        assert set(refused.errors) == {"outsourced_processes"}, typed
    refused = handle_submit(admin, "setup", {}, {**SETUP, "complexity": "extreme"})
    assert set(refused.errors) == {"complexity"}
    assert admin.organisation.profile is None  # nothing half-saved
