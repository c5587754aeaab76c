"""DOCX tables written as one XML string give the XML python-docx's cell API writes."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from egovstudy.report import writers as W
from egovstudy.report.tables import Table


def _cellwise(doc: Any, table: Table, *, font_size: float = W.TABLE_FONT_PT,
                      available_cm: float = W.PORTRAIT_CM, reset_number: bool = False) -> Any:
    """The cell-by-cell python-docx code the one-pass writer replaced."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    W.add_caption(doc, W.text("table", table.language), table.number, table.title,
                reset=reset_number)

    headers = table.header_rows()
    cells = table.cells()
    ncol = table.display.shape[1]
    widths, narrow = W._column_widths(table, cells, font_size, available_cm=available_cm)
    wt = doc.add_table(rows=len(headers) + len(cells), cols=ncol)
    wt.alignment = WD_TABLE_ALIGNMENT.LEFT
    wt.autofit = False
    tblpr = wt._tbl.tblPr
    style = tblpr.find(qn("w:tblStyle"))
    if style is not None:
        tblpr.remove(style)
    if narrow:
        mar = tblpr.makeelement(qn("w:tblCellMar"), {})
        for side in ("left", "right"):
            node = mar.makeelement(qn(f"w:{side}"), {qn("w:w"): str(int(W.NARROW_MARGIN_CM * 567)),
                                                     qn("w:type"): "dxa"})
            mar.append(node)
        look = tblpr.find(qn("w:tblLook"))
        if look is not None:  # schema order: ... tblLayout, tblCellMar, tblLook
            look.addprevious(mar)
        else:
            tblpr.append(mar)
    W._borders(tblpr, {"top": ("single", 8), "bottom": ("single", 8), "left": ("nil", 0),
                     "right": ("nil", 0), "insideH": ("nil", 0), "insideV": ("nil", 0)},
             "w:tblBorders")
    num = set(table.numeric_columns)
    # header rows
    for h, row in enumerate(headers):
        col = 0
        for txt, span in row:
            cell = wt.cell(h, col)
            if span > 1:
                cell = cell.merge(wt.cell(h, col + span - 1))
            W._cell_text(cell, txt, align="center" if (span > 1 or col in num) else "left",
                       size=font_size, header=True)
            tcpr = cell._tc.get_or_add_tcPr()
            if h == len(headers) - 1 or (txt and span > 1):
                W._borders(tcpr, {"bottom": ("single", 4)}, "w:tcBorders")
            col += span
        tr_pr = wt.rows[h]._tr.get_or_add_trPr()
        hdr = tr_pr.makeelement(qn("w:tblHeader"), {})
        tr_pr.append(hdr)
    from docx.table import _Cell

    # direct access to the <w:tc> elements: Table.cell() rescans the whole table
    trs = wt._tbl.tr_lst
    for i, cell_row in enumerate(cells):
        tcs = trs[len(headers) + i].tc_lst
        for j, value in enumerate(cell_row):
            W._cell_text(_Cell(tcs[j], wt), value,
                       align="right" if j in num else "left",
                       bold=(j == 0 and i in table.bold_rows),
                       indent=(j == 0 and i in table.indent_rows), size=font_size)
    grid = wt._tbl.tblGrid.gridCol_lst
    for j, w in enumerate(widths):
        grid[j].w = Cm(w)
    for h in range(len(headers), len(trs)):
        for j, tc in enumerate(trs[h].tc_lst):
            tc.width = Cm(widths[j])
    col = 0
    for h in range(len(headers)):
        col = 0
        for tc in trs[h].tc_lst:
            span = tc.grid_span
            tc.width = Cm(sum(widths[col:col + span]))
            col += span
    from docx.text.paragraph import Paragraph

    keep_whole = len(trs) <= 30
    for k, tr in enumerate(trs):
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))
        if (keep_whole and k < len(trs) - 1) or k < len(headers):
            for tc in tr.tc_lst:  # keep-with-next on a row's paragraphs keeps it with the next
                for para in tc.p_lst:
                    Paragraph(para, wt).paragraph_format.keep_with_next = True
    if table.notes:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(4)
        note = para.add_run(W.text("note", table.language) + " ")
        note.italic = True
        note.font.size = Pt(font_size)
        W.add_rich_text(para, " ".join(table.notes), size=font_size)
    return wt


def _tables() -> list[Table]:
    """Spanner headers, bold and indented rows, symbols, signs, tabs, spaces, escapes."""
    cols = pd.MultiIndex.from_tuples([("", "Variable"), ("Model 1", "B"), ("Model 1", "p"),
                                      ("Model 2", "β"), ("Model 2", "p"), ("", "Decision")])
    display = pd.DataFrame([["Construct <A> & co", "0.41", "< .001", "−.12", ".045", "p > .05"],
                            [" item a1", "1.20", ".300", ".08", ".910", "F(2, 3) = 4"],
                            ["item\ta2", "−0.03", ".020", "≥ .10", ".500", "n = 12; SD\nM"]],
                           columns=cols)
    wide = pd.DataFrame([["A long construct name that wraps " * 2] + ["0.123456"] * 14],
                        columns=[f"Column {j}" for j in range(15)])
    return [Table(display, title="Regression & Mediation", number="4.1",
                  notes=("*p* < .05.", "B = unstandardised."), numeric_columns=(1, 2, 3, 4),
                  bold_rows=(0,), indent_rows=(1, 2)),
            Table(wide, title="Wide", number="4.2", numeric_columns=tuple(range(1, 15)),
                  language="id", decimal=","),
            Table(pd.DataFrame({"a": [str(i) for i in range(40)]}), title="Long",
                  number="4.3")]


def _body(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml")


@pytest.mark.parametrize("available", [W.PORTRAIT_CM, 5.0])
def test_one_pass_table_xml_equals_python_docx_cell_api(tmp_path: Path,
                                                        available: float) -> None:
    """The reference is python-docx's own cell API (the previous code, kept here):
    the document XML of the same tables must be byte-identical."""
    import docx

    paths = []
    for name, add in (("new", W.add_table_to_docx), ("old", _cellwise)):
        d = docx.Document()
        for t in _tables():
            wt = add(d, t, available_cm=available)
            assert len(wt.rows) == len(t.header_rows()) + t.display.shape[0]
        paths.append(W.save_docx(d, tmp_path / f"{name}.docx"))
    new, old = (_body(p) for p in paths)
    assert b"w:gridSpan" in new and b"w:tblCellMar" in new and b"w:ind w:left" in new
    assert new == old
    assert paths[0].read_bytes() == paths[1].read_bytes()
    table = docx.Document(str(paths[0])).tables[0]
    assert table.cell(2, 0).text == "Construct <A> & co"  # escaped, read back as text


def test_docx_saved_in_one_pass_equals_python_docx_save_restamped(tmp_path: Path) -> None:
    """The reference is python-docx's own ``Document.save`` with every member restamped
    (the previous code, kept as the fallback): the same bytes."""
    import docx

    d = docx.Document()
    d.add_heading("4. Results", level=1)
    for t in _tables():
        W.add_table_to_docx(d, t)
    W._set_core(d, title="t", prov='{"version": "0.1.0"}', language="en")
    one = W.save_docx(d, tmp_path / "one.docx").read_bytes()
    two = W._save_docx_restamped(d, tmp_path / "two.docx").read_bytes()
    assert one == two
    with zipfile.ZipFile(tmp_path / "one.docx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert "docProps/custom.xml" in zf.namelist()


def test_docx_stores_pictures_as_they_are_and_deflates_the_rest(tmp_path: Path) -> None:
    """A PNG is compressed already: it is stored, the XML parts are deflated, and every
    member holds the bytes python-docx's own ``Document.save`` gives it (the reference),
    in the one-pass writer and in the fallback alike."""
    import io

    import docx
    import numpy as np

    from egovstudy.report.raster import write_png

    png = io.BytesIO()
    write_png(png, np.random.default_rng(1).integers(0, 256, (40, 60, 4), dtype=np.uint8),
              dpi=300)
    d = docx.Document()
    d.add_paragraph("Gambar 4.1")
    d.add_picture(io.BytesIO(png.getvalue()))
    own = io.BytesIO()
    d.save(own)
    for path in (W.save_docx(d, tmp_path / "one.docx"),
                 W._save_docx_restamped(d, tmp_path / "two.docx")):
        with zipfile.ZipFile(path) as zf, zipfile.ZipFile(own) as ref:
            kinds = {i.filename: i.compress_type for i in zf.infolist()}
            assert kinds["word/media/image1.png"] == zipfile.ZIP_STORED
            assert kinds["word/document.xml"] == zipfile.ZIP_DEFLATED
            assert {n: zf.read(n) for n in zf.namelist()} == {n: ref.read(n)
                                                              for n in ref.namelist()}
        assert len(docx.Document(str(path)).inline_shapes) == 1
    assert (tmp_path / "one.docx").read_bytes() == (tmp_path / "two.docx").read_bytes()
