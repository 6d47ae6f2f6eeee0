"""Browser fixtures live in tests/conftest.py (shared with app-level e2e tests)."""

from tests.conftest import CHROMIUM_ARGS, log_in

__all__ = ["CHROMIUM_ARGS", "log_in"]
