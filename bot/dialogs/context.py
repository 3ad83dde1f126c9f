"""Who is acting, in which organisation, on which day: what every dialog step receives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.reminders.regenerate import regenerate
from bot.store.crud import answers_of, current_assessment, get_or_create_organisation, upsert_member
from bot.store.models import Assessment, AuditBatch, Member, Organisation, Platform
from bot.store.plan_records import sync_plan
from iso20k_core.errors import InputError
from iso20k_core.evaluate import evaluate
from iso20k_core.inputs import parse_profile
from iso20k_core.plan import AUDIT_KEYS
from iso20k_core.profile import Profile
from iso20k_core.results import Evaluation
from iso20k_core.standard import Bank

MANAGING_ROLES = ("admin", "manager")


@dataclass
class DialogContext:
    session: Session
    organisation: Organisation
    member: Member
    today: dt.date
    bank: Bank
    now: dt.datetime | None = None  # the moment of the request (UTC); reminders are timed by it
    # Read-only users (the reminder worker) may keep one evaluation; dialogs that write don't.
    cache_evaluation: bool = False
    _evaluation: Evaluation | None = field(default=None, repr=False)

    @property
    def is_manager(self) -> bool:
        return self.member.role in MANAGING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.member.role == "admin"

    def assessment(self) -> Assessment:
        return current_assessment(self.session, self.organisation, self.bank.version)

    def answers(self) -> dict[str, object]:
        return answers_of(self.session, self.assessment())

    def profile(self) -> Profile | None:
        raw = self.organisation.profile
        if raw is None:
            return None
        try:
            return parse_profile(raw)
        except InputError:
            return None  # a profile from an older version that no longer validates: set up again

    def evaluation(self) -> Evaluation | None:
        if self._evaluation is not None:
            return self._evaluation
        profile = self.profile()
        if profile is None:
            return None
        # A recorded booking moves the plan: its audit is laid out on the confirmed date.
        booked = self.session.exec(
            select(AuditBatch).where(
                AuditBatch.organisation_id == self.organisation.id,
                col(AuditBatch.booked),
                col(AuditBatch.booked_date).is_not(None),
                col(AuditBatch.key).in_(AUDIT_KEYS),
            )
        )
        bookings = {row.key: row.booked_date for row in booked}
        result = evaluate(profile, self.answers(), self.today, self.bank, bookings)
        if self.cache_evaluation:
            self._evaluation = result
        return result

    def replan(self) -> Evaluation | None:
        """Evaluate, store the plan's milestones and audit batches, and regenerate the
        reminders that hang on them (after any change)."""
        result = self.evaluation()
        if result is not None:
            sync_plan(self.session, self.organisation, result.plan)
        self.refresh_reminders()
        return result

    def refresh_reminders(self) -> None:
        if self.organisation.profile is not None:
            regenerate(
                self.session, self.organisation, self.bank, self.now or dt.datetime.now(dt.UTC)
            )

    def admins_exist(self) -> bool:
        found = self.session.exec(
            select(Member).where(
                Member.organisation_id == self.organisation.id, Member.role == "admin"
            )
        ).first()
        return found is not None


def enter(
    session: Session,
    platform: Platform,
    workspace_id: str,
    workspace_name: str,
    user_id: str,
    today: dt.date,
    bank: Bank,
    display_name: str | None = None,
) -> DialogContext:
    """The context for one request: the tenant and the member, created on first contact.

    Members join as plain members; whoever first runs setup in a workspace becomes its admin.
    """
    organisation = get_or_create_organisation(session, platform, workspace_id, workspace_name)
    existing = session.exec(
        select(Member).where(
            Member.organisation_id == organisation.id, Member.platform_user_id == user_id
        )
    ).first()
    member = existing or upsert_member(
        session, organisation, user_id, role="member", display_name=display_name
    )
    return DialogContext(session, organisation, member, today, bank)
