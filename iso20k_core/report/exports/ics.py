"""The plan's dates as an iCalendar file (RFC 5545) for Outlook, Google and Apple calendars.

Every event is all-day. Its UID comes from the organisation and the item's stable key, never
from a date: when the plan moves and the file is imported again, calendars update the events
they already hold instead of adding a second copy. DTSTAMP, which RFC 5545 requires, is the
evaluation's day, so the same evaluation gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from icalendar import Calendar, Event

from iso20k_core import figures as fig
from iso20k_core.language import _, _p
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
    calendar.add("x-wr-caldesc", _("Milestones, audits and booking deadlines of the plan"))
    for event in _events(evaluation):
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def slug(text: str) -> str:
    """`Stadt Lindenau - Amt für IT` -> `stadt-lindenau-amt-fur-it`: ASCII, safe in a UID.

    Letters of a script with no ASCII form (`深圳市某某科技有限公司`) would vanish, and every
    organisation named in them would share one UID per event: a short digest of the name
    stands for them. Latin letters without an ASCII form (ß, ø) drop as they always have,
    so no existing UID changes."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode()
    readable = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if any(_lost(ch) for ch in text):
        name = unicodedata.normalize("NFKC", text).strip().encode("utf-8")
        digest = hashlib.sha256(name).hexdigest()[:12]
        return f"{readable}-{digest}" if readable else digest
    return readable or "organisation"


def _lost(ch: str) -> bool:
    """A letter or digit of a script other than Latin that has no ASCII form (`深`; not
    `ü`, `ß` or the full-width `１`)."""
    if not ch.isalnum() or unicodedata.name(ch, "").startswith("LATIN"):
        return False
    spelt = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return not any(c.isalnum() for c in spelt)


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
            summary=_("Improvement window: correct the stage 1 findings"),
            first=window_start,
            last=window_end,
            description=_("Time between the stage 1 and stage 2 audits to correct findings."),
            category=_p("calendar category", "Plan"),
        )
    )
    events.append(
        new.event(
            uid=event_uid("window", "nonconformity", evaluation.organisation),
            summary=_("Nonconformity window: close the stage 2 findings"),
            first=plan.nonconformity_window[0],
            last=plan.nonconformity_window[1],
            description=_(
                "Corrections and corrective actions for the stage 2 nonconformities, "
                "sent to the certification body before its decision."
            ),
            category=_p("calendar category", "Plan"),
        )
    )
    events.append(
        new.event(
            uid=event_uid("certificate", "expiry", evaluation.organisation),
            summary=_("ISO/IEC 20000-1 certificate expires"),
            first=plan.certificate_expiry,
            last=plan.certificate_expiry,
            description=_(
                "The recertification decision must come before this day (ISO/IEC 17021-1 9.6.3)."
            ),
            category=_p("calendar category", "Certification"),
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
            description=_("Milestone. Owner: {owner}.", owner=milestone.owner_role),
            category=_p("calendar category", "Milestone"),
        )

    def audit(self, batch: AuditBatch) -> Event:
        """The audit from its planned day to the end of the certification body's reserve;
        booked, its days on site."""
        days = batch.on_site_days
        if batch.booked:
            summary = _("{audit} booked ({days} days on site)", audit=batch.title, days=days)
        else:
            summary = _("{audit} window ({days} days on site)", audit=batch.title, days=days)
        return self.event(
            uid=event_uid("audit", batch.key, self.organisation),
            summary=summary,
            first=batch.planned_date,
            last=batch.window_end,
            description=_("{audit}: {notes}.", audit=batch.title, notes=audit_notes(batch)),
            category=_p("calendar category", "Audit"),
        )

    def booking(self, batch: AuditBatch, deadline: dt.date) -> Event:
        return self.event(
            uid=event_uid("booking", batch.key, self.organisation),
            summary=_("Book the {audit} with the certification body", audit=batch.title.lower()),
            first=deadline,
            last=deadline,
            description=_(
                "Last day to book the {audit} planned for {date}.",
                audit=batch.title.lower(),
                date=fig.date(batch.planned_date),
            ),
            category=_p("calendar category", "Booking deadline"),
        )

    def booked(self, batch: AuditBatch) -> Event:
        """The booking deadline's event, cancelled: a calendar that imported it before the
        audit was booked updates it by its UID instead of keeping a stale reminder."""
        event = self.event(
            uid=event_uid("booking", batch.key, self.organisation),
            summary=_("{audit} booked: no booking needed any more", audit=batch.title),
            first=batch.planned_date,
            last=batch.planned_date,
            description=_(
                "The {audit} is booked for {date}.",
                audit=batch.title.lower(),
                date=fig.date(batch.planned_date),
            ),
            category=_p("calendar category", "Booking deadline"),
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
