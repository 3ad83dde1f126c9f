"""A dialog worker process is warmed before it serves: the setup form's place lists are built
when the process starts, not inside the first save a person waits for (CI saw a first
setup save take longer than Slack's 3 s on a loaded machine while they were built)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.settings import Settings
from bot.store.db import make_engine
from bot.workers import make_worker
from iso20k_core.standard import load_bank
from tests import worker_jobs


def test_a_new_dialog_worker_process_has_built_the_place_lists(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warm.db'}"
    settings = Settings(database_url=url)
    engine = make_engine(url)
    worker = make_worker(settings, engine, load_bank(), processes=1)
    try:
        # The first call this process runs: nothing asked for the lists before it.
        assert asyncio.run(worker.call(worker_jobs.place_lists_built)) == [1, 1, 1]
    finally:
        worker.close()
        engine.dispose()
