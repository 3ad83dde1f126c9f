"""The plan's length against what is published for ISO/IEC 20000 programmes.

bitlionai.com, "ISO 20000 Implementation Roadmap: A Phased 12-Month Program": "ISO 20000
implementation done right is a 12-18 month organizational program, not a documentation
sprint"; organisations that compress it "into 3-4 months consistently produce SMS
infrastructure that is documented but not genuinely operational"
(bitlionai.com/framework/iso-20000-service-management-systems/iso-20000-implementation-roadmap-a-phased-12-month-program).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iso20k_core.evaluate import evaluate
from iso20k_core.plan import MIN_TRIAL_DAYS
from iso20k_core.profile import Profile
from tests.core.helpers import TODAY

EXAMPLES = Path(__file__).parents[2] / "examples"
DAYS_PER_MONTH = 365.25 / 12


def _months(example: str, **changes: object) -> float:
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    profile = Profile.model_validate({**data["profile"], **changes})
    plan = evaluate(profile, data["answers"], TODAY).plan
    return (plan.certification_date - plan.start).days / DAYS_PER_MONTH


@pytest.mark.parametrize("persons", [10, 20, 30, 40])
def test_a_small_low_maturity_organisation_with_two_people_certifies_in_12_to_18_months(
    persons: int,
) -> None:
    # The small department's answers (maturity mostly 0-2) with two full-time people on the
    # project: from 13.2 months at 10 persons to 17.1 at 40 (process work grows with size);
    # at 50 persons the plan reaches the range's end, 18.0 months.
    months = _months(
        "small-it-department", persons_in_scope=persons, it_staff=25, staff_available_fte=2
    )
    assert 12 <= months <= 18, months


def test_fewer_people_take_longer_and_the_plan_says_how_long() -> None:
    # With its own 1.5 people the example runs 18.4 months: past the published range, and the
    # verdict (not yet feasible) and the staffing risk say why; the plan does not squeeze the
    # work to fit a range.
    assert _months("small-it-department") > _months("small-it-department", staff_available_fte=2)


def test_a_mature_organisation_is_never_planned_faster_than_the_audits_allow() -> None:
    # The itil-service-provider example (readiness 99 %): no compression below the trial
    # operation's three months (CNCA rules 3.1.2(6)) plus the certification stage; about 9.
    months = _months("itil-service-provider")
    assert MIN_TRIAL_DAYS / 21.75 < months < 12, months
