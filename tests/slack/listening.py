"""Calling a listener as a plain function, and the background work it started."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from bot.workers import Deps


def run_listener(deps: Deps, listener: Coroutine[Any, Any, None]) -> None:
    """Run the listener, then wait for the background task it started (its dialog)."""

    async def both() -> None:
        await listener
        await deps.background.drain(60.0)

    asyncio.run(both())
