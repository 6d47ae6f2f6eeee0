"""The single exception of the plan parser."""

from __future__ import annotations


class PlanParseError(Exception):
    """The input cannot be read as a plan of measures.

    ``str(error)`` (also ``error.message``) is a complete Russian sentence meant to be
    shown to the user as is. ``error.code`` is a stable machine-readable reason:

    ``empty``          the document holds no text at all;
    ``corrupt``        the file is damaged or is not what its format claims;
    ``wrong_format``   the content is another supported format (an .xlsx renamed to .docx…);
    ``unsupported``    a format we do not read (.doc, .xls, PDF, RTF, images…);
    ``no_table``       a .docx without any table;
    ``no_header``      no header row (№ / Мероприятие / Срок / Ответственные) was found;
    ``no_items``       a header was found, but no single measure under it;
    ``internal``       an unexpected failure inside the parser (a bug; the cause is chained).
    """

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
