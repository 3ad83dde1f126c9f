"""Jobs of a known length for the admission tests (tests/dialogs/test_admission.py); like
tests/faults.py, an importable module of its own (a worker process unpickles them by name)."""

from __future__ import annotations

import time
from typing import Any


def takes(state: Any, seconds: float) -> float:
    """Runs `seconds` at least (the call's known duration, not a wait for something)."""
    time.sleep(seconds)
    return seconds
