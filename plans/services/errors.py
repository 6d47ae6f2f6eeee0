"""Errors of the plans services: each carries Russian sentences shown to users as is."""

from __future__ import annotations


class PlanError(Exception):
    """A refused change; nothing was saved. ``errors`` are complete Russian sentences."""

    def __init__(self, errors: list[str] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))

    @property
    def message_ru(self) -> str:
        return "\n".join(self.errors)


class PlanImportError(PlanError):
    """A plan document or its data could not be imported; nothing was saved."""
