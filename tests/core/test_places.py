"""Finding country, currency and timezone codes from what people type (iso20k_core.places)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso20k_core import places
from iso20k_core.places import LookupFailed, resolve, suggest
from tests.core.helpers import examples


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        ("country", "China", "CN"),
        ("country", "中国", "CN"),
        ("country", "cn", "CN"),
        ("country", "ＣＮ", "CN"),  # full-width, from a Chinese keyboard
        ("country", "UK", "GB"),
        ("country", "Germany", "DE"),
        ("currency", "RMB", "CNY"),
        ("currency", "人民币", "CNY"),
        ("currency", "yuan", "CNY"),
        ("currency", "euro", "EUR"),
        ("currency", "€", "EUR"),
        ("currency", "jpy", "JPY"),
        ("timezone", "Beijing", "Asia/Shanghai"),
        ("timezone", "北京", "Asia/Shanghai"),
        ("timezone", "Shanghai", "Asia/Shanghai"),
        ("timezone", "asia/shanghai", "Asia/Shanghai"),
        ("timezone", "New York", "America/New_York"),
        ("timezone", "Japan", "Asia/Tokyo"),  # a country with one zone
        ("timezone", "US/Eastern", "America/New_York"),  # an old IANA link
        ("timezone", "PRC", "Asia/Shanghai"),
    ],
)
def test_names_people_type_resolve_to_codes(kind: places.Kind, typed: str, code: str) -> None:
    assert resolve(kind, typed) == code


def test_what_names_several_codes_asks_which() -> None:
    with pytest.raises(LookupFailed, match="could be CNY – Chinese Yuan or JPY – Japanese Yen"):
        resolve("currency", "¥")
    with pytest.raises(LookupFailed, match="Asia/Shanghai – China") as failed:
        resolve("timezone", "China")  # two zones: Shanghai and Urumqi
    assert {p.code for p in failed.value.suggestions} >= {"Asia/Shanghai", "Asia/Urumqi"}


def test_a_typo_comes_back_with_what_was_probably_meant() -> None:
    with pytest.raises(LookupFailed, match=r"'Chna' is not .*China \(CN\)"):
        resolve("country", "Chna")
    assert suggest("country", "Chin")[0].code == "CN"


@pytest.mark.parametrize("name", ["Factory", "localtime", "posixrules", "Etc/GMT+5", "Mars/Base"])
def test_technical_zone_names_are_not_places(name: str) -> None:
    with pytest.raises(LookupFailed):
        resolve("timezone", name)
    assert name not in places.codes("timezone")


def test_real_zones_are_real_and_junk_is_not() -> None:
    assert places.is_real_timezone("Asia/Shanghai")
    assert places.is_real_timezone("US/Eastern")  # a link, still a place
    for junk in ("Factory", "localtime", "posixrules", "posix/Asia/Shanghai", "right/UTC", ""):
        assert not places.is_real_timezone(junk)


def test_lists_fit_every_channel() -> None:
    # At most 100 options in a group: Slack's limit for a select's option group.
    for kind in ("country", "currency", "timezone"):
        listed = places.places(kind)
        groups: dict[str, int] = {}
        for place in listed:
            groups[place.group] = groups.get(place.group, 0) + 1
            assert len(place.label) <= 75
        assert max(groups.values()) <= 100 and len(groups) <= 100
        assert len({p.code for p in listed}) == len(listed)
    assert {"CN", "DE", "GB", "US", "JP"} <= places.codes("country")
    assert {"CNY", "EUR", "GBP", "USD", "JPY"} <= places.codes("currency")


@settings(max_examples=examples(100))
@given(st.text(max_size=40))
def test_any_text_resolves_to_a_listed_code_or_fails_clearly(typed: str) -> None:
    for kind in ("country", "currency", "timezone"):
        try:
            code = resolve(kind, typed)
        except LookupFailed as exc:
            assert str(exc)
        else:
            assert code in places.codes(kind)
