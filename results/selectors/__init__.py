"""Scoped reads of the results app.

``catalog`` is reference data for every signed-in user; ``uploads`` and ``reports`` go
through :mod:`schools.roles`, so a coordinator reaches only their school and staff
only their territory (404 otherwise, never 403).
"""

from results.selectors.catalog import catalog
from results.selectors.uploads import (
    current_versions_for_user,
    get_upload_for_user,
    results_for_user,
    uploads_for_user,
)

__all__ = [
    "catalog",
    "current_versions_for_user",
    "get_upload_for_user",
    "results_for_user",
    "uploads_for_user",
]
