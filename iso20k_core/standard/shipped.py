"""The versioned data files shipped beside the code (`bank-2018.1.yaml`, `rates-2026.1.yaml`):
which versions there are, listed once per process (listing a package's files took 0.6 ms,
and every cost estimate asks for the rate tables)."""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def shipped_versions(package: str, prefix: str) -> tuple[str, ...]:
    """The versions of `package`'s `<prefix><version>.yaml` files, oldest first."""
    names = [p.name for p in resources.files(package).iterdir()]
    return tuple(
        sorted(
            n[len(prefix) : -len(".yaml")]
            for n in names
            if n.startswith(prefix) and n.endswith(".yaml")
        )
    )
