"""Countries, currencies and timezones: the codes the engine needs, found from what people type.

The engine works with codes (ISO 3166 `CN`, ISO 4217 `CNY`, IANA `Asia/Shanghai`); people
type names (`China`, `RMB`, `Beijing`), in English or in Chinese. This module knows the valid
codes and finds them from names, so every channel can offer a list to choose from and a
typed name either resolves or comes back with the codes that were probably meant.

The names come from CLDR through Babel (in English and Simplified Chinese); which countries
have a public-holiday calendar comes from the `holidays` package, as the plan needs; the
timezones offered are CLDR's zone of each territory, which excludes IANA's links and
technical names (`Factory`, `localtime`, `posixrules`, `Etc/GMT+5`). A few everyday names
that neither knows (`RMB`, `UK`, `Beijing`) are listed below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import math
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_symbol, get_territory_currencies

from iso20k_core.calendar import supported_countries
from iso20k_core.errors import any_of
from iso20k_core.language import N_, _, active

Kind = Literal["country", "currency", "timezone"]
NAME_LOCALES = ("en", "zh_Hans_CN")
# Currencies legal tender on this day count as current: a fixed date keeps the core free of
# the clock, and the list only changes when a currency is introduced or withdrawn.
CURRENCY_REFERENCE_DAY = dt.date(2026, 1, 1)
# IANA names that are not a place: links kept for old software, and the build's own files.
_NOT_A_PLACE = ("Factory", "localtime", "posixrules", "Etc/Unknown")
_NOT_A_PLACE_PREFIXES = ("posix/", "right/")

# Everyday names that CLDR does not carry as the name of the code.
COUNTRY_ALIASES = {
    "prc": "CN",
    "mainland china": "CN",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "usa": "US",
    "america": "US",
    "united states of america": "US",
    "holland": "NL",
    "korea": "KR",
    "south korea": "KR",
}
CURRENCY_ALIASES = {
    "rmb": "CNY",
    "renminbi": "CNY",
    "yuan": "CNY",
    "元": "CNY",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "£": "GBP",
    "yen": "JPY",
    "円": "JPY",
    "dollar": "USD",
    "us dollar": "USD",
    "$": "USD",
    "swiss franc": "CHF",
}
# Cities people name for their timezone that are not the city in its IANA name.
TIMEZONE_ALIASES = {
    "beijing": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "hangzhou": "Asia/Shanghai",
    "chengdu": "Asia/Shanghai",
    "wuhan": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "new delhi": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "munich": "Europe/Berlin",
    "münchen": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "osaka": "Asia/Tokyo",
    "东京": "Asia/Tokyo",
    "sydney": "Australia/Sydney",
    "utc": "UTC",
    "gmt": "UTC",
}


@dataclass(frozen=True)
class Place:
    """One code with its label and the names it is found by."""

    code: str
    label: str
    group: str  # where a long list shows it (a region or a letter range)
    names: tuple[str, ...]


class LookupFailed(ValueError):
    """Typed text that names no code, or several: the message says which were meant."""

    def __init__(self, message: str, suggestions: tuple[Place, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _alphabetical(text: str) -> str:
    """Sort Åland with the As: letters without their accents."""
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


GROUP_LIMIT = 100  # Slack shows at most 100 options in a group of a select


def _grouped(found: list[Place], initial: Callable[[Place], str]) -> tuple[Place, ...]:
    """Split any group of more than `GROUP_LIMIT` places into alphabetical parts ("A–F")."""
    by_group: dict[str, list[Place]] = {}
    for place in found:
        by_group.setdefault(place.group, []).append(place)
    result = []
    for group, members in by_group.items():
        parts = math.ceil(len(members) / GROUP_LIMIT)
        size = math.ceil(len(members) / parts)
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            name = group
            if parts > 1:
                letters = f"{initial(chunk[0])}–{initial(chunk[-1])}"
                name = f"{group} {letters}" if group else letters
            result += [dataclasses.replace(p, group=name) for p in chunk]
    return tuple(result)


@functools.cache
def countries() -> tuple[Place, ...]:
    """Countries with a public-holiday calendar, by English name."""
    names = {loc: Locale.parse(loc).territories for loc in NAME_LOCALES}
    places = []
    for code in sorted(c for c in supported_countries() if len(c) == 2 and c in names["en"]):
        english = names["en"][code]
        spoken = tuple(n[code] for n in names.values() if code in n)
        places.append(Place(code, f"{english} ({code})", "", spoken))
    places.sort(key=lambda p: _alphabetical(p.label))
    return _grouped(places, lambda p: _alphabetical(p.label)[:1].upper())


@functools.cache
def currencies() -> tuple[Place, ...]:
    """Currencies legal tender somewhere, by code."""
    codes: set[str] = set()
    for territory in map(str, Locale.parse("en").territories):
        codes.update(
            get_territory_currencies(territory, start_date=CURRENCY_REFERENCE_DAY, tender=True)
        )
    places = []
    for code in sorted(codes):
        spoken = tuple(get_currency_name(code, locale=loc) for loc in NAME_LOCALES)
        # Symbols as people write them at home: ¥ is the yuan in China and the yen in Japan.
        symbols = {get_currency_symbol(code, locale=loc) for loc in (*NAME_LOCALES, "ja")}
        names = (*spoken, *sorted(s for s in symbols if s != code))
        places.append(Place(code, f"{code} – {spoken[0]}", "", names))
    return _grouped(places, lambda p: p.code[:1])


@functools.cache
def timezones() -> tuple[Place, ...]:
    """One IANA zone per place CLDR knows, with its country, plus UTC; by zone name."""
    territory_of: dict[str, str] = {}
    for territory, zones in get_global("territory_zones").items():
        for zone in zones:
            territory_of.setdefault(zone, territory)
    english, chinese = (Locale.parse(loc).territories for loc in NAME_LOCALES)
    available = zoneinfo.available_timezones()
    places = [Place("UTC", "UTC", "UTC", ("UTC", "Coordinated Universal Time", "协调世界时"))]
    for zone in sorted(territory_of):
        # Etc/GMT+5 and EST5EDT are offsets, not places; a team lives in a place.
        if "/" not in zone or zone.startswith("Etc/") or zone not in available:
            continue
        territory = territory_of[zone]
        country = english.get(territory, "")
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        label = f"{zone} – {country}" if country else zone
        names = (city, country, chinese.get(territory, ""))
        places.append(Place(zone, label[:75], zone.split("/", 1)[0], names))
    return _grouped(places, lambda p: p.code.split("/", 1)[-1][:1])


def is_real_timezone(name: str) -> bool:
    """An IANA zone of a place (links such as `US/Eastern` too); not `Factory` and the like."""
    if name in _NOT_A_PLACE or name.startswith(_NOT_A_PLACE_PREFIXES):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


_LISTS = {"country": countries, "currency": currencies, "timezone": timezones}


def warm() -> None:
    """Build the lists now, when a worker starts, rather than in the first setup form a
    person waits for: the countries import every holiday calendar the package has, about
    0.13 s on an idle machine and over a second on a loaded one, which a modal's save
    spends of Slack's 3 s."""
    for make in _LISTS.values():
        make()


_ALIASES = {"country": COUNTRY_ALIASES, "currency": CURRENCY_ALIASES, "timezone": TIMEZONE_ALIASES}
# What a typed name failed to be, with and without the places it probably meant.
_NOT_FOUND = {
    "country": (
        N_("{typed} is not a country with a holiday calendar"),
        N_("{typed} is not a country with a holiday calendar; did you mean {likely}?"),
    ),
    "currency": (
        N_("{typed} is not a currency"),
        N_("{typed} is not a currency; did you mean {likely}?"),
    ),
    "timezone": (
        N_("{typed} is not a timezone"),
        N_("{typed} is not a timezone; did you mean {likely}?"),
    ),
}


def places(kind: Kind) -> tuple[Place, ...]:
    """The places of a kind, labelled in the reader's language (`Germany (DE)`,
    `德国 (DE)`); the order, the groups and the names they are found by are the same in
    every language."""
    return _labelled(kind, active().tag)


@functools.cache
def _labelled(kind: Kind, tag: str) -> tuple[Place, ...]:
    # Keyed by the language's tag: a label is text a person reads.
    return tuple(dataclasses.replace(p, label=label(kind, p.code)) for p in _LISTS[kind]())


def label(kind: Kind, code: str) -> str:
    """A code as a person reads it in the active language, with its CLDR name:
    `China (CN)`, `CNY – Chinese Yuan`, `Asia/Shanghai – China`; `中国 (CN)`,
    `CNY – 人民币`, `Asia/Shanghai – 中国`."""
    locale = active().locale
    if kind == "country":
        return f"{locale.territories.get(code, code)} ({code})"
    if kind == "currency":
        return f"{code} – {get_currency_name(code, locale=locale)}"
    territory = _territory_of().get(code)
    country = locale.territories.get(territory, "") if territory else ""
    return (f"{code} – {country}" if country else code)[:75]


@functools.cache
def _territory_of() -> dict[str, str]:
    found: dict[str, str] = {}
    for territory, zones in get_global("territory_zones").items():
        for zone in zones:
            found.setdefault(zone, territory)
    return found


@functools.cache
def codes(kind: Kind) -> frozenset[str]:
    return frozenset(p.code for p in places(kind))


def resolve(kind: Kind, text: str) -> str:
    """The code `text` names: the code itself, a name in English or Chinese, or an everyday
    name; else `LookupFailed` with the likely codes."""
    wanted = _key(text)
    found = _exact(kind, wanted, text.strip())
    if found is not None:
        return found
    matches = suggest(kind, text)
    if len(matches) == 1 and _key(matches[0].code) != wanted and _is_prefix(wanted, matches[0]):
        return matches[0].code  # "Shangh" -> Asia/Shanghai: one place only
    plain, likely = _NOT_FOUND[kind]
    typed = repr(text.strip())
    if matches:
        shown = any_of([label(kind, p.code) for p in matches[:3]])
        raise LookupFailed(_(likely, typed=typed, likely=shown), matches)
    raise LookupFailed(_(plain, typed=typed), matches)


def _exact(kind: Kind, wanted: str, typed: str) -> str | None:
    """The one code `wanted` names exactly; `LookupFailed` when it names several."""
    if not wanted:
        return None
    alias = _ALIASES[kind].get(wanted)
    if alias is not None:
        return alias
    if kind == "timezone":
        for name, target in get_global("zone_aliases").items():
            if _key(name) == wanted and target in codes("timezone"):
                return str(target)  # an old name: US/Eastern, Asia/Calcutta, PRC
    found = [p for p in places(kind) if wanted == _key(p.code)]
    found = found or [p for p in places(kind) if wanted in (_key(n) for n in _spoken(kind, p))]
    if len(found) > 1:
        choices = any_of([label(kind, p.code) for p in found[:3]])
        raise LookupFailed(
            _("{typed} could be {choices}: choose one.", typed=repr(typed), choices=choices),
            tuple(found),
        )
    if found:
        return found[0].code
    if kind == "timezone":  # a country with a single zone: "Japan" -> Asia/Tokyo
        country = _exact("country", wanted, typed)
        zones = [p for p in places("timezone") if country and _in_country(p, country)]
        if len(zones) == 1:
            return zones[0].code
    return None


def _spoken(kind: Kind, place: Place) -> tuple[str, ...]:
    # A timezone is named exactly by its city only: "United States" names eleven zones.
    return place.names[:1] if kind == "timezone" else place.names


def _in_country(place: Place, country: str) -> bool:
    return place.names[1:2] == (_name(country),)


def _name(country: str) -> str:
    return str(Locale.parse("en").territories.get(country, ""))


def _is_prefix(wanted: str, place: Place) -> bool:
    return any(_key(n).startswith(wanted) for n in (place.code, *place.names) if n)


def suggest(kind: Kind, text: str, limit: int = 5) -> tuple[Place, ...]:
    """Up to `limit` places whose code or names start with, contain or resemble `text`."""
    wanted = _key(text)
    if not wanted:
        return ()
    ranked: list[tuple[int, str, Place]] = []
    for place in places(kind):
        keys = [_key(k) for k in (place.code, *place.names) if k]
        if kind == "timezone":
            keys.append(_key(place.code.rsplit("/", 1)[-1].replace("_", " ")))
        rank = _rank(wanted, keys)
        if rank is not None:
            ranked.append((rank, _key(place.label), place))
    alias = _ALIASES[kind].get(wanted)
    if alias is not None:
        ranked += [(0, "", p) for p in places(kind) if p.code == alias]
    ranked.sort(key=lambda item: item[:2])
    return _unique(p for _, _, p in ranked)[:limit]


def _rank(wanted: str, keys: list[str]) -> int | None:
    if any(k == wanted for k in keys):
        return 0
    if any(k.startswith(wanted) for k in keys):
        return 1
    if len(wanted) >= 3 and any(wanted in k for k in keys):
        return 2
    if len(wanted) >= 4 and difflib.get_close_matches(wanted, keys, n=1, cutoff=0.75):
        return 3
    return None


def _unique(found: Iterable[Place]) -> tuple[Place, ...]:
    seen: dict[str, Place] = {}
    for place in found:
        seen.setdefault(place.code, place)
    return tuple(seen.values())
