"""Hostile files built inside the tests: zip bombs, lying zip headers, XML with a DTD.

Like the outside probe's bomb: an F1 header row and one pupil row repeated millions of
times *without* ``r=`` attributes (so the streaming scanner hands the sheet to calamine),
``sheet1.xml`` inflating to ≈ 1 GiB while the file is a few MB.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from tests.fileformats.builders import F1_HEADER, f1_row, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
GiB = 1024**3

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_TAIL = "</sheetData></worksheet>"


def _row(values: list[object]) -> str:
    cells = []
    for v in values:
        if isinstance(v, int):
            cells.append(f"<c><v>{v}</v></c>")
        else:
            cells.append(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
    return "<row>" + "".join(cells) + "</row>"


def _copy_parts(template: Path, zout: zipfile.ZipFile, skip: str) -> None:
    with zipfile.ZipFile(template) as zin:
        for info in zin.infolist():
            if info.filename != skip:
                zout.writestr(info.filename, zin.read(info), compress_type=zipfile.ZIP_DEFLATED)


def xlsx_bomb(path: Path, *, inflated: int = GiB + 70 * 1024**2) -> Path:
    """An xlsx whose sheet inflates to ``inflated`` bytes (≈ 1.07 GiB), a few MB on disk."""
    template = write_xlsx(path.with_suffix(".template.xlsx"), [["x"]])
    header = _row(list(F1_HEADER)).encode()
    pupil = _row(f1_row(10001, [2, 1, 1, 3])).encode()
    chunk = pupil * max(1, min(4 * 1024 * 1024, inflated // 8) // len(pupil))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        _copy_parts(template, zout, SHEET)
        with zout.open(SHEET, "w") as out:
            out.write(_HEAD.encode() + header)
            written = len(_HEAD) + len(header)
            while written < inflated:
                out.write(chunk)
                written += len(chunk)
            out.write(_TAIL.encode())
    template.unlink()
    return path


def lie_about_sizes(path: Path, member: str = SHEET, declared: int = 50_000) -> Path:
    """Rewrite ``member``'s headers (local and central) to declare ``declared`` bytes, with
    the CRC of its first ``declared`` bytes, so that size and ratio checks pass and only
    the bytes really inflated give it away."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(member)
        with zf.open(info) as f:
            crc = zlib.crc32(f.read(declared))
    # local file header: crc at +14, sizes at +18 (compressed), +22 (uncompressed)
    struct.pack_into("<L", data, info.header_offset + 14, crc)
    struct.pack_into("<L", data, info.header_offset + 22, declared)
    # central directory record of the member
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<L", data, at + 16, crc)
            struct.pack_into("<L", data, at + 24, declared)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def many_entries(path: Path, count: int = 5000) -> Path:
    template = write_xlsx(path.with_suffix(".template.xlsx"), [F1_HEADER, f1_row(1, [2, 1, 1, 3])])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        _copy_parts(template, zout, "")
        for i in range(count):
            zout.writestr(f"xl/media/x{i}.bin", b"")
    template.unlink()
    return path


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
)


def with_dtd(path: Path, source: Path, member: str, dtd: str, entity: str) -> Path:
    """``source`` with ``member``'s XML declaration replaced by ``dtd`` and ``&entity;``
    put into its first text node."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                text = data.decode("utf-8")
                if text.startswith("<?xml"):
                    text = text[text.index("?>") + 2 :].lstrip()
                text = text.replace("<t>", f"<t>&{entity};", 1).replace(
                    "<w:t>", f"<w:t>&{entity};", 1
                )
                data = (dtd + text).encode("utf-8")
            zout.writestr(info.filename, data)
    return path


def _docx_template(path: Path) -> Path:
    import docx as python_docx

    document = python_docx.Document()
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ["№", "Мероприятие", "Срок", "Ответственные"], strict=True
    ):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "Совещание", "март", "Отдел"], strict=True):
        cell.text = text
    document.save(path)
    return path


def docx_bomb(path: Path, *, inflated: int = 400 * 1024**2) -> Path:
    """A .docx plan whose document.xml inflates to ``inflated`` bytes (one row repeated)."""
    template = _docx_template(path.with_suffix(".template.docx"))
    with zipfile.ZipFile(template) as zin:
        xml = zin.read("word/document.xml").decode("utf-8")
    start = xml.index("<w:tr")
    end = xml.rindex("</w:tr>") + len("</w:tr>")
    row = xml[xml.index("<w:tr", start + 1) : end].encode()
    head, tail = xml[:end].encode(), xml[end:].encode()
    chunk = row * max(1, (4 * 1024 * 1024) // len(row))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        _copy_parts(template, zout, "word/document.xml")
        with zout.open("word/document.xml", "w") as out:
            out.write(head)
            written = len(head)
            while written < inflated:
                out.write(chunk)
                written += len(chunk)
            out.write(tail)
    template.unlink()
    return path


def xlsx_plan_bomb(path: Path, *, inflated: int = 400 * 1024**2) -> Path:
    """A plan .xlsx (№ / Мероприятие / Срок / Ответственные) whose sheet inflates hugely."""
    template = write_xlsx(path.with_suffix(".template.xlsx"), [["x"]])
    header = _row(["№", "Мероприятие", "Срок", "Ответственные"]).encode()
    row = _row(["1", "Совещание", "март", "Отдел"]).encode()
    chunk = row * max(1, (4 * 1024 * 1024) // len(row))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        _copy_parts(template, zout, SHEET)
        with zout.open(SHEET, "w") as out:
            out.write(_HEAD.encode() + header)
            written = len(_HEAD) + len(header)
            while written < inflated:
                out.write(chunk)
                written += len(chunk)
            out.write(_TAIL.encode())
    template.unlink()
    return path
