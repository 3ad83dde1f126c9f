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


def _synthetic(count: int, group: str) -> list[places.Place]:
    # A0..A9, B0..B9, ...: the initial is the code's letter.
    return [places.Place(f"{chr(65 + i // 10)}{i % 10}", f"x{i}", group, ()) for i in range(count)]


def test_groups_over_100_are_split_into_alphabetical_parts() -> None:
    # 250 places: ceil(250 / 100) = 3 parts of ceil(250 / 3) = 84: A0-I3, I4-Q7, Q8-Y9.
    split = places._grouped(_synthetic(250, ""), lambda p: p.code[:1])
    sizes: dict[str, int] = {}
    for place in split:
        sizes[place.group] = sizes.get(place.group, 0) + 1
    assert sizes == {"A–I": 84, "I–Q": 84, "Q–Y": 82}
    assert [p.code for p in split] == [p.code for p in _synthetic(250, "")]  # order kept
    named = places._grouped(_synthetic(101, "America"), lambda p: p.code[:1])
    assert {p.group for p in named} == {"America A–F", "America F–K"}  # A0-F0 and F1-K0
    kept = places._grouped(_synthetic(100, "Asia") + _synthetic(3, "Europe"), lambda p: "?")
    assert [p.group for p in kept] == ["Asia"] * 100 + ["Europe"] * 3


def test_names_sort_without_their_accents() -> None:
    assert places._alphabetical("Åland Islands") == "aland islands"
    assert places._alphabetical("Curaçao") == "curacao"
    labels = [p.label for p in places.places("country")]
    assert labels.index("Åland Islands (AX)") < labels.index("Albania (AL)")


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        (
            "country",
            "united",
            "'united' is not a country with a holiday calendar; did you mean United Arab "
            "Emirates (AE) or United Kingdom (GB) or United States (US)?",
        ),
        (
            "timezone",
            "york",
            "'york' is not a timezone; did you mean America/New_York – United States?",
        ),
        ("currency", "Dolar", "'Dolar' is not a currency"),
    ],
)
def test_what_names_nothing_is_answered_with_the_likely_codes(
    kind: places.Kind, typed: str, message: str
) -> None:
    with pytest.raises(LookupFailed) as failed:
        resolve(kind, typed)
    assert str(failed.value) == message


def test_suggestions_rank_aliases_and_exact_names_first() -> None:
    assert suggest("currency", "dollar")[0].code == "USD"  # the everyday name, first
    assert [p.code for p in suggest("timezone", "york")] == ["America/New_York"]
    assert [p.code for p in suggest("country", "united")] == ["AE", "GB", "US"]
    assert suggest("country", "   ") == ()
    assert len(suggest("currency", "dollar")) == 5  # at most five by default
    assert len(suggest("currency", "dollar", limit=2)) == 2


def test_a_country_with_one_zone_names_it_and_one_with_two_asks() -> None:
    assert resolve("timezone", "India") == "Asia/Kolkata"
    with pytest.raises(LookupFailed) as failed:
        resolve("timezone", "Germany")  # Berlin and Busingen
    assert str(failed.value) == (
        "'Germany' is not a timezone; did you mean Europe/Berlin – Germany or Europe/Busingen – "
        "Germany?"
    )
    assert [p.code for p in failed.value.suggestions] == ["Europe/Berlin", "Europe/Busingen"]


def test_suggestions_exact_first_then_by_label() -> None:
    # "India" names Asia/Kolkata's country exactly (first); the rest start with it.
    assert [p.code for p in suggest("timezone", "India")] == [
        "Asia/Kolkata",
        "America/Indiana/Indianapolis",
        "Indian/Antananarivo",
        "Indian/Chagos",
        "Indian/Christmas",
    ]
    assert [p.code for p in suggest("country", "Austr")] == ["AU", "AT"]
    with pytest.raises(LookupFailed) as failed:
        resolve("country", "Germny")  # a close match is suggested, not taken
    assert str(failed.value) == (
        "'Germny' is not a country with a holiday calendar; did you mean Germany (DE)?"
    )
    with pytest.raises(LookupFailed) as failed:
        resolve("currency", "¥")
    assert [p.code for p in failed.value.suggestions] == ["CNY", "JPY"]
