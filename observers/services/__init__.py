"""Writes of the observers app, one module per subject:

registry (observers, ties, accounts, import) · schedule (VPR schedule) · assignments
(conflict rules, proposals) · acts (drafts, submission, photos, review) · notifications
(emails) · printing (the act as PDF).
"""


class ObserversError(Exception):
    """An expected refusal; `message_ru` is shown to the user as is."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


class ImportRefused(Exception):
    """A file was refused; nothing was saved. One Russian message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
