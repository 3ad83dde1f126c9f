from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SlackWorld, start_world, stop_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SlackWorld]:
    w = start_world(tmp_path)
    try:
        yield w
        w.check_all()  # every payload of every test is held to Slack's limits
    finally:
        stop_world(w)
