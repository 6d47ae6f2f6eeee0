"""The streaming scanner reads what other writers produce, and hands odd files to calamine."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from results.fileformats import read_results_file, xlsx_stream
from results.fileformats.synthetic import generate_f1, write_f1_xlsx

from .builders import F1_HEADER, f1_xlsx, good_f1_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_xlsx(path: Path, rows_xml: str, shared: list[str] = (), prefix: str = "") -> Path:
    """A minimal workbook around hand-written <sheetData> content."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>'
        f'<{p}dimension ref="A1"/><{p}sheetData>{rows_xml}</{p}sheetData></{p}worksheet>'
    )
    sst = "".join(f"<si><t>{s}</t></si>" for s in shared)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Hidden" sheetId="2" state="hidden" r:id="rId9"/>'
            '<sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="/xl/worksheets/s1.xml"/>'
            f'<Relationship Id="rId9" Type="{REL}/worksheet" Target="worksheets/none.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        zf.writestr("xl/worksheets/s1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{sst}</sst>')
    return path


def column(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_rows(
    rows: list[list[object]], *, p: str = "", style: bool = False, inline: bool = True
) -> str:
    out = []
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(values):
            ref = f"{column(c)}{r}"
            s_attr = ' s="3"' if style else ""
            if v is None:
                cells.append(f'<{p}c r="{ref}"{s_attr}/>')
            elif isinstance(v, (int, float)):
                cells.append(f'<{p}c r="{ref}"{s_attr}><{p}v>{v}</{p}v></{p}c>')
            elif inline:
                cells.append(
                    f'<{p}c r="{ref}"{s_attr} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{v}</{p}t></{p}is></{p}c>"
                )
            else:
                cells.append(
                    f'<{p}c r="{ref}"{s_attr} t="str"><{p}f>A1</{p}f><{p}v>{v}</{p}v></{p}c>'
                )
        out.append(f'<{p}row r="{r}" spans="1:{len(values)}">{"".join(cells)}</{p}row>')
    return "".join(out)


def read(path: Path, engine: str = "stream"):
    return read_results_file(path, filename=path.name, engine=engine)


def rows_f1() -> list[list[object]]:
    return [F1_HEADER, *good_f1_rows()]


@pytest.mark.parametrize(
    ("prefix", "style", "inline"),
    [
        ("", False, True),
        ("x", False, True),
        ("", True, True),
        ("", True, False),
        ("x", True, False),
    ],
)
def test_inline_strings_prefixes_styles_and_formula_text(tmp_path, prefix, style, inline):
    path = raw_xlsx(
        tmp_path / "w.xlsx",
        sheet_rows(rows_f1(), p=f"{prefix}:" if prefix else "", style=style, inline=inline),
        prefix=prefix,
    )
    stream, reference = read(path), read(path, "calamine")
    assert stream.ok, (stream.fatal, stream.errors)
    assert stream.scores.tolist() == reference.scores.tolist()
    assert stream.unanswered.tolist() == reference.unanswered.tolist()
    assert stream.participant_code.tolist() == reference.participant_code.tolist()
    assert stream.sheet_name == "Лист1"


def test_cells_with_odd_values(tmp_path):
    rows = rows_f1()[:2]
    data = (
        sheet_rows(rows)
        + '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="D3"><v>10002</v></c><c r="E3" t="s"><v>1</v></c>'
        '<c r="F3"><v>1</v></c><c r="G3"><v>1.0</v></c><c r="H3"><v>-1</v></c><c r="I3" t="b"><v>1</v></c>'
        '<c r="J3" t="e"><v>#N/A</v></c><c r="K3"><f>SUM(G3:J3)</f><v>2.5</v></c>'
        '<c r="L3"><v>1E0</v></c><c r="M3" t="s"><v>2</v></c></row>'
    )
    rf = read(raw_xlsx(tmp_path / "o.xlsx", data, shared=["edu501001", "4 &amp; А", " 4 "]))
    messages = [(e.column, e.message_ru) for e in rf.errors]
    assert ("2 (1б)", "Отрицательный балл -1") in messages
    assert rf.class_label.tolist() == ["4А", "4А"]
    assert rf.scores[1, 0] == 1
    assert (
        "3.1 (1б)",
        "«ИСТИНА» — не число: балл должен быть от 0 до 1, «X» или «-», если ответа нет",
    ) in messages
    assert (
        "4K1 (3б)",
        "«#N/A» — не число: балл должен быть от 0 до 3, «X» или «-», если ответа нет",
    ) in messages
    assert ("Первичный балл", "Первичный балл «2.5» — не целое число") in messages
    assert rf.mark.tolist()[1] == 0  # «1E0» = 1 is outside 2–5
    assert rf.journal_mark.tolist()[1] == 4


def test_wide_sheet_with_two_letter_columns(tmp_path):
    header = ["Лишний"] * 30 + F1_HEADER
    rows = [header, *[[None] * 30 + r for r in good_f1_rows()]]
    path = raw_xlsx(tmp_path / "wide.xlsx", sheet_rows(rows))
    assert read(path).scores.tolist() == read(path, "calamine").scores.tolist()


def test_cells_without_references_go_to_calamine(tmp_path):
    xml = sheet_rows(rows_f1()).replace(' r="A', ' x="A')
    path = raw_xlsx(tmp_path / "nor.xlsx", xml)
    with pytest.raises(xlsx_stream.StreamUnsupported):
        sheet = next(xlsx_stream.stream_sheets(path))
        sheet.top_rows(10)
    # In "auto" the reader falls back and still reads the file.
    rf = read(path, "auto")
    assert rf.ok
    assert rf.n_rows == 5


def test_many_small_pieces_read_the_same_as_one(tmp_path, monkeypatch):
    data = generate_f1(schools=3, rows=400, seed=11)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)
    whole = read(tmp_path / "f1.xlsx")
    monkeypatch.setattr(xlsx_stream, "_READ_SIZE", 1500)
    pieces = read(tmp_path / "f1.xlsx")
    assert pieces.ok and whole.ok
    for name in ("scores", "unanswered", "primary_score", "mark", "journal_mark", "source_row"):
        assert np.array_equal(getattr(pieces, name), getattr(whole, name)), name
    assert pieces.participant_code.tolist() == whole.participant_code.tolist()


def test_openpyxl_written_file_reads_the_same_in_every_engine(tmp_path):
    path = f1_xlsx(tmp_path / "f1.xlsx")
    results = [read(path, engine) for engine in ("stream", "calamine", "openpyxl")]
    for rf in results[1:]:
        assert rf.scores.tolist() == results[0].scores.tolist()
        assert rf.test_hint == results[0].test_hint
        assert rf.errors == results[0].errors


def test_shared_strings_with_rich_text_and_escapes():
    xml = (
        b'<sst xmlns="x"><si><t>edu501001</t></si><si><r><t>4</t></r><r><rPr/><t>\xd0\x90</t></r>'
        b"<rPh><t>skip</t></rPh></si><si><t>a&amp;b_x000D_c</t></si><si/></sst>"
    )
    assert xlsx_stream._shared_strings(xml) == ["edu501001", "4А", "a&b c", ""]


def test_long_numbers_take_the_slow_path(tmp_path):
    rows = rows_f1()[:2]
    rows[1][3] = 123456789012345  # a 15-digit participant code
    rf = read(raw_xlsx(tmp_path / "long.xlsx", sheet_rows(rows)))
    assert rf.participant_code.tolist() == ["123456789012345"]
    assert rf.ok


def test_background_threads_stop_when_the_reader_stops_early(tmp_path, monkeypatch):
    import threading

    data = generate_f1(rows=2000, seed=2)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)
    monkeypatch.setattr(xlsx_stream, "_READ_SIZE", 2000)
    before = threading.active_count()
    sheet = next(xlsx_stream.stream_sheets(tmp_path / "f1.xlsx"))
    blocks = sheet.blocks(9, 21)
    next(blocks)
    blocks.close()
    assert threading.active_count() == before


def test_errors_in_the_background_reach_the_reader(tmp_path, monkeypatch):
    data = generate_f1(rows=500, seed=2)
    write_f1_xlsx(tmp_path / "f1.xlsx", data)

    def broken(self, piece, n):
        raise xlsx_stream.StreamUnsupported("boom")

    monkeypatch.setattr(xlsx_stream.StreamSheet, "_scan", broken)
    with pytest.raises(xlsx_stream.StreamUnsupported):
        list(next(xlsx_stream.stream_sheets(tmp_path / "f1.xlsx")).blocks(9, 21))
    # The reader falls back to calamine and still reads the file.
    assert read(tmp_path / "f1.xlsx", "auto").n_rows == 500
