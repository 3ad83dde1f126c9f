"""Audit time: the table, its adjustments up and down, the range, the team (audit.py).

Sources cited by the rules: ISO/IEC 20000-6:2017 9.1.4.2 (reductions at most 30 % of the
table, quoted in EA FAQ 48.4, September 2024), IAF MD 1:2018 6.1.3.3 (a sample of √x of the
other sites, quoted in EA FAQ 42.6 and 46.5) and 7.3 (a sampled site at most 50 % off, EA FAQ
38.2), IAF MD 5:2019 Annex B (surveillance a third, recertification two thirds).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core.audit import (
    MAX_REDUCTION_PERCENT,
    audit_days,
    auditors_for,
    on_site_days,
    round_up_half,
    sampled_sites,
)
from iso20k_core.profile import Profile
from iso20k_core.results import AuditDays
from tests.core.helpers import examples, profile
from tests.core.strategies import profiles

# --- examples, worked by hand ---------------------------------------------------------------


def test_the_reference_organisation_gets_no_adjustment() -> None:
    # 60 persons, 1 site, 8 services, normal complexity, nothing outsourced, no certification:
    # the table's 5 days, as before adjustments existed.
    days = audit_days(profile())
    assert days.adjustments == ()
    assert (days.table_days, days.initial, days.stage1, days.stage2) == (5, 5, 1.5, 3.5)
    assert (days.increase_percent, days.reduction_percent, days.site_days) == (0, 0, 0)


def test_the_consultants_case_forty_sites_and_four_hundred_services() -> None:
    # Issue 11: 40 sites and 400 services gave the same days as 2 sites and 18 services.
    # 40 sites: 39 beyond the central one, √39 = 6.24 -> 7 sampled, 0.75 days each (half the
    # 1.5-day smallest band) = 5.25 days. 400 services: 392 beyond 8, 40 steps of 10 -> 200 %,
    # capped at 30 %. 5 x 1.3 + 5.25 = 11.75 -> 12 days.
    big = audit_days(profile(sites=40, services_in_scope=400))
    assert big.sampled_sites == 7
    assert big.site_days == 5.25
    assert big.increase_percent == 30
    assert big.initial == 12.0
    # 2 sites: 1 sampled, 0.75 days; 18 services: 10 beyond 8, one step, 5 %.
    # 5 x 1.05 + 0.75 = 6.0 days.
    small = audit_days(profile(sites=2, services_in_scope=18))
    assert (small.site_days, small.increase_percent, small.initial) == (0.75, 5, 6.0)
    assert [a.key for a in big.adjustments] == ["sites", "services"]


def test_the_sample_of_sites_follows_iaf_md_1() -> None:
    # y = √x of the x sites beyond the central function, rounded up (IAF MD 1:2018 6.1.3.3);
    # EA FAQ 46.5's example: 2 other sites -> √2 = 1.41 -> both at initial certification.
    assert [sampled_sites(n) for n in (1, 2, 3, 5, 10, 17, 26, 27)] == [0, 1, 2, 2, 3, 4, 5, 6]


def test_complexity_outsourcing_and_certification_each_named() -> None:
    # 60 persons: 5 days. High complexity +10 %, 3 outsourced processes 3 x 5 = +15 %,
    # ISO/IEC 27001 certified -10 % (estimate). 5 x (1 + 0.25 - 0.10) = 5.75 -> 6.0.
    days = audit_days(
        profile(
            complexity="high", outsourced_processes=3, existing_certifications=["ISO/IEC 27001"]
        )
    )
    percent = {a.key: a.percent for a in days.adjustments}
    assert percent == {"complexity": 10, "outsourced": 15, "integration": -10}
    assert (days.increase_percent, days.reduction_percent, days.initial) == (25, 10, 6.0)
    assert all(a.reason for a in days.adjustments)
    # ISO/IEC 20000-1 itself is no other system to combine the audit with.
    assert audit_days(profile(existing_certifications=["ISO/IEC 20000-1"])).adjustments == ()
    # Outsourcing adds at most 20 %.
    many = audit_days(profile(outsourced_processes=30))
    assert many.increase_percent == 20


def test_reductions_together_are_capped_and_the_cap_is_listed() -> None:
    # 900 persons: 13 days. Low complexity -10 % and the profile's 25 % integration: 35 %,
    # capped at 30 % (ISO/IEC 20000-6:2017 9.1.4.2): 13 x 0.7 = 9.1 -> 9.5.
    days = audit_days(
        profile(
            persons_in_scope=900,
            complexity="low",
            assumptions={"integration_reduction_percent": 25},
        )
    )
    assert days.reduction_percent == 30
    assert days.initial == 9.5
    cap = days.adjustments[-1]
    assert (cap.key, cap.percent) == ("reduction_cap", 5)
    assert "9.1.4.2" in cap.reason


def test_the_profiles_integration_percent_replaces_the_certification_estimate() -> None:
    # 300 persons: 10 days; the body's 20 % rather than the 10 % estimate: 8.0 days.
    days = audit_days(
        profile(
            persons_in_scope=300,
            existing_certifications=["ISO 9001"],
            assumptions={"integration_reduction_percent": 20},
        )
    )
    assert [(a.key, a.percent) for a in days.adjustments] == [("integration", -20)]
    assert days.initial == 8.0


def test_the_default_table_gives_a_range_with_its_basis() -> None:
    # 60 persons, 5 days. Low: every reduction allowed, 5 x 0.7 = 3.5. High: a table twice
    # as high (ISO/IEC 27006-shaped, estimate): 10. Surveillance a third of each: 1.5 / 2 /
    # 3.5 (3.33 -> 3.5); recertification two thirds: 2.5 (2.33) / 3.5 (3.33) / 7 (6.67).
    days = audit_days(profile())
    r = days.initial_range
    assert (r.low, r.expected, r.high) == (3.5, 5.0, 10.0)
    s, c = days.surveillance_range, days.recertification_range
    assert (s.low, s.expected, s.high) == (1.5, 2.0, 3.5)
    assert (c.low, c.expected, c.high) == (2.5, 3.5, 7.0)
    assert "IAF MD 5" in days.range_basis and "27006" in days.range_basis
    assert "estimate" in days.range_basis


def test_the_profiles_own_table_is_a_point() -> None:
    table = ({"max_persons": 100, "days": 4}, {"max_persons": 1000, "days": 8})
    days = audit_days(profile(assumptions={"audit_days_table": table}))
    r = days.initial_range
    assert r.low == r.expected == r.high == 4.0
    assert "own audit-day table" in days.range_basis


def test_the_stage_split_and_team_are_carried() -> None:
    # 40 sites, 400 services: 12 days; stage 1 30 % = 3.6 -> 4.0, stage 2 8.0: two auditors
    # (8 / 5 = 1.6 -> 2) over 5 days on site; stage 1 one auditor, 4 days.
    days = audit_days(profile(sites=40, services_in_scope=400))
    assert (days.stage1, days.stage2) == (4.0, 8.0)
    assert (days.auditors, days.stage1_on_site, days.stage2_on_site) == (2, 4, 5)


# --- properties ------------------------------------------------------------------------------


def _with(p: Profile, **changes: Any) -> Profile:
    return Profile.model_validate({**p.model_dump(), **changes})


@settings(max_examples=examples(200), deadline=None)
@given(profiles(), st.integers(min_value=1, max_value=50))
def test_adding_a_site_never_lowers_audit_time(p: Profile, more: int) -> None:
    # IAF MD 1: a larger multi-site organisation samples at least as many sites.
    more = min(more, 10_000 - p.sites)
    before, after = audit_days(p), audit_days(_with(p, sites=p.sites + more))
    _never_lower(before, after)


@settings(max_examples=examples(200), deadline=None)
@given(profiles(), st.integers(min_value=1, max_value=500))
def test_adding_a_service_never_lowers_audit_time(p: Profile, more: int) -> None:
    # EA FAQ 48.4: factors may add time; more services are never a reduction.
    more = min(more, 10_000 - p.services_in_scope)
    before = audit_days(p)
    after = audit_days(_with(p, services_in_scope=p.services_in_scope + more))
    _never_lower(before, after)


@settings(max_examples=examples(200), deadline=None)
@given(profiles(), st.integers(min_value=1, max_value=100_000))
def test_more_persons_never_lower_audit_time(p: Profile, more: int) -> None:
    # ISO/IEC 20000-6:2017 9.1.4: audit time follows persons in scope; the table ascends.
    more = min(more, 1_000_000 - p.persons_in_scope)
    before = audit_days(p)
    after = audit_days(_with(p, persons_in_scope=p.persons_in_scope + more))
    _never_lower(before, after)


def _never_lower(before: AuditDays, after: AuditDays) -> None:
    assert after.initial >= before.initial
    assert after.stage1 >= before.stage1 and after.stage2 >= before.stage2
    assert after.surveillance >= before.surveillance
    assert after.recertification >= before.recertification
    assert after.initial_range.high >= before.initial_range.high
    assert after.stage2_on_site >= before.stage2_on_site
    assert after.auditors >= before.auditors


@settings(max_examples=examples(300), deadline=None)
@given(profiles())
def test_reductions_never_exceed_thirty_percent_of_the_table(p: Profile) -> None:
    # ISO/IEC 20000-6:2017 9.1.4.2: "the maximum reduction shall be 30% of the Table 1 audit
    # time" (quoted in EA FAQ 48.4): whatever adds up, the initial audit is never below it.
    days = audit_days(p)
    assert days.reduction_percent <= MAX_REDUCTION_PERCENT
    floor = round_up_half(days.table_days * (1 - MAX_REDUCTION_PERCENT / 100))
    assert days.initial >= floor
    assert days.initial_range.low >= floor
    r = days.initial_range
    assert r.low <= r.expected == days.initial <= r.high
    s = days.surveillance_range
    assert s.low <= s.expected == days.surveillance <= s.high


@settings(max_examples=examples(300), deadline=None)
@given(profiles())
def test_surveillance_about_a_third_and_recertification_two_thirds(p: Profile) -> None:
    # IAF MD 5:2019 Annex B: surveillance about 1/3 and recertification about 2/3 of the
    # initial audit time; half-day rounding and the floors move each by at most half a day.
    days = audit_days(p)
    assert abs(days.surveillance - days.initial / 3) <= 0.5
    assert abs(days.recertification - days.initial * 2 / 3) <= 0.5
    assert days.stage1 + days.stage2 == days.initial


@settings(max_examples=examples(500), deadline=None)
@given(
    st.floats(min_value=0.5, max_value=500, allow_nan=False),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_the_team_never_shrinks_and_days_on_site_never_fall(days: float, more: float) -> None:
    # One rule (audit.on_site_days, audit.auditors_for): no jump as audit days grow.
    more_days = round_up_half(days + more)
    days = round_up_half(days)
    assert on_site_days(more_days) >= on_site_days(days)
    assert auditors_for(more_days) >= auditors_for(days)
    # The team in its days on site covers the audit days.
    assert auditors_for(days) * on_site_days(days) >= days


# --- the profile's fields ---------------------------------------------------------------------


def test_the_new_profile_fields_are_validated_with_their_names() -> None:
    import pytest

    from iso20k_core.errors import InputError
    from iso20k_core.inputs import parse_profile

    base = profile().model_dump(mode="json")
    for field, bad, words in (
        ("complexity", "extreme", "'low', 'normal' or 'high'"),
        ("outsourced_processes", -1, "greater than or equal to 0"),
        ("outsourced_processes", 101, "less than or equal to 100"),
    ):
        with pytest.raises(InputError) as raised:
            parse_profile({**base, field: bad})
        assert raised.value.field == f"profile.{field}"
        assert words in raised.value.problem
    assert parse_profile({**base, "outsourced_processes": "3"}).outsourced_processes == 3
