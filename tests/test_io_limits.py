"""Resource limits of the readers: hostile or absurd files give a one-line error.

Every hostile file is built here, small. Each is read in a child process whose
address space is capped at 2 GiB (``resource.setrlimit(RLIMIT_AS)``), so a
regression cannot take the machine down: before the limits, a 2 KB workbook with
one cell at ``XFD1048576`` aborted Python itself (``memory allocation of
549755813888 bytes failed``, exit 134). The child reports the error's class and
message; the parent re-raises it inside ``pytest.raises`` to check both.

References for the layouts patched or written by hand:
- Excel's grid, 1,048,576 rows x 16,384 columns: Microsoft, "Excel specifications
  and limits" (Excel 2007 and later).
- SpreadsheetML cells and rows (``<c r="A1">``, ``<row r="1">``, ``<dimension>``):
  ECMA-376 Part 1, 18.3.1.4, 18.3.1.73, 18.3.1.35.
- ODS repeated rows and cells: OpenDocument 1.2 Part 1, 9.1.3 and 9.1.4
  (``table:number-rows-repeated``, ``table:number-columns-repeated``).
- SPSS system file header, ``ncases`` an int32 at byte 80: PSPP manual, "System
  File Format", File Header Record.
- Stata 118/119 ``<N>`` (8-byte observation count after the tag): Stata, "dta file
  format" (help dta).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import egovstudy.errors as errors
from egovstudy.errors import DataFormatError, ResourceLimitError
from egovstudy.io import read_raw
from egovstudy.io import workbook_limits as L
from egovstudy.io.limits import Limits, resolve_limits
from egovstudy.io.workbook_limits import check_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _survey_factory import label_frame, write_codebook

ROOT = Path(__file__).resolve().parents[1]

# ----------------------------------------------------------------------- helpers

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
       'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
       'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>')
_SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def write_xlsx(path: Path, sheets: dict[str, str]) -> Path:
    """A workbook written by hand: ``sheet name -> <sheetData> content``."""
    names = list(sheets)
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} {_RNS}><sheets>'
          + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, n in enumerate(names, 1)) + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                      'officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(sheets="".join(
            _SHEET_CT.format(i=i) for i in range(1, len(names) + 1))))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, n in enumerate(names, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                       f"<worksheet {_NS}><sheetData>{sheets[n]}</sheetData></worksheet>")
    return path


def text_row(r: int, values: list[str]) -> str:
    cols = [chr(65 + j) for j in range(len(values))]
    return (f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                                        for c, v in zip(cols, values)) + "</row>")


HEADER = text_row(1, ["NIP", "Q1"]) + text_row(2, ["1", "Setuju"])
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    sys.path.insert(0, sys.argv[1])
    calls = json.loads(sys.argv[2])
    out = []
    for kind, path, extra in calls:
        try:
            if kind == "read_raw":
                from egovstudy.io import read_raw
                shape = list(read_raw(path, **extra).frame.shape)
            elif kind == "load_survey":
                from egovstudy.survey import load_survey
                shape = list(load_survey(path, extra["codebook"]).data.shape)
            else:
                from egovstudy.codebook import read_codebook
                read_codebook(path)
                shape = []
            out.append({"shape": shape})
        except Exception as exc:
            out.append({"error": type(exc).__name__, "message": str(exc)})
    print(json.dumps(out))
""")


def run_capped(calls: list[tuple[str, Path, dict[str, Any]]],
               env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run reader calls in a child capped at 2 GiB; it must exit normally (not 134)."""
    payload = json.dumps([(k, str(p), e) for k, p, e in calls])
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("EGOVSTUDY_MAX")}
    child_env.update(env or {})
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), payload], env=child_env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def reraise(outcome: dict[str, Any]) -> None:
    """Raise the child's error as its egovstudy class (a non-project error stays generic)."""
    if "error" in outcome:
        cls = getattr(errors, outcome["error"], RuntimeError)
        raise cls(outcome["message"])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_refused(outcomes: list[dict[str, Any]], paths: Path | list[Path],
                  pattern: str) -> None:
    """Each outcome is a one-line ResourceLimitError naming its file, the limit and the fix."""
    names = [paths] * len(outcomes) if isinstance(paths, Path) else paths
    for out, path in zip(outcomes, names, strict=True):
        assert "\n" not in out.get("message", ""), out
        with pytest.raises(ResourceLimitError, match=pattern) as info:
            reraise(out)
        assert str(info.value).startswith(f"file {path}:") and "Fix:" in str(info.value)


# ------------------------------------------------------------- workbooks (XLSX, ODS)

def _far_by_hand(tmp: Path) -> tuple[Path, Path]:
    data = write_xlsx(tmp / "far.xlsx", {"Sheet1": HEADER + FAR})
    codebook = write_xlsx(tmp / "far_codebook.xlsx",
                          {"items": text_row(1, ["name", "column"]) + FAR})
    return data, codebook


def _far_openpyxl(tmp: Path) -> tuple[Path, Path]:
    import openpyxl

    paths = []
    for name, sheet in (("far_op.xlsx", "Sheet1"), ("far_op_codebook.xlsx", "items")):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        ws.append(["NIP", "Q1"])
        ws.append(["1", "Setuju"])
        ws["XFD1048576"] = 1
        wb.save(tmp / name)
        paths.append(tmp / name)
    return paths[0], paths[1]


@pytest.mark.parametrize("build", [_far_by_hand, _far_openpyxl], ids=["by_hand", "openpyxl"])
def test_cell_at_xfd1048576_is_refused_everywhere(tmp_path: Path, build: Any) -> None:
    data, codebook = build(tmp_path)
    assert data.stat().st_size < 10_000
    before = {p: sha(p) for p in (data, codebook)}
    cb_yaml = write_codebook(tmp_path)
    outcomes = run_capped([("read_raw", data, {}),
                           ("load_survey", data, {"codebook": str(cb_yaml)}),
                           ("read_codebook", codebook, {})])
    check_refused(outcomes, [data, data, codebook],
                  r"1,048,576 rows x 16,384 columns = 17,179,869,184 cells.*max_cells=50,000,000"
                  r".*EGOVSTUDY_MAX_CELLS")
    assert {p: sha(p) for p in before} == before  # the raw files are never written


def test_zip_bomb_member_ratio(tmp_path: Path) -> None:
    # 20 MB of blanks between two rows compress to ~20 KB (1000:1)
    path = write_xlsx(tmp_path / "bomb.xlsx", {"Sheet1": HEADER + " " * (20 << 20)})
    assert path.stat().st_size < 100_000
    check_refused(run_capped([("read_raw", path, {})]), path,
                  r"member 'xl/worksheets/sheet1\.xml' is compressed [\d,]+:1.*"
                  r"max_compression_ratio=100")


def test_total_uncompressed_size_lowered_by_environment(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{v}</v></c></row>'
                   for r, v in zip(range(3, 40_000), rng.integers(0, 10**9, 40_000)))
    path = write_xlsx(tmp_path / "big.xlsx", {"Sheet1": HEADER + rows})
    env = {"EGOVSTUDY_MAX_UNCOMPRESSED_MB": "1"}
    check_refused(run_capped([("read_raw", path, {})], env), path,
                  r"expands to [\d.]+ MB, above the limit max_uncompressed_mb=1\b.*"
                  r"EGOVSTUDY_MAX_UNCOMPRESSED_MB")
    # without the override the same file is read: 39,999 rows (header excluded)
    assert run_capped([("read_raw", path, {})]) == [{"shape": [39_998, 2]}]


def test_member_larger_than_its_declared_size(tmp_path: Path) -> None:
    # The scan reads a member up to its declared size (zipfile stops there); a member
    # whose data run past it (size and CRC patched to hide the far cell) is refused by
    # calamine's zip reader, so the scan and the reader see the same bytes.
    path = write_xlsx(tmp_path / "lying.xlsx", {"Sheet1": HEADER + FAR})
    data = bytearray(path.read_bytes())
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
        full = z.read(name)
    short = full[:full.index(b'<row r="1048576"')]
    crc = zlib.crc32(short)
    lh = info.header_offset  # local header: CRC at +14, uncompressed size at +22
    struct.pack_into("<I", data, lh + 14, crc)
    struct.pack_into("<I", data, lh + 22, len(short))
    cd = data.index(name.encode(), data.index(b"PK\x01\x02")) - 46  # central entry: +16, +24
    struct.pack_into("<I", data, cd + 16, crc)
    struct.pack_into("<I", data, cd + 24, len(short))
    path.write_bytes(bytes(data))
    check_workbook(path)  # the declared part is harmless
    with pytest.raises(DataFormatError, match=r"lying\.xlsx: cannot read as a workbook .*"
                       r"larger than its declared uncompressed size"):
        reraise(run_capped([("read_raw", path, {})])[0])


def test_hidden_sheets_are_found(tmp_path: Path) -> None:
    far = write_xlsx(tmp_path / "far.xlsx", {"Sheet1": HEADER + FAR})
    # data before the zip: readers find a zip from its end record
    prefixed = tmp_path / "prefixed.xlsx"
    prefixed.write_bytes(b"MZ" + bytes(4096) + far.read_bytes())
    # the sheet's name twice: the far copy first, a harmless one last
    twice = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(far) as z, zipfile.ZipFile(twice, "w") as out:
        for item in z.infolist():
            out.writestr(item, z.read(item))
        with pytest.warns(UserWarning, match="Duplicate name"):
            out.writestr("xl/worksheets/sheet1.xml", f"<worksheet {_NS}><sheetData>"
                         f"{HEADER}</sheetData></worksheet>")
    # a sheet outside xl/worksheets/, named by the workbook's relationship only
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(far) as z, zipfile.ZipFile(moved, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                item.filename = "data/cells.xml"
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"/data/cells.xml")
            out.writestr(item, data)
    for path in (prefixed, twice, moved):
        with pytest.raises(ResourceLimitError, match=rf"{path.name}: sheet '[\w/.]+' uses "
                           r"1,048,576 rows x 16,384 columns"):
            check_workbook(path)


def test_shared_string_count_beyond_the_file(tmp_path: Path) -> None:
    # calamine reserves 24 bytes per declared string before reading them: this 1 KB
    # part made it ask for 96 GB (measured: exit 134 under the cap)
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in (1, 2))
    path = write_xlsx(tmp_path / "sst.xlsx", {"Sheet1": cells})
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} '
                   'count="2" uniqueCount="4000000000"><si><t>x</t></si></sst>')
    check_refused(run_capped([("read_raw", path, {})]), path,
                  r"member 'xl/sharedStrings\.xml' declares 4,000,000,000 shared strings, more "
                  r"than its \d+ bytes can hold")


def test_grid_counted_to_the_last_used_cell(tmp_path: Path) -> None:
    # last cell AB7: 7 rows x 28 columns (A..Z = 26, AA = 27, AB = 28)
    path = write_xlsx(tmp_path / "ab7.xlsx",
                      {"Sheet1": HEADER + '<row r="7"><c r="AB7"><v>1</v></c></row>'})
    with pytest.raises(ResourceLimitError, match=r"7 rows x 28 columns = 196 cells.*"
                       r"max_cells=100"):
        check_workbook(path, {"max_cells": 100})
    check_workbook(path, {"max_cells": 196})


def test_sparse_grid_from_a_stray_cell(tmp_path: Path) -> None:
    # 5 cells written, one at XFD1221: a grid of 1,221 x 16,384 = 20,004,864 cells,
    # under max_cells but 4 million times sparser than the data (measured before the
    # limit: read_raw took 1.4 GB and 35 s on this 1.5 KB file)
    path = write_xlsx(tmp_path / "stray.xlsx", {"Sheet1": HEADER + '<row r="1221">'
                                                '<c r="XFD1221"><v>1</v></c></row>'})
    with pytest.raises(ResourceLimitError, match=r"stray\.xlsx: .* = 20,004,864 cells for 5 "
                       r"cells written, a grid 4,000,973 times sparser than the limit "
                       r"max_sparsity=1000 allows\. Fix: delete the stray cells"):
        check_workbook(path)
    check_workbook(path, {"max_sparsity": 10**7})


def test_cells_without_references_are_placed_by_position(tmp_path: Path) -> None:
    # ECMA-376 lets r be omitted: cells then follow one another; rows likewise
    rows = "<row>" + "<c><v>1</v></c>" * 3 + "</row>"
    path = write_xlsx(tmp_path / "norefs.xlsx", {"Sheet1": rows * 3000})
    with pytest.raises(ResourceLimitError, match=r"3,000 rows x 3 columns = 9,000 cells"):
        check_workbook(path, {"max_cells": 1000})
    assert read_raw(path, limits={"max_cells": 9000}).frame.shape == (2999, 3)
    far = write_xlsx(tmp_path / "wide_norefs.xlsx",
                     {"Sheet1": '<row r="1048576">' + "<c><v>1</v></c>" * 16_385 + "</row>"})
    with pytest.raises(ResourceLimitError, match=r"16,385 columns, beyond the spreadsheet grid"):
        check_workbook(far)


@pytest.mark.parametrize("cell", [
    """<c foo=' r="A1"' r="XFD1048576"><v>1</v></c>""",  # an r= inside another attribute
    '<c r="A1" s="0"\nr="XFD1048576"><v>1</v></c>',  # a second r (not well-formed)
    '<x:c xmlns:x="urn:x" r="XFD1048576"><v>1</v></x:c>',  # a namespace prefix
    '<c r="XFD1048576" ><v>1</v></c><!-- <c r="A1"> -->',  # a comment
])
def test_unusual_cell_markup_goes_to_the_exact_parser(tmp_path: Path, cell: str) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", {"Sheet1": HEADER + f'<row r="3">{cell}</row>'})
    with pytest.raises(DataFormatError, match=r"odd\.xlsx.*(16,384 columns|not well-formed)"):
        check_workbook(path)


def test_styled_empty_cells_fill_nothing(tmp_path: Path) -> None:
    # calamine skips a self-closing cell (a styled empty cell): it does not extend the grid
    styled = write_xlsx(tmp_path / "styled.xlsx", {"Sheet1": HEADER + '<row r="1048576">'
                                                   '<c r="XFD1048576" s="0"/></row>'})
    assert run_capped([("read_raw", styled, {})]) == [{"shape": [1, 2]}]
    # ... but a "/>" inside a quoted value does not make a cell empty
    for cell in ('<c r="XFD1048576" t="n" x="/>"><v>1</v></c>',
                 "<c r=\"XFD1048576\" x='/>'><v>1</v></c>"):
        tricky = write_xlsx(tmp_path / "tricky.xlsx",
                            {"Sheet1": HEADER + f'<row r="1048576">{cell}</row>'})
        with pytest.raises(ResourceLimitError, match=r"tricky\.xlsx: .*16,384 columns"):
            check_workbook(tricky)


def test_dtd_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dtd.xlsx"
    write_xlsx(path, {"Sheet1": HEADER})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "x">]><worksheet', 1)
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    with pytest.raises(DataFormatError, match=r"dtd\.xlsx: sheet 'xl/worksheets/sheet1\.xml' "
                       r"declares a DTD"):
        check_workbook(path)


def test_workbooks_of_common_writers_take_the_fast_path(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def exact(*_a: Any) -> tuple[int, int]:
        raise AssertionError("the exact parser was used")

    monkeypatch.setattr(L, "_xml_extent_exact", exact)
    # Excel's extension list (conditional formats) has prefixed elements, not cells
    ext = ('<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"><x14:conditionalFormattings>'
           '<x14:conditionalFormatting><x14:cfRule type="cellIs" id="{1}"><xm:f>1</xm:f>'
           "</x14:cfRule></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>")
    check_workbook(write_xlsx(tmp_path / "x14.xlsx", {"Sheet1": HEADER + ext}))
    frame = label_frame()
    rows, cols = frame.shape[0] + 1, frame.shape[1]  # the header row counts
    for engine in ("openpyxl", "xlsxwriter"):
        try:
            path = tmp_path / f"{engine}.xlsx"
            frame.to_excel(path, index=False, engine=engine)
        except ImportError:
            continue
        check_workbook(path, {"max_cells": rows * cols})
        with pytest.raises(ResourceLimitError, match=rf"{rows} rows x {cols} columns = "
                           rf"{rows * cols} cells"):
            check_workbook(path, {"max_cells": rows * cols - 1})


def _ods(path: Path, body: str) -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
               '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:'
               'names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:'
               'opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               '<office:spreadsheet><table:table table:name="Sheet1">' + body
               + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return path


ODS_CELL = ('<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
            "</table:table-cell>")


def test_ods_repeated_cells(tmp_path: Path) -> None:
    # 20,000 rows x 1,000 columns from one repeated cell: calamine fills them all
    # (measured: aborts the process under a 2 GiB cap before the limits)
    bomb = _ods(tmp_path / "bomb.ods",
                '<table:table-row table:number-rows-repeated="20000"><table:table-cell '
                'table:number-columns-repeated="1000" office:value-type="float" '
                'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    check_refused(run_capped([("read_raw", bomb, {})], {"EGOVSTUDY_MAX_CELLS": "10000000"}),
                  bomb, r"20,000 rows x 1,000 columns = 20,000,000 cells.*max_cells=10,000,000")
    # LibreOffice pads sheets with empty repeated rows and cells: they fill nothing
    padded = _ods(tmp_path / "padded.ods",
                  '<table:table-row>' + ODS_CELL * 2 + '<table:table-cell table:number-columns-'
                  'repeated="1022"/></table:table-row><table:table-row>' + ODS_CELL * 2
                  + '</table:table-row><table:table-row table:number-rows-repeated="1048574">'
                  '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    check_workbook(padded, {"max_cells": 4})
    with pytest.raises(ResourceLimitError, match=r"2 rows x 2 columns = 4 cells"):
        check_workbook(padded, {"max_cells": 3})


def test_too_many_zip_members(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "many.xlsx", {"Sheet1": HEADER})
    with zipfile.ZipFile(path, "a") as z:
        for i in range(30):
            z.writestr(f"xl/media/x{i}.bin", b"")
    with pytest.raises(ResourceLimitError, match=r"many\.xlsx: holds 3\d zip members, above "
                       r"the limit max_zip_members=20"):
        check_workbook(path, {"max_zip_members": 20})


def test_xlsb_records_and_legacy_xls_size(tmp_path: Path) -> None:
    # MS-XLSB 2.1.4: record = type (1-2 byte varint), size (1-4 byte varint), body;
    # BrtRowHdr (0) starts with the row index, BrtCellReal (5) with the column index
    def rec(rtype: int, body: bytes) -> bytes:
        return bytes([rtype, len(body)]) + body

    sheet = (rec(0, (0).to_bytes(4, "little") + bytes(13))
             + rec(5, (1).to_bytes(4, "little") + bytes(12))
             + rec(0, (1_048_575).to_bytes(4, "little") + bytes(13))
             + rec(5, (16_383).to_bytes(4, "little") + bytes(12)))
    path = tmp_path / "far.xlsb"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.bin", sheet)
    with pytest.raises(ResourceLimitError, match=r"far\.xlsb: sheet 'xl/worksheets/sheet1\.bin' "
                       r"uses 1,048,576 rows x 16,384 columns"):
        check_workbook(path)
    xls = tmp_path / "fake.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(2 << 20))  # OLE magic, 2 MB
    with pytest.raises(ResourceLimitError, match=r"fake\.xls: is 2\.0 MB, above the limit "
                       r"max_file_mb=1\b"):
        read_raw(xls, limits={"max_file_mb": 1})


def _xls(path: Path, far: bool = False) -> Path:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    for j, head in enumerate(["NIP", "Q1"]):
        ws.write(0, j, head)
        ws.write(1, j, "1" if j == 0 else "Setuju")
    if far:
        ws.write(65_535, 255, 1)  # the last cell of BIFF8's grid
    wb.save(str(path))
    return path


def test_xls_dimensions_and_last_cell(tmp_path: Path) -> None:
    # [MS-XLS] 2.4.90 DIMENSIONS (0x0200, 14 bytes): rwMic, rwMac (4 bytes each),
    # colMic, colMac (2 bytes each); calamine sizes the sheet from it: a patched
    # record made it ask for 11 PB and abort Python (measured)
    path = _xls(tmp_path / "dim.xls")
    data = bytearray(path.read_bytes())
    at = data.index(b"\x00\x02\x0e\x00") + 4
    assert struct.unpack_from("<IIH", data, at)[1:] == (2, 0)
    struct.pack_into("<I", data, at + 4, 0xFFFFFFFF)
    struct.pack_into("<H", data, at + 10, 0xFFFF)
    path.write_bytes(bytes(data))
    check_refused(run_capped([("read_raw", path, {})]), path,
                  r"uses 4,294,967,295 rows x 65,535 columns, beyond the spreadsheet grid of "
                  r"65,536 x 256")
    far = _xls(tmp_path / "far.xls", far=True)
    with pytest.raises(ResourceLimitError, match=r"far\.xls: sheet 'Workbook' uses 65,536 rows "
                       r"x 256 columns = 16,777,216 cells.*max_cells=1,000,000"):
        read_raw(far, limits={"max_cells": 1_000_000})
    assert read_raw(_xls(tmp_path / "ok.xls")).frame.shape == (1, 2)


# ----------------------------------------------------------------------------- CSV

def _wide_csv(path: Path, n_extra: int) -> Path:
    """The Google Forms export plus ``n_extra`` columns ``X000000000000``.. of 0-4."""
    lines = label_frame().to_csv(index=False).splitlines()
    extra_head = "".join(f",X{j:012d}" for j in range(n_extra))
    extra_row = "".join(f",{j % 5}" for j in range(n_extra))
    text = "\n".join([lines[0] + extra_head] + [ln + extra_row for ln in lines[1:]]) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_header_of_68_kb_is_read_whole(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "wide.csv", 5000)
    with open(path, "rb") as fh:
        header = fh.readline()
    assert 68_000 < len(header) < 80_000  # the size the reviewer found refused
    before = sha(path)
    raw = read_raw(path)
    assert raw.frame.shape == (6, 8 + 5000)
    assert list(raw.frame.columns[:3]) == ["Timestamp", "NIP", "Nama OPD"]
    assert raw.frame.columns[-1] == "X000000004999"
    assert raw.frame["X000000004999"].astype(int).tolist() == [4] * 6
    survey = run_capped([("load_survey", path, {"codebook": str(write_codebook(tmp_path))})])
    assert survey[0]["shape"][0] == 6, survey
    assert sha(path) == before


def test_csv_header_with_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "nl.csv"
    long = "x" * 70_000
    path.write_text(f'"Q1\nline two",{long},c\n1,2,3\n', encoding="utf-8")
    raw = read_raw(path)
    assert list(raw.frame.columns) == ["Q1\nline two", long, "c"]
    assert raw.frame.iloc[0].tolist() == ["1", "2", "3"]


@pytest.mark.parametrize("end", ["\r", "\r\n"])
def test_csv_header_with_other_line_ends(tmp_path: Path, end: str) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(f"a;b{end}1;2{end}3;4{end}".encode())
    raw = read_raw(path)
    assert list(raw.frame.columns) == ["a", "b"] and raw.delimiter == ";"
    assert raw.frame["b"].tolist() == ["2", "4"]


def test_csv_header_beyond_the_limit(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "wider.csv", 80_000)  # about 1.1 MB of header
    outcomes = run_capped([("read_raw", path, {}),
                           ("load_survey", path, {"codebook": str(write_codebook(tmp_path))})])
    check_refused(outcomes, path, r"header line longer than 1024 KB, above the limit "
                  r"max_header_kb=1024.*EGOVSTUDY_MAX_HEADER_KB")
    with pytest.raises(ResourceLimitError, match=r"has a header line of \d\d KB.*max_header_kb=64"):
        read_raw(_wide_csv(tmp_path / "w68.csv", 5000), limits={"max_header_kb": 64})
    with pytest.raises(ResourceLimitError, match=r"80,008 columns in its header.*max_columns"):
        read_raw(path, limits={"max_header_kb": 2048})
    wide = read_raw(path, limits={"max_header_kb": 2048, "max_columns": 100_000},
                    columns=["NIP", "X000000079999"])
    assert wide.frame["X000000079999"].astype(int).tolist() == [79_999 % 5] * 6


def test_csv_line_and_cell_limits(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("a,b\n1," + "x" * (3 << 20) + "\n2,3\n", encoding="utf-8")
    with pytest.raises(ResourceLimitError, match=r"long\.csv: has a line longer than 1 MB.*"
                       r"max_line_mb=1"):
        read_raw(path, limits={"max_line_mb": 1})
    assert read_raw(path).frame.shape == (2, 2)
    many = tmp_path / "many.csv"
    many.write_text("a,b\n" + "1,2\n" * 600, encoding="utf-8")
    with pytest.raises(ResourceLimitError, match=r"many\.csv: holds over 600 rows x 2 columns = "
                       r"1,200 cells, above the limit max_cells=1,000"):
        read_raw(many, limits={"max_cells": 1000})
    assert read_raw(many, limits={"max_cells": 1200}).frame.shape == (600, 2)


# ---------------------------------------------------------------- SAV, DTA, Parquet

def _patched_sav(path: Path) -> Path:
    pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 2.0], "q2": [3.0, 4.0]}), str(path))
    data = bytearray(path.read_bytes())
    assert int.from_bytes(data[80:84], "little") == 2  # ncases (PSPP: File Header Record)
    data[80:84] = (2**31 - 1).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def test_dta_with_an_absurd_observation_count(tmp_path: Path) -> None:
    # readstat checks N against the file before allocating: a clear error, no crash
    dta = _patched_dta(tmp_path / "lying.dta")
    out = run_capped([("read_raw", dta, {})])
    with pytest.raises(DataFormatError, match=r"lying\.dta: cannot read as STATA"):
        reraise(out[0])


def test_sav_rows_are_bounded_whatever_the_header_says(tmp_path: Path) -> None:
    # readstat reports an implausible case count as unknown: the rows are then read
    # with a row limit from max_cells, so the file's real rows decide
    sav = _patched_sav(tmp_path / "lying.sav")
    assert pyreadstat.read_sav(str(sav), metadataonly=True)[1].number_rows is None
    assert read_raw(sav).frame.shape == (2, 2)
    many = tmp_path / "many.sav"
    pyreadstat.write_sav(pd.DataFrame({"q1": np.ones(40), "q2": np.ones(40)}), str(many))
    with pytest.raises(ResourceLimitError, match=r"many\.sav: declares 40 rows x 2 columns = "
                       r"80 cells, above the limit max_cells=50"):
        read_raw(many, limits={"max_cells": 50})


def _patched_dta(path: Path) -> Path:
    pyreadstat.write_dta(pd.DataFrame({"q1": [1.0, 2.0], "q2": [3.0, 4.0]}), str(path))
    data = bytearray(path.read_bytes())
    at = data.index(b"<N>") + 3
    assert b"<byteorder>LSF" in data and int.from_bytes(data[at:at + 8], "little") == 2
    data[at:at + 8] = (2**40).to_bytes(8, "little")
    path.write_bytes(bytes(data))
    return path


def test_declared_sizes_of_sav_dta_parquet(tmp_path: Path) -> None:
    sav = tmp_path / "x.sav"
    pyreadstat.write_sav(pd.DataFrame({"q1": np.ones(300), "q2": np.ones(300)}), str(sav))
    dta = tmp_path / "x.dta"
    pyreadstat.write_dta(pd.DataFrame({"q1": np.ones(300), "q2": np.ones(300)}), str(dta))
    pq = tmp_path / "x.parquet"
    # plain encoding, zstd: 4.8 MB of pages in a file of a few KB
    pd.DataFrame({"q1": np.ones(300_000), "q2": np.zeros(300_000)}).to_parquet(
        pq, use_dictionary=False, compression="zstd")
    hashes = {p: sha(p) for p in (sav, dta, pq)}
    outcomes = run_capped([("read_raw", sav, {}), ("read_raw", dta, {}), ("read_raw", pq, {})],
                          {"EGOVSTUDY_MAX_CELLS": "500"})
    check_refused(outcomes[:1], sav, r"declares 300 rows x 2 columns = 600 cells.*"
                  r"max_cells=500\b.*EGOVSTUDY_MAX_CELLS")
    check_refused(outcomes[1:2], dta, r"declares 300 rows x 2 columns = 600 cells")
    check_refused(outcomes[2:], pq, r"declares 300,000 rows x 2 columns = 600,000 cells.*"
                  r"max_cells=500\b")
    assert read_raw(pq, columns=["q1"], limits={"max_cells": 500_000}).frame.shape == (300_000, 1)
    assert pq.stat().st_size < 100_000
    with pytest.raises(ResourceLimitError, match=r"x\.parquet: expands to 4\.\d MB of columns, "
                       r"above the limit max_file_mb=1\b"):
        read_raw(pq, limits={"max_file_mb": 1})
    assert {p: sha(p) for p in hashes} == hashes


# ------------------------------------------------------------------ the limits


def test_limits_from_keyword_environment_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGOVSTUDY_MAX_CELLS", "1234")
    assert resolve_limits(None).max_cells == 1234
    assert resolve_limits({"max_cells": 99}).max_cells == 99  # the keyword wins
    assert resolve_limits(Limits(max_cells=7)).max_cells == 7
    monkeypatch.setenv("EGOVSTUDY_MAX_CELLS", "lots")
    with pytest.raises(ResourceLimitError, match=r"environment variable EGOVSTUDY_MAX_CELLS: "
                       r"max_cells='lots' is not a positive number"):
        resolve_limits(None)
    monkeypatch.delenv("EGOVSTUDY_MAX_CELLS")
    with pytest.raises(ResourceLimitError, match=r"unknown limit 'max_cols'; did you mean "
                       r"'max_columns'\?"):
        resolve_limits({"max_cols": 5})
    with pytest.raises(ResourceLimitError, match=r"max_line_mb=-1 is not a positive number"):
        resolve_limits({"max_line_mb": -1})
