"""Rate tables per currency: one YAML file per version, validated when loaded.

The default money amounts of the cost estimate depend on the currency (DESIGN.md: facts that
change by country are data with their sources). Each table holds every amount of
`profile.MONEY_RATES` with its source, or labelled an estimate with its reasoning. A
currency without a table has no defaults: `resolve` leaves its rates unknown, and the
estimate names them instead of guessing.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iso20k_core.language import _, active
from iso20k_core.profile import MAX_AMOUNT, MONEY_RATES, Assumptions, Profile
from iso20k_core.standard.shipped import shipped_versions

RATES_PACKAGE = "iso20k_core.standard"
RATES_PREFIX = "rates-"
# The version of the tables that first holds a rate; older versions stay loadable without it
# (the file's own rule: a change is a new version, the old one is kept), and a profile on
# them is asked for the rate like a currency without a table.
RATE_SINCE: dict[str, str] = {
    "application_fee": "2026.2",
    "registration_fee": "2026.2",
    "travel_expenses_per_audit_day": "2026.2",
}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def rates_of_version(version: str) -> tuple[str, ...]:
    """The money rates a table of `version` must hold."""
    key = _version_key(version)
    return tuple(name for name in MONEY_RATES if _version_key(RATE_SINCE.get(name, "0")) <= key)


class RatesError(ValueError):
    """The rate tables are missing or do not follow the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Rate(_Strict):
    """One default amount: its value and where it comes from."""

    value: float = Field(gt=0, le=MAX_AMOUNT)
    source: str | None = Field(default=None, min_length=10)
    estimate: str | None = Field(default=None, min_length=10)

    @model_validator(mode="after")
    def _one_basis(self) -> Rate:
        if (self.source is None) == (self.estimate is None):
            raise ValueError("give either a source or an estimate with its reasoning")
        return self

    @property
    def basis(self) -> str:
        """The source, as published, or `estimate: <reasoning>` in the reader's language,
        translated when read (the reasoning is in the catalog: `catalog.extract_rates`)."""
        if self.source is not None:
            return self.source
        assert self.estimate is not None  # _one_basis: one of the two
        return _("estimate: {reasoning}", reasoning=active().gettext(self.estimate))


class RateTables(_Strict):
    version: str
    title: str
    currencies: dict[str, dict[str, Rate]]

    @model_validator(mode="after")
    def _complete(self) -> RateTables:
        for code, table in self.currencies.items():
            if len(code) != 3 or not code.isalpha() or not code.isupper():
                raise ValueError(f"{code!r} is not an ISO 4217 currency code")
            for name in rates_of_version(self.version):
                if name not in table:
                    raise ValueError(f"{code}.{name}: missing")
            for name in table:
                if name not in MONEY_RATES:
                    raise ValueError(f"{code}.{name}: not a money rate of the assumptions")
        return self

    def table(self, currency: str) -> dict[str, Rate] | None:
        return self.currencies.get(currency)


def available_versions() -> tuple[str, ...]:
    """Rate table versions shipped with the package, oldest first."""
    return shipped_versions(RATES_PACKAGE, RATES_PREFIX)


def load_rates(version: str | None = None) -> RateTables:
    """Load and validate a version of the rate tables (the newest when none is named)."""
    versions = available_versions()
    if not versions:
        raise RatesError("no rate tables are installed")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise RatesError(f"unknown rate tables {chosen!r}; available: {', '.join(versions)}")
    return _load(chosen)


@functools.cache
def _load(version: str) -> RateTables:
    name = f"{RATES_PREFIX}{version}.yaml"
    return parse_rates(resources.files(RATES_PACKAGE).joinpath(name).read_text("utf-8"), version)


def parse_rates(text: str, version: str) -> RateTables:
    """Rate tables from YAML text; a `RatesError` names the first field at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RatesError(f"rates {version}: not valid YAML: {exc}") from exc
    try:
        return RateTables.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        where = ".".join(str(p) for p in first["loc"])
        raise RatesError(f"rates {version}: {where + ': ' if where else ''}{message}") from exc


def resolve(profile: Profile, tables: RateTables | None = None) -> Assumptions:
    """The profile's assumptions with every money rate it leaves unset taken from its
    currency's table; without a table those rates stay None (unknown)."""
    table = (tables or load_rates()).table(profile.currency) or {}
    a = profile.assumptions
    filled = {
        name: table[name].value
        for name in MONEY_RATES
        if getattr(a, name) is None and name in table
    }
    return a.model_copy(update=filled) if filled else a


def unknown_rates(assumptions: Assumptions) -> tuple[str, ...]:
    """The money rates without a value, in the order of MONEY_RATES."""
    return tuple(name for name in MONEY_RATES if getattr(assumptions, name) is None)
