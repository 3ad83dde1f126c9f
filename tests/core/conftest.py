"""In a mutation run (benchmarks/mutation.py sets ISO20K_MUTATION), the engine's caches start
empty.

mutmut forks each mutant's test run from a process that has already run the tests, so a
memoised result (the question bank, the lists of countries, currencies and timezones) would
be served from before the mutation, and the mutated code that builds it would never run: its
mutants would "survive" whatever the tests assert. Cleared when a mutant's run starts, they
are built again by the code under test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from iso20k_core import places
from iso20k_core.standard import bank

_CACHED = (places.countries, places.currencies, places.timezones, places.codes, bank._load)


def _mutating() -> bool:
    return bool(os.environ.get("ISO20K_MUTATION"))


@pytest.fixture(autouse=True, scope="session")
def _fresh_engine_caches() -> Iterator[None]:
    """Once per run: a mutant's tests build them again with the mutated code."""
    if _mutating():
        for cached in _CACHED:
            cached.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_engine_caches_while_mutmut_maps_the_tests() -> Iterator[None]:
    """Before every test while mutmut records which tests reach which function (its
    "stats" run): otherwise only the first test to build a cache would be recorded."""
    if _mutating() and os.environ.get("MUTANT_UNDER_TEST") == "stats":
        for cached in _CACHED:
            cached.cache_clear()
    yield
