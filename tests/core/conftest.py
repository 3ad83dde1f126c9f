"""In a mutation run (benchmarks/mutation.py sets ISO20K_MUTATION), the engine's caches start
empty, and the engine's run leaves the rendering tests to the report's run.

mutmut forks each mutant's test run from a process that has already run the tests, so a
memoised result (the question bank, the lists of countries, currencies and timezones) would
be served from before the mutation, and the mutated code that builds it would never run: its
mutants would "survive" whatever the tests assert. Cleared when a mutant's run starts, they
are built again by the code under test.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Iterator

import pytest

import iso20k_core


def _caches() -> list[Callable[[], None]]:
    """Every `functools.cache` of the engine and of the tests, found rather than listed: a
    cache would hide its code from every mutant (the calendar's holidays, the report's Jinja2
    environments, the places, the question bank, and the tests' own evaluated examples and
    rendered files, built once per session; the charts and reports kept per evaluation,
    report/memo.py, which tests/core/test_render_cache.py checks are found here)."""
    engine = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(iso20k_core.__path__, "iso20k_core.")
    ]
    tests = [m for name, m in list(sys.modules.items()) if name.startswith("tests.")]
    found = []
    for module in engine + tests:
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == module.__name__:
                found.append(clear)
    return found


def _mutating() -> bool:
    return bool(os.environ.get("ISO20K_MUTATION"))


@pytest.fixture(autouse=True, scope="session")
def _fresh_caches() -> Iterator[None]:
    """Once per run: a mutant's tests build them again with the mutated code."""
    if _mutating():
        for clear in _caches():
            clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_caches_while_mutmut_maps_the_tests() -> Iterator[None]:
    """Before every test while mutmut records which tests reach which function (its
    "stats" run): otherwise only the first test to build a cache would be recorded."""
    if _mutating() and os.environ.get("MUTANT_UNDER_TEST") == "stats":
        for clear in _caches():
            clear()
    yield


# Rendering (HTML, charts, the exports) takes most of the suite's time, and each surviving
# mutant runs every test that reaches its code: in a mutation run of the engine these are
# left to the renderers' own run (ISO20K_MUTATION=report). The engine's figures are still
# read in text and Markdown.
RENDERING_FILES = (
    "tests/core/test_report.py",
    "tests/core/test_charts.py",
    "tests/core/test_exports.py",
    "tests/core/test_mspdi.py",
    "tests/core/test_workbook_layout.py",
    "tests/core/test_render.py",
    "tests/core/test_report_facts.py",
    "tests/core/test_render_cache.py",
    "tests/core/test_workbook_rows.py",
)
RENDERING_WORDS = ("html", "gantt", "chart", "export", "workbook")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ISO20K_MUTATION") != "engine":
        return
    kept, left = [], []
    for item in items:
        rendering = item.nodeid.startswith(RENDERING_FILES) or any(
            word in item.name for word in RENDERING_WORDS
        )
        (left if rendering else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
