"""`audit.changes`: exactly the fields whose values differ, each with its old and new value."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.audit import changes

KEYS = st.sampled_from(["organisation", "sites", "currency", "start_date", "rates", "x"])
# The JSON values a trail's details hold; 1 and 1.0 and True compare equal, as they do in
# the stored JSON's Python form, and so are no change.
SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "EUR", "CNY"])
VALUES = SCALARS | st.lists(SCALARS, max_size=3)
RECORDS = st.dictionaries(KEYS, VALUES, max_size=6)


@settings(deadline=None)
@given(RECORDS, RECORDS)
def test_changes_lists_exactly_the_differing_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    changed = changes(before, after)
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old == new:
            assert key not in changed
        else:
            assert changed[key] == [old, new]
    assert set(changed) <= set(before) | set(after)
    assert list(changed) == sorted(changed)  # in one order, whatever the dicts' order


@settings(deadline=None)
@given(RECORDS)
def test_nothing_changed_is_no_change(record: dict[str, Any]) -> None:
    assert changes(record, dict(record)) == {}
    # A field added as None is no change either: absent and None read the same.
    assert changes(record, {**record, "x": None}) == (
        {} if record.get("x") is None else {"x": [record["x"], None]}
    )


@settings(deadline=None)
@given(RECORDS, RECORDS)
def test_the_changes_applied_to_before_give_after(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    applied = {**before, **{key: new for key, (_old, new) in changes(before, after).items()}}
    keys = set(before) | set(after)
    assert {k: applied.get(k) for k in keys} == {k: after.get(k) for k in keys}
