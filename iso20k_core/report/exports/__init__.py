"""Exports of an evaluation's plan and costs for the tools people already use.

Auditors of customers and certification bodies ask for the plan in Excel, MS Project and
their calendars: during an audit they read it in the tools they already use. Each export is a
pure function `evaluation -> bytes`: the same evaluation always gives the same bytes, so a
re-export that changed nothing changes no file, and nothing here reads a clock.

The plan's items are grouped here once, the same way for every export: the five stages in
order, each holding the items that fall inside it, then the certification cycle after the
project (surveillance, recertification, certificate expiry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from iso20k_core import figures as fig
from iso20k_core.language import N_, _
from iso20k_core.results import AuditBatch, Evaluation, Milestone, Stage, Task

ExportFormat = Literal["xlsx", "mspdi", "ics"]
FORMATS: tuple[ExportFormat, ...] = ("xlsx", "mspdi", "ics")
EXPORT_SUFFIX: dict[ExportFormat, str] = {"xlsx": ".xlsx", "mspdi": ".xml", "ics": ".ics"}
EXPORT_MIME: dict[ExportFormat, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mspdi": "application/xml",
    "ics": "text/calendar",
}

ItemKind = Literal["task", "milestone", "audit", "window", "expiry"]
CYCLE_KEY = "certification_cycle"
CYCLE_TITLE = N_("Certification cycle: surveillance and recertification")
# Ties on the same day: a milestone reads before the work that starts with it.
_KIND_ORDER: dict[ItemKind, int] = {"milestone": 0, "audit": 1, "window": 2, "task": 3, "expiry": 4}


def export(evaluation: Evaluation, fmt: ExportFormat) -> bytes:
    """The evaluation in one export format."""
    # Imported on demand: openpyxl and icalendar load only when their format is asked for.
    if fmt == "xlsx":
        from iso20k_core.report.exports.xlsx import to_xlsx

        return to_xlsx(evaluation)
    if fmt == "mspdi":
        from iso20k_core.report.exports.mspdi import to_mspdi

        return to_mspdi(evaluation)
    if fmt == "ics":
        from iso20k_core.report.exports.ics import to_ics

        return to_ics(evaluation)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class PlanItem:
    """One row of the plan below a stage: a task, milestone, audit batch or window."""

    kind: ItemKind
    key: str
    title: str
    owner: str
    start: dt.date
    end: dt.date
    effort_days: int | None  # None: the plan does not size it (a window, the expiry)
    notes: str
    deadline: dt.date | None = None  # an audit's reserve window closes then

    @property
    def milestone(self) -> bool:
        return self.kind in ("milestone", "audit", "expiry")


@dataclass(frozen=True)
class PlanGroup:
    """A stage of the plan with its items; `number` is None for the certification cycle."""

    number: int | None
    key: str
    title: str
    start: dt.date
    end: dt.date
    business_days: int | None
    items: tuple[PlanItem, ...]

    @property
    def label(self) -> str:
        return self.title if self.number is None else f"{self.number}. {self.title}"


def plan_groups(evaluation: Evaluation) -> tuple[PlanGroup, ...]:
    """The stages in order with the items inside each, then the certification cycle."""
    plan = evaluation.plan
    items = _plan_items(evaluation)
    placed: dict[str, list[PlanItem]] = {s.key: [] for s in plan.stages}
    later: list[PlanItem] = []
    for item in items:
        stage = _stage_containing(plan.stages, item.start)
        (placed[stage.key] if stage else later).append(item)
    groups = [
        PlanGroup(
            number=s.number,
            key=s.key,
            title=s.title,
            start=s.start,
            end=s.end,
            business_days=s.business_days,
            items=_ordered(placed[s.key]),
        )
        for s in plan.stages
    ]
    if later:
        groups.append(
            PlanGroup(
                number=None,
                key=CYCLE_KEY,
                title=_(CYCLE_TITLE),
                start=min(i.start for i in later),
                end=max(i.end for i in later),
                business_days=None,
                items=_ordered(later),
            )
        )
    return tuple(groups)


def _stage_containing(stages: Iterable[Stage], day: dt.date) -> Stage | None:
    return next((s for s in stages if s.start <= day <= s.end), None)


def _ordered(items: list[PlanItem]) -> tuple[PlanItem, ...]:
    # sorted() is stable: equal keys keep the plan's own order (biggest gap first).
    return tuple(sorted(items, key=lambda i: (i.start, _KIND_ORDER[i.kind], i.end)))


def _plan_items(evaluation: Evaluation) -> list[PlanItem]:
    plan = evaluation.plan
    window_start, window_end = plan.improvement_window
    return [
        *(_task_item(t) for t in plan.tasks),
        *(_milestone_item(m) for m in plan.milestones),
        *(_audit_item(b) for b in plan.audit_batches),
        PlanItem(
            kind="window",
            key="improvement_window",
            title=_("Improvement window: correct the stage 1 findings"),
            owner=_("SMS manager"),
            start=window_start,
            end=window_end,
            effort_days=None,
            notes=_("between the stage 1 and stage 2 audits"),
        ),
        PlanItem(
            kind="window",
            key="nonconformity_window",
            title=_("Nonconformity window: close the stage 2 findings"),
            owner=_("SMS manager"),
            start=plan.nonconformity_window[0],
            end=plan.nonconformity_window[1],
            effort_days=None,
            notes=_("between the stage 2 audit and the certification decision"),
        ),
        PlanItem(
            kind="expiry",
            key="certificate_expiry",
            title=_("Certificate expires"),
            owner=_("Top management"),
            start=plan.certificate_expiry,
            end=plan.certificate_expiry,
            effort_days=None,
            notes=_("recertification must be decided before this date (ISO/IEC 17021-1 9.6.3)"),
        ),
    ]


def _task_item(task: Task) -> PlanItem:
    return PlanItem(
        kind="task",
        key=task.area,
        title=task.title,
        owner=task.owner_role,
        start=task.start,
        end=task.end,
        effort_days=task.effort_days,
        notes=_("gap {gap} maturity levels", gap=fig.level(task.gap)),
    )


def _milestone_item(milestone: Milestone) -> PlanItem:
    return PlanItem(
        kind="milestone",
        key=milestone.key,
        title=milestone.title,
        owner=milestone.owner_role,
        start=milestone.date,
        end=milestone.date,
        effort_days=0,
        notes="",
    )


def _audit_item(batch: AuditBatch) -> PlanItem:
    """An audit batch is a milestone on its planned day; its reserve window is in the notes."""
    return PlanItem(
        kind="audit",
        key=batch.key,
        title=batch.title,
        owner=_("SMS manager"),
        start=batch.planned_date,
        end=batch.planned_date,
        effort_days=0,
        notes=audit_notes(batch),
        deadline=batch.window_end,
    )


def audit_notes(batch: AuditBatch) -> str:
    """What a person needs to know about an audit batch: its days, and whether it is booked
    or still has a reserve window (and a booking deadline). Each case is a whole sentence."""
    on_site, audit_days = batch.on_site_days, fig.number(batch.audit_days)
    if batch.booked:
        return _(
            "booked: date confirmed by the certification body; "
            "{on_site} days on site ({audit_days} audit days)",
            on_site=on_site,
            audit_days=audit_days,
        )
    if batch.booking_deadline:
        return _(
            "{on_site} days on site ({audit_days} audit days); reserve window for the "
            "certification body until {window_end}; book with the certification body by "
            "{deadline}",
            on_site=on_site,
            audit_days=audit_days,
            window_end=fig.date(batch.window_end),
            deadline=fig.date(batch.booking_deadline),
        )
    return _(
        "{on_site} days on site ({audit_days} audit days); reserve window for the "
        "certification body until {window_end}",
        on_site=on_site,
        audit_days=audit_days,
        window_end=fig.date(batch.window_end),
    )
