import datetime as dt

import pytest
from sqlmodel import Session, select

from bot.store.crud import get_or_create_organisation
from bot.store.models import AuditBatch, Milestone
from bot.store.plan_records import record_booking, sync_plan
from iso20k_core.evaluate import evaluate
from iso20k_core.profile import Profile

TODAY = dt.date(2026, 11, 25)
PROFILE = Profile(
    organisation="Records",
    persons_in_scope=60,
    it_staff=40,
    staff_available_fte=3,
    services_in_scope=8,
    country="DE",
    start_date=dt.date(2027, 1, 11),
)


def rows(session: Session, model: type, org_id: int) -> dict[str, object]:
    found = session.exec(select(model).where(model.organisation_id == org_id))  # type: ignore[attr-defined]
    return {r.key: r for r in found}


def test_plan_rows_follow_the_plan_and_keep_bookings(any_session: Session) -> None:
    org = get_or_create_organisation(any_session, "console", "records", "Records")
    weak = evaluate(PROFILE, {}, TODAY).plan
    sync_plan(any_session, org, weak)
    assert org.id is not None
    milestones = rows(any_session, Milestone, org.id)
    batches = rows(any_session, AuditBatch, org.id)
    assert set(milestones) == {m.key for m in weak.milestones}
    assert set(batches) == {b.key for b in weak.audit_batches}
    stage1 = batches["stage1"]
    assert isinstance(stage1, AuditBatch)
    assert stage1.booking_deadline == weak.audit_batches[0].booking_deadline

    record_booking(any_session, org, "stage1", dt.date(2028, 9, 4), "Cert Body Ltd", "Q-17")
    stronger = evaluate(PROFILE, {"leadership.commitment": 4, "change.policy": "yes"}, TODAY).plan
    sync_plan(any_session, org, stronger)
    any_session.commit()

    batches = rows(any_session, AuditBatch, org.id)
    stage1 = batches["stage1"]
    assert isinstance(stage1, AuditBatch)
    assert stage1.planned_date == stronger.audit_batches[0].planned_date
    assert stage1.booked and stage1.certification_body == "Cert Body Ltd"
    assert stage1.booking_reference == "Q-17"
    assert len(rows(any_session, Milestone, org.id)) == len(stronger.milestones)


def test_booking_an_unknown_batch_is_refused(session: Session) -> None:
    org = get_or_create_organisation(session, "console", "records", "Records")
    with pytest.raises(KeyError, match="stage9"):
        record_booking(session, org, "stage9", TODAY, "Body")
