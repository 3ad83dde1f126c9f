"""The dialog tests' organisation (tests/dialogs/conftest.py), for rendering its replies."""

from tests.dialogs.conftest import organisation, session

__all__ = ["organisation", "session"]
