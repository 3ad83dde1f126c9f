"""What benchmarks/load.py checks afterwards: every acknowledged answer in the database
exactly once, and every seeded reminder sent exactly once.

Answers: a page a person submitted is a `SavedPage`; after the load `check_answers` reads
`answer` and `answer_revision` and holds them against the pages. A question answered by
several people has one row in `answer` and one revision per change; a person giving the
answer that is already current records no revision (bot/store/crud.py `record_answer`), so
such an answer counts as found when some revision before set that value.

Reminders: `seed_reminders` writes assignment nudges into organisations of their own (no
one answers there, so no re-planning cancels them); `check_reminders` compares the outbox
with the chat.postMessage calls the fake Slack received.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.reminders.policy import ReminderPolicy
from bot.store.db import make_engine
from bot.store.models import Answer, AnswerRevision, Member, Organisation, Reminder
from tests.slackfake.server import FakeSlack


@dataclass
class SavedPage:
    """One submitted assessment page: the answers it must leave in the database."""

    team: str
    user: str
    answers: dict[str, Any]  # question id -> the value as the store keeps it
    acknowledged: bool = False


def same(stored: Any, entered: Any) -> bool:
    """Whether a value from the database is the one a person entered (numbers are entered
    as text and stored as numbers)."""
    if isinstance(stored, int | float) and not isinstance(stored, bool):
        try:
            return float(stored) == float(entered)
        except (TypeError, ValueError):
            return False
    return str(stored) == str(entered)


# -- the reminders --------------------------------------------------------------------------


def seed_reminders(url: str, count: int, seconds: float) -> list[str]:
    """`count` assignment nudges due at even intervals over the next `seconds`, in
    organisations of their own (ten each), each to a user of its own; their targets."""
    if count == 0:
        return []
    now = dt.datetime.now(dt.UTC)
    policy = ReminderPolicy(work_start=dt.time(0, 0), work_end=dt.time(23, 59))
    organisations = (count + 9) // 10
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(Organisation),
                [
                    {
                        "platform": "slack",
                        "external_id": f"T{o:02d}R",
                        "name": f"Reminded {o}",
                        "timezone": "UTC",
                        "currency": "EUR",
                        "reminder_policy": policy.model_dump(mode="json"),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for o in range(1, organisations + 1)
                ],
            )
            ids = list(
                connection.execute(
                    select(Organisation.id)
                    .where(col(Organisation.external_id).like("T%R"))
                    .order_by(col(Organisation.id))
                ).scalars()
            )
            targets = [f"UREM{n:04d}" for n in range(count)]
            due = [
                now + dt.timedelta(seconds=(n + 1) * seconds / (count + 1)) for n in range(count)
            ]
            payload = {"section": "resolution", "title": "Resolution and fulfilment", "due": ""}
            connection.execute(
                insert(Reminder),
                [
                    {
                        "organisation_id": ids[n % len(ids)],
                        "kind": "assignment_nudge",
                        "target": target,
                        "subject": "resolution",
                        "due_at": due[n],
                        "dedupe_key": f"assignment_nudge:resolution:0:{target}",
                        "state": "pending",
                        "attempts": 0,
                        "payload": payload | {"due": due[n].date().isoformat()},
                    }
                    for n, target in enumerate(targets)
                ],
            )
    finally:
        engine.dispose()
    return targets


@dataclass
class RemindersChecked:
    seeded: int
    sent: int  # rows marked sent
    delivered: int  # targets that got at least one message
    duplicates: int  # messages beyond the first per target
    states: Counter[str]

    @property
    def exactly_once(self) -> bool:
        return self.sent == self.delivered == self.seeded and self.duplicates == 0


def wait_for_reminders(url: str, targets: list[str], limit: float) -> Counter[str]:
    """The outbox states of the seeded reminders once none is pending or claimed (or at
    `limit`, time.monotonic)."""
    engine = make_engine(url)
    try:
        while True:
            with Session(engine) as session:
                states = Counter(
                    session.exec(
                        select(Reminder.state).where(col(Reminder.target).in_(targets))
                    ).all()
                )
            if not states["pending"] + states["claimed"] or time.monotonic() > limit:
                return states
            time.sleep(0.2)
    finally:
        engine.dispose()


def check_reminders(slack: FakeSlack, targets: list[str], states: Counter[str]) -> RemindersChecked:
    posts = Counter(
        str(c.args.get("channel"))
        for c in slack.calls_to("chat.postMessage")
        if c.refusal is None and not c.failed and str(c.args.get("channel")) in set(targets)
    )
    return RemindersChecked(
        seeded=len(targets),
        sent=states["sent"],
        delivered=len(posts),
        duplicates=sum(n - 1 for n in posts.values()),
        states=states,
    )


# -- exactly once ---------------------------------------------------------------------------


@dataclass
class AnswersChecked:
    acknowledged: int  # answers in acknowledged pages
    questions: int  # (workspace, question) pairs acknowledged
    in_answer_table: int  # of those, with exactly one row in `answer`
    own_revision: int  # acknowledged answers recorded as a revision by their person
    already_current: int  # acknowledged answers equal to the value then current: no revision
    lost: int
    duplicates: int  # revisions beyond one per acknowledged submission of a person
    unexplained: int  # revisions by a person that none of their submissions accounts for
    broken_chains: int  # questions whose revisions do not form one chain
    revisions: int

    @property
    def exactly_once(self) -> bool:
        return (
            self.in_answer_table == self.questions
            and self.lost == self.duplicates == self.unexplained == self.broken_chains == 0
        )


def check_answers(url: str, pages: list[SavedPage]) -> AnswersChecked:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            members = {
                m.id: m.platform_user_id for m in session.exec(select(Member)) if m.id is not None
            }
            teams = {
                o.id: o.external_id for o in session.exec(select(Organisation)) if o.id is not None
            }
            current: dict[tuple[str, str], list[Any]] = defaultdict(list)
            for a in session.exec(select(Answer)):
                current[(teams[a.organisation_id], a.question_id)].append(a.value)
            chains: dict[tuple[str, str], list[AnswerRevision]] = defaultdict(list)
            for r in session.exec(select(AnswerRevision).order_by(col(AnswerRevision.id))):
                chains[(teams[r.organisation_id], r.question_id)].append(r)
    finally:
        engine.dispose()
    submitted: dict[tuple[str, str, str], list[Any]] = defaultdict(list)  # by person
    unacknowledged: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for page in pages:
        for question, value in page.answers.items():
            into = submitted if page.acknowledged else unacknowledged
            into[(page.team, page.user, question)].append(value)
    questions = {(team, q) for team, _, q in submitted}
    own: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    broken = 0
    for (team, question), chain in chains.items():
        previous = None
        for revision in chain:
            if revision.old_value != previous:
                broken += 1
                break
            previous = revision.new_value
            own[(team, members.get(revision.changed_by or -1, ""), question)].append(
                revision.new_value
            )
        else:
            if current.get((team, question)) != [previous]:
                broken += 1
    found = already = lost = duplicates = unexplained = 0
    for key, values in submitted.items():
        recorded = list(own.get(key, []))
        for value in values:
            match = next((i for i, v in enumerate(recorded) if same(v, value)), None)
            if match is not None:
                recorded.pop(match)
                found += 1
            elif any(same(r.new_value, value) for r in chains.get((key[0], key[2]), [])):
                already += 1  # someone had given the same answer just before: no new revision
            else:
                lost += 1
        for value in recorded:  # revisions by this person beyond their acknowledged answers
            if any(same(value, v) for v in values):
                duplicates += 1
            elif not any(same(value, v) for v in unacknowledged.get(key, [])):
                unexplained += 1
    for key, values in own.items():  # revisions by someone who never had this acknowledged
        if key not in submitted:
            tried = unacknowledged.get(key, [])
            unexplained += sum(1 for v in values if not any(same(v, u) for u in tried))
    return AnswersChecked(
        acknowledged=sum(len(v) for v in submitted.values()),
        questions=len(questions),
        in_answer_table=sum(1 for q in questions if len(current.get(q, [])) == 1),
        own_revision=found,
        already_current=already,
        lost=lost,
        duplicates=duplicates,
        unexplained=unexplained,
        broken_chains=broken,
        revisions=sum(len(c) for c in chains.values()),
    )
