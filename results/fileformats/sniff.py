"""What kind of file this is, judged by its bytes rather than its name, and refusals."""

from __future__ import annotations

import os
import zipfile
from typing import Literal

from guarded_archive import ArchiveRefused, GuardedZip, ZipLimits

from .schema import ResultsFileError

Container = Literal["xlsx", "ods", "xls", "xlsb", "text"]

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

EMPTY_FILE = "Файл пуст (0 байт). Выгрузите результаты ещё раз и загрузите файл заново."
CORRUPT_FILE = (
    "Файл повреждён: его не удалось прочитать как таблицу Excel. Откройте его в Excel, "
    "сохраните заново как «Книга Excel (.xlsx)» и загрузите снова."
)
ENCRYPTED_FILE = (
    "Файл защищён паролем. Снимите пароль (в Excel: Файл → Сведения → Защита книги → "
    "Зашифровать с использованием пароля — очистите поле), сохраните и загрузите снова."
)
MACRO_FILE = (
    "Файлы с макросами (.xlsm) не принимаются. Сохраните книгу как «Книга Excel (.xlsx)» "
    "без макросов и загрузите снова."
)
WORD_FILE = (
    "Это документ Word, а не таблица. Загрузите выгрузку «Индивидуальные результаты» "
    "из ФИС ОКО или форму сбора результатов в формате Excel (.xlsx) или CSV."
)
NOT_A_TABLE = (
    "Файл не является таблицей Excel или CSV. Загрузите выгрузку «Индивидуальные "
    "результаты» из ФИС ОКО или форму сбора результатов в формате .xlsx или .csv."
)

_TEXT_BYTES = bytes(range(32, 256)) + b"\t\r\n\x0c"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    # Allow a few odd control bytes but refuse binary junk.
    odd = len(head.translate(None, _TEXT_BYTES))
    return odd <= len(head) // 100


def _ole2_kind(path: str | os.PathLike[str]) -> Container:
    """Legacy .xls or an encrypted OOXML package (both are OLE2 compound files)."""
    with open(path, "rb") as f:
        data = f.read(4 * 1024 * 1024)
    # Directory entry names are UTF-16LE.
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        raise ResultsFileError(ENCRYPTED_FILE)
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise ResultsFileError(WORD_FILE)
    # Unknown compound file: most often a password-protected xlsx whose directory we
    # could not see in the first megabytes.
    raise ResultsFileError(ENCRYPTED_FILE)


def _zip_kind(path: str | os.PathLike[str], limits: ZipLimits | None = None) -> Container:
    try:
        # The central directory is checked (entries, sizes, ratios, DTDs) before any read.
        with GuardedZip(path, limits) as zf:
            names = set(zf.namelist())
            content_types = (
                zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
            mimetype = zf.read("mimetype") if "mimetype" in names else b""
    except ArchiveRefused as e:
        raise ResultsFileError(e.message_ru) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError):
        raise ResultsFileError(CORRUPT_FILE) from None
    except Exception:  # zlib.error, NotImplementedError (unknown compression) and the like
        raise ResultsFileError(CORRUPT_FILE) from None
    lowered = {n.lower() for n in names}
    if "word/document.xml" in lowered:
        raise ResultsFileError(WORD_FILE)
    if "xl/vbaproject.bin" in lowered or b"macroEnabled" in content_types:
        raise ResultsFileError(MACRO_FILE)
    if "xl/workbook.xml" in lowered:
        return "xlsx"
    if "xl/workbook.bin" in lowered:
        return "xlsb"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "content.xml" in lowered and b"opendocument" in mimetype:
        raise ResultsFileError(NOT_A_TABLE)
    raise ResultsFileError(NOT_A_TABLE if names else CORRUPT_FILE)


def sniff(path: str | os.PathLike[str], limits: ZipLimits | None = None) -> Container:
    """Classify the file by its first bytes; raise :class:`ResultsFileError` to refuse it.

    Refused: an empty file; a Word document (whatever its extension); a macro-enabled
    workbook; a password-protected (encrypted OOXML) file; a broken zip; binary data that is
    neither a workbook nor text; a zip bomb or an XML part with a DTD (``limits``, see
    :mod:`guarded_archive`).
    """
    size = os.path.getsize(path)
    if size == 0:
        raise ResultsFileError(EMPTY_FILE)
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if head.startswith(_ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path, limits)
    if head.startswith(_OLE2_MAGIC):
        return _ole2_kind(path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text, e.g. Excel's «Текст Юникод»
    if head.startswith((b"{\\rtf", b"%PDF")):
        raise ResultsFileError(NOT_A_TABLE)
    if head.lstrip().startswith(b"<"):
        # HTML or XML saved with an .xls name: not a table we read.
        raise ResultsFileError(NOT_A_TABLE)
    if _looks_like_text(head):
        if not head.strip(b" \t\r\n\xef\xbb\xbf;,"):
            raise ResultsFileError(EMPTY_FILE)
        return "text"
    raise ResultsFileError(NOT_A_TABLE)
