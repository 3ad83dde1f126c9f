"""The plan's dates as an iCalendar file (RFC 5545) for Outlook, Google and Apple calendars.

Every event is all-day. Its UID comes from the organisation and the item's stable key, never
from a date: when the plan moves and the file is imported again, calendars update the events
they already hold instead of adding a second copy. DTSTAMP, which RFC 5545 requires, is the
evaluation's day, so the same evaluation gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from icalendar import Calendar, Event

from iso20k_core.report.exports import audit_notes
from iso20k_core.results import AuditBatch, Evaluation, Milestone

PRODID = "-//iso20k//ISO20000 plan//EN"
ONE_DAY = dt.timedelta(days=1)


def to_ics(evaluation: Evaluation) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"ISO/IEC 20000-1: {evaluation.organisation}")
    calendar.add("x-wr-caldesc", "Milestones, audits and booking deadlines of the plan")
    for event in _events(evaluation):
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def slug(text: str) -> str:
    """`Stadt Lindenau - Amt für IT` -> `stadt-lindenau-amt-fur-it`: ASCII, safe in a UID."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "organisation"


def event_uid(kind: str, key: str, organisation: str) -> str:
    return f"{kind}-{key}-{slug(organisation)}@iso20k"


def _events(evaluation: Evaluation) -> list[Event]:
    plan = evaluation.plan
    stamp = dt.datetime.combine(evaluation.today, dt.time(), tzinfo=dt.UTC)
    new = _EventFactory(evaluation.organisation, stamp)
    events = [new.milestone(m) for m in plan.milestones]
    for batch in plan.audit_batches:
        events.append(new.audit(batch))
        if batch.booked:
            events.append(new.booked(batch))
        elif batch.booking_deadline is not None:
            events.append(new.booking(batch, batch.booking_deadline))
    window_start, window_end = plan.improvement_window
    events.append(
        new.event(
            uid=event_uid("window", "improvement", evaluation.organisation),
            summary="Improvement window: correct the stage 1 findings",
            first=window_start,
            last=window_end,
            description="Time between the stage 1 and stage 2 audits to correct findings.",
            category="Plan",
        )
    )
    events.append(
        new.event(
            uid=event_uid("window", "nonconformity", evaluation.organisation),
            summary="Nonconformity window: close the stage 2 findings",
            first=plan.nonconformity_window[0],
            last=plan.nonconformity_window[1],
            description="Corrections and corrective actions for the stage 2 nonconformities, "
            "sent to the certification body before its decision.",
            category="Plan",
        )
    )
    events.append(
        new.event(
            uid=event_uid("certificate", "expiry", evaluation.organisation),
            summary="ISO/IEC 20000-1 certificate expires",
            first=plan.certificate_expiry,
            last=plan.certificate_expiry,
            description="The recertification decision must come before this day "
            "(ISO/IEC 17021-1 9.6.3).",
            category="Certification",
        )
    )
    return events


class _EventFactory:
    """Events of one organisation, stamped with the evaluation's day."""

    def __init__(self, organisation: str, stamp: dt.datetime) -> None:
        self.organisation = organisation
        self.stamp = stamp

    def milestone(self, milestone: Milestone) -> Event:
        return self.event(
            uid=event_uid("milestone", milestone.key, self.organisation),
            summary=milestone.title,
            first=milestone.date,
            last=milestone.date,
            description=f"Milestone. Owner: {milestone.owner_role}.",
            category="Milestone",
        )

    def audit(self, batch: AuditBatch) -> Event:
        """The audit from its planned day to the end of the certification body's reserve;
        booked, its days on site."""
        state = "booked" if batch.booked else "window"
        return self.event(
            uid=event_uid("audit", batch.key, self.organisation),
            summary=f"{batch.title} {state} ({batch.on_site_days} days on site)",
            first=batch.planned_date,
            last=batch.window_end,
            description=f"{batch.title}: {audit_notes(batch)}.",
            category="Audit",
        )

    def booking(self, batch: AuditBatch, deadline: dt.date) -> Event:
        return self.event(
            uid=event_uid("booking", batch.key, self.organisation),
            summary=f"Book the {batch.title.lower()} with the certification body",
            first=deadline,
            last=deadline,
            description=f"Last day to book the {batch.title.lower()} planned for "
            f"{batch.planned_date.isoformat()}.",
            category="Booking deadline",
        )

    def booked(self, batch: AuditBatch) -> Event:
        """The booking deadline's event, cancelled: a calendar that imported it before the
        audit was booked updates it by its UID instead of keeping a stale reminder."""
        event = self.event(
            uid=event_uid("booking", batch.key, self.organisation),
            summary=f"{batch.title} booked: no booking needed any more",
            first=batch.planned_date,
            last=batch.planned_date,
            description=f"The {batch.title.lower()} is booked for "
            f"{batch.planned_date.isoformat()}.",
            category="Booking deadline",
        )
        event.add("status", "CANCELLED")
        return event

    def event(
        self,
        *,
        uid: str,
        summary: str,
        first: dt.date,
        last: dt.date,
        description: str,
        category: str,
    ) -> Event:
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", first)
        event.add("dtend", last + ONE_DAY)  # all-day events end on the day after (exclusive)
        event.add("summary", summary)
        event.add("description", description)
        event.add("categories", [category])
        event.add("transp", "TRANSPARENT")  # a marker in the calendar, not a busy block
        return event
