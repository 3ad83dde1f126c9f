"""In a mutation run (benchmarks/mutation.py sets ISO20K_MUTATION), every test starts with the
engine's caches empty.

mutmut forks each mutant's test run from a process that has already run the tests, so a
memoised result (the question bank, the lists of countries, currencies and timezones) would
be served from before the mutation, and the mutated code that builds it would never run: its
mutants would "survive" whatever the tests assert. Cleared per test, they are built again by
the code under test, and mutmut also learns every test that reaches that code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from iso20k_core import places
from iso20k_core.standard import bank

_CACHED = (places.countries, places.currencies, places.timezones, places.codes, bank._load)


@pytest.fixture(autouse=True)
def _fresh_engine_caches() -> Iterator[None]:
    if os.environ.get("ISO20K_MUTATION"):
        for cached in _CACHED:
            cached.cache_clear()
    yield
