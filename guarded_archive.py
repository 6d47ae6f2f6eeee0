"""Guarded reading of zip containers (xlsx, docx, ods): zip bombs and XML attacks.

Every xlsx/docx/zip the portal opens goes through here *before* a parser sees it:

* :func:`inspect_zip` reads the zip's central directory only (nothing is inflated) and
  refuses too many entries, a total or per-entry uncompressed size over the limits, an
  entry whose compression ratio is bomb-like, nested archives where none belong, and an
  XML part whose prolog declares a DTD (``<!DOCTYPE``/``<!ENTITY``: billion laughs,
  external entities — OOXML never uses them).
* :func:`verify_inflated` inflates every entry once, streaming (flat memory), counting
  the bytes really produced: a forged central directory (small declared sizes, a huge real
  stream) is refused before a parser that unzips by itself (calamine, openpyxl,
  python-docx) gets the file.
* :class:`GuardedZip` (and :func:`capped`) wrap member streams so that the bytes actually
  inflated while reading can never exceed what was declared and checked.

Django-free, and a top-level module so that the Django-free parsers (``results.fileformats``,
``plans.parsing``) import it without the project package and its Celery app. Limits are a
:class:`ZipLimits`; :func:`limits_from_settings` builds them from Django settings.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import IO, Union

MiB = 1024 * 1024

ZipSource = Union[str, "os.PathLike[str]", bytes, bytearray, IO[bytes]]

BOMB = "Файл похож на архив-бомбу: "
_CHUNK = 1 * MiB
_PROLOG_BYTES = 64 * 1024
_NESTED_SUFFIXES = (
    ".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".docm", ".ods", ".odt", ".jar",
    ".7z", ".rar", ".gz", ".bz2", ".xz", ".tar",
)  # fmt: skip
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


class ArchiveRefused(ValueError):
    """The archive is refused before parsing; ``message_ru`` says why, for the user."""

    def __init__(self, message_ru: str, *, reason: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru
        self.reason = reason


@dataclass(frozen=True)
class ZipLimits:
    """What a zip container may hold. Sizes in bytes."""

    max_entries: int = 1000
    max_total_bytes: int = 2048 * MiB
    #: an entry inflating beyond ``ratio_min_bytes`` may not exceed this ratio
    max_ratio: float = 100.0
    ratio_min_bytes: int = 1 * MiB
    #: parts a parser reads whole into memory (shared strings, workbook, document.xml …)
    max_part_bytes: int = 256 * MiB
    #: entries that are archives themselves (Word charts embed an xlsx); never opened
    allow_nested: bool = False

    def with_total(self, max_total_bytes: int) -> ZipLimits:
        return replace(self, max_total_bytes=max_total_bytes)


@dataclass(frozen=True)
class ZipSummary:
    entries: int
    total_bytes: int
    compressed_bytes: int
    nested: tuple[str, ...] = ()


def _mb(n: int) -> str:
    if n < MiB:
        return f"{max(1, n // 1024)} КБ"
    return f"{n / MiB:,.0f} МБ".replace(",", " ")


def _open_zip(source: ZipSource) -> zipfile.ZipFile:
    if isinstance(source, bytes | bytearray):
        return zipfile.ZipFile(io.BytesIO(source))
    return zipfile.ZipFile(source)  # path or binary file object


def inspect_zip(source: ZipSource, limits: ZipLimits | None = None) -> ZipSummary:
    """Check the central directory (and XML prologs) against ``limits``; raise
    :class:`ArchiveRefused` for a bomb-like archive.

    Nothing is inflated except the first kilobytes of XML parts. A file that is not a zip
    raises :class:`zipfile.BadZipFile`: saying so in the caller's words is the caller's job.
    """
    limits = limits or ZipLimits()
    with _open_zip(source) as zf:
        infos = zf.infolist()
        summary = _check_directory(infos, limits)
        for info in infos:
            if info.filename.lower().endswith(_XML_SUFFIXES) and not info.is_dir():
                _check_prolog(zf, info)
    return summary


def _check_directory(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> ZipSummary:
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(
            f"{BOMB}в нём {len(infos)} частей (допустимо не больше {limits.max_entries}).",
            reason="entries",
        )
    total = compressed = 0
    nested = []
    for info in infos:
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > limits.max_total_bytes or total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"{BOMB}после распаковки он занял бы больше {_mb(limits.max_total_bytes)} "
                f"(часть «{_safe_name(info.filename)}» — {_mb(info.file_size)}).",
                reason="total",
            )
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise ArchiveRefused(
                f"{BOMB}часть «{_safe_name(info.filename)}» сжата в {ratio:,.0f} раз".replace(
                    ",", " "
                )
                + f" (допустимо не больше {limits.max_ratio:g}). Сохраните файл в Excel или "
                "Word заново и загрузите снова.",
                reason="ratio",
            )
        if info.filename.lower().endswith(_NESTED_SUFFIXES):
            if not limits.allow_nested:
                raise ArchiveRefused(
                    f"{BOMB}внутри него вложенный архив «{_safe_name(info.filename)}».",
                    reason="nested",
                )
            nested.append(info.filename)
    return ZipSummary(len(infos), total, compressed, tuple(nested))


def _safe_name(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable())[:80]


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a DTD in an XML part (entity expansion, external entities)."""
    try:
        with zf.open(info) as f:
            head = capped(f, _PROLOG_BYTES, info.filename).read(_PROLOG_BYTES)
    except ArchiveRefused:
        raise
    except Exception:
        return  # damaged member: the parser reports the file as corrupt
    if _DTD_RE.search(_prolog(head)):
        raise ArchiveRefused(
            f"Файл отклонён: часть «{_safe_name(info.filename)}» содержит объявление DTD "
            "(<!DOCTYPE>/<!ENTITY>), которого в документах Excel и Word не бывает — такие "
            "файлы используют для атак. Сохраните файл в Excel или Word заново.",
            reason="dtd",
        )


def _prolog(head: bytes) -> bytes:
    """The bytes before the root element (declaration, comments, a DTD if any)."""
    text = head.lstrip(b"\xef\xbb\xbf")
    # UTF-16 XML parts are rare; look at their bytes without the zero bytes.
    if text[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in text[:4] or b"<\x00" in text[:4]:
        text = text.replace(b"\x00", b"")
    i = 0
    while True:
        j = text.find(b"<", i)
        if j < 0:
            return b"<!DOCTYPE" if len(head) >= _PROLOG_BYTES else text  # no root in 64 KB
        if text.startswith(b"<!--", j):
            end = text.find(b"-->", j)
        elif text.startswith(b"<?", j):
            end = text.find(b"?>", j)
        elif text.startswith(b"<!", j):
            return text  # a DTD: the search finds it
        else:
            return text[:j]
        if end < 0:
            return b"<!DOCTYPE"  # a prolog longer than 64 KB is refused as well
        i = end + 2


def verify_inflated(source: ZipSource, limits: ZipLimits | None = None) -> ZipSummary:
    """:func:`inspect_zip`, then inflate every entry (streaming, ≈ 1 MB at a time) and refuse
    one that produces more bytes than its header declares or than the limits allow.

    Use before handing the file to a parser that unzips by itself (calamine, openpyxl,
    python-docx): a forged central directory cannot then smuggle a bomb past the check."""
    limits = limits or ZipLimits()
    summary = inspect_zip(source, limits)
    if isinstance(source, bytes | bytearray):
        handle: IO[bytes] = io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        handle = open(source, "rb")  # noqa: SIM115 - closed below
    else:
        handle = source
    try:
        with zipfile.ZipFile(handle) as zf:
            total = 0
            for info in zf.infolist():
                total += _inflated_size(handle, info, limits, total)
    finally:
        if handle is not source:
            handle.close()
        elif hasattr(handle, "seek"):
            handle.seek(0)
    return summary


def _inflated_size(handle: IO[bytes], info: zipfile.ZipInfo, limits: ZipLimits, done: int) -> int:
    """Bytes the entry really inflates to, reading its raw data (not trusting its sizes)."""
    if info.is_dir():
        return 0
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {info.filename!r}")
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    cap = min(info.file_size, limits.max_total_bytes - done)
    if info.compress_type == zipfile.ZIP_STORED:
        return _count(_raw_chunks(handle, info.compress_size), None, cap, info)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return _count(_raw_chunks(handle, info.compress_size), zlib.decompressobj(-15), cap, info)
    raise ArchiveRefused(
        f"Файл отклонён: часть «{_safe_name(info.filename)}» сжата необычным методом "
        f"({info.compress_type}). Сохраните файл в Excel или Word заново.",
        reason="method",
    )


def _raw_chunks(handle: IO[bytes], size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _count(
    chunks: Iterator[bytes], inflater: zlib._Decompress | None, cap: int, info: zipfile.ZipInfo
) -> int:
    produced = 0
    for chunk in chunks:
        if inflater is None:
            produced += len(chunk)
        else:
            produced += len(inflater.decompress(chunk, _CHUNK))
            while inflater.unconsumed_tail and produced <= cap:
                produced += len(inflater.decompress(inflater.unconsumed_tail, _CHUNK))
        if produced > cap:
            _lying(info, cap)
    if inflater is not None:
        produced += len(inflater.flush())
    if produced > cap:
        _lying(info, cap)
    return produced


def _lying(info: zipfile.ZipInfo, cap: int) -> None:
    raise ArchiveRefused(
        f"{BOMB}часть «{_safe_name(info.filename)}» распаковывается в больший объём, чем "
        f"указано в её заголовке ({_mb(cap)}).",
        reason="lying",
    )


class _Capped(io.RawIOBase):
    """A member stream that refuses to yield more than ``cap`` bytes."""

    def __init__(self, stream: IO[bytes], cap: int, name: str) -> None:
        self._stream = stream
        self._cap = cap
        self._name = name
        self.produced = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # Never ask the member for more than one byte past the cap.
        room = self._cap - self.produced + 1
        want = room if size is None or size < 0 else min(size, room)
        data = self._stream.read(want)
        self.produced += len(data)
        if self.produced > self._cap:
            raise ArchiveRefused(
                f"{BOMB}часть «{_safe_name(self._name)}» распаковывается больше чем в "
                f"{_mb(self._cap)}.",
                reason="inflated",
            )
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        self._stream.close()
        super().close()


def capped(stream: IO[bytes], cap: int, name: str = "") -> IO[bytes]:
    """``stream`` that raises :class:`ArchiveRefused` past ``cap`` bytes read."""
    return _Capped(stream, cap, name)  # type: ignore[return-value]


class GuardedZip(zipfile.ZipFile):
    """A :class:`zipfile.ZipFile` checked by :func:`inspect_zip` on opening, whose member
    reads are capped by the declared size (and ``max_part_bytes`` for whole reads)."""

    def __init__(self, source: ZipSource, limits: ZipLimits | None = None) -> None:
        self.limits = limits or ZipLimits()
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        super().__init__(source)
        try:
            _check_directory(self.infolist(), self.limits)
            for info in self.infolist():
                if info.filename.lower().endswith(_XML_SUFFIXES) and not info.is_dir():
                    _check_prolog(self, info)
        except BaseException:
            self.close()
            raise

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # type: ignore[override]
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return capped(stream, min(info.file_size, self.limits.max_total_bytes), info.filename)

    def read(self, name, pwd=None) -> bytes:  # type: ignore[override]
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size > self.limits.max_part_bytes:
            raise ArchiveRefused(
                f"Файл слишком велик: часть «{_safe_name(info.filename)}» занимает "
                f"{_mb(info.file_size)} после распаковки (допустимо "
                f"{_mb(self.limits.max_part_bytes)}).",
                reason="part",
            )
        with self.open(info, pwd=pwd) as f:
            return f.read()


def limits_from_settings(kind: str = "results") -> ZipLimits:
    """Limits from Django settings (``UPLOADS_ZIP_*``); ``kind`` "fallback" caps the total
    for whole-sheet readers (calamine, openpyxl) of results files, "tables" for the small
    tables (registry, observers, schedule, official list), "plans" for plan documents."""
    from django.conf import settings

    limits = ZipLimits(
        max_entries=settings.UPLOADS_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.UPLOADS_ZIP_MAX_UNCOMPRESSED_MB * MiB,
        max_ratio=settings.UPLOADS_ZIP_MAX_RATIO,
        max_part_bytes=settings.UPLOADS_ZIP_MAX_PART_MB * MiB,
    )
    if kind == "tables":
        tables_total = settings.UPLOADS_ZIP_TABLE_MAX_UNCOMPRESSED_MB * MiB
        return replace(limits, max_total_bytes=tables_total, max_part_bytes=tables_total)
    if kind == "fallback":
        return limits.with_total(settings.UPLOADS_ZIP_FALLBACK_MAX_UNCOMPRESSED_MB * MiB)
    if kind == "plans":
        plans_total = settings.PLANS_IMPORT_MAX_UNCOMPRESSED_MB * MiB
        return replace(
            limits, max_total_bytes=plans_total, max_part_bytes=plans_total, allow_nested=True
        )
    return limits
