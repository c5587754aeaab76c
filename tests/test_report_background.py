"""Figures and tables written in the background while the statistics run: staged files,
refused runs that leave nothing, lean PDF fonts, and the same bytes wherever a file is made.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from egovstudy._output import (
    TMP_PREFIX,
    atomic_write_text,
    commit_staged,
    discard_staged,
    staged_writes,
)
from egovstudy.errors import EgovStudyWarning, OutputError
from egovstudy.report.background import FigureWriter
from egovstudy.report.document import Document
from egovstudy.report.style import house_style
from egovstudy.report.tables import Table


def _figure() -> plt.Figure:
    with house_style():
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["Setuju", "Tidak"], [0.625, 0.375])
        ax.set_title("Share: 0.5")
    return fig


def _table() -> Table:
    display = pd.DataFrame({"Construct": ["HR quality", "Budget"], "M": ["3.42", "-0.50"]})
    return Table(display, "Descriptive statistics", number="4.1", numeric_columns=(1,))


def _temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(TMP_PREFIX + "*")]


# ---------------------------------------------------------------------------- staging
def test_staged_files_reach_their_names_only_when_committed(tmp_path: Path) -> None:
    with staged_writes() as pairs:
        atomic_write_text(tmp_path / "a.md", "first")
        atomic_write_text(tmp_path / "sub" / "b.md", "second")
    assert not (tmp_path / "a.md").exists() and len(pairs) == 2
    assert all(Path(tmp).name.startswith(TMP_PREFIX) for tmp, _ in pairs)
    done = commit_staged(pairs)
    assert [p.name for p in done] == ["a.md", "b.md"]
    assert (tmp_path / "sub" / "b.md").read_text() == "second"
    assert _temporaries(tmp_path) == []


def test_an_error_while_staging_removes_what_was_staged(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"), staged_writes():
        atomic_write_text(tmp_path / "a.md", "x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_staged_target_that_became_a_link_is_refused_and_nothing_is_moved(
        tmp_path: Path) -> None:
    with staged_writes() as pairs:
        atomic_write_text(tmp_path / "a.md", "x")
        atomic_write_text(tmp_path / "b.md", "y")
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("keep")
    (tmp_path / "a.md").symlink_to(elsewhere)
    with pytest.raises(OutputError, match=r"a\.md became a symbolic link.*Fix: remove the link"):
        commit_staged(pairs)
    assert elsewhere.read_text() == "keep" and not (tmp_path / "b.md").exists()
    assert _temporaries(tmp_path) == []
    discard_staged(pairs)  # discarding twice is harmless


# ---------------------------------------------------------------------------- the writer
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_staged_writer_leaves_nothing_final_until_wait(tmp_path: Path, n_jobs: int) -> None:
    fig = _figure()
    with FigureWriter(n_jobs=n_jobs, staged=True) as writer:
        writer.start()
        handle = writer.submit(fig, tmp_path / "fig", formats=("png", "pdf"), dpi=50)
        writer.submit_table(_table(), [tmp_path / "t.csv", tmp_path / "t.md"])
        now = writer.current_files(handle)  # readable now, under temporary names
        assert [p.name.startswith(TMP_PREFIX) for p in now] == [True, True]
        assert now[0].read_bytes()[:4] == b"\x89PNG"
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
        figures = writer.wait()
    assert [p.name for p in figures[0]] == ["fig.png", "fig.pdf"]
    assert [p.name for p in writer.table_files] == ["t.csv", "t.md"]
    assert (tmp_path / "t.csv.json").is_file()  # the provenance sidecar comes along
    assert _temporaries(tmp_path) == []
    plt.close(fig)


def test_discard_removes_every_staged_file_of_workers_and_caller(tmp_path: Path) -> None:
    fig = _figure()
    writer = FigureWriter(n_jobs=2, staged=True)
    writer.start()
    handle = writer.submit(fig, tmp_path / "fig", formats=("png", "svg"), dpi=50)
    writer.submit_table(_table(), [tmp_path / "t.xlsx"])
    writer.current_files(handle)
    with staged_writes() as own:
        atomic_write_text(tmp_path / "chapter.md", "x")
    writer.adopt(own)
    writer.discard()
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)


def test_a_failing_job_raises_at_wait_and_leaves_nothing(tmp_path: Path) -> None:
    bad = _table()
    object.__setattr__(bad, "numeric_columns", (7,))  # a column the table does not have
    with FigureWriter(n_jobs=2, staged=True) as writer:
        writer.submit_table(_table(), [tmp_path / "good.md"])
        writer.submit_table(bad, [tmp_path / "bad.md"])
        with pytest.raises(IndexError):
            writer.wait()
    assert list(tmp_path.iterdir()) == []


def test_a_figure_saved_here_or_in_a_worker_has_the_same_bytes_whatever_the_callers_rc(
        tmp_path: Path) -> None:
    """The caller's own matplotlib settings do not leak into a figure it saves itself, so
    a file never depends on whether a worker or the caller happened to make it."""
    here, there = tmp_path / "here", tmp_path / "there"
    fig, twin = _figure(), _figure()
    with matplotlib.rc_context({"savefig.facecolor": "yellow", "hatch.linewidth": 3.0}):
        with FigureWriter(n_jobs=1) as w1:
            w1.submit(fig, here / "fig", formats=("png", "svg"), dpi=60)
            files_here = w1.wait()
        with FigureWriter(n_jobs=2) as w2:
            w2.submit(twin, there / "fig", formats=("png", "svg"), dpi=60)
            files_there = w2.wait()
    assert [p.read_bytes() for p in files_here[0]] == [p.read_bytes() for p in files_there[0]]
    plt.close(fig)
    plt.close(twin)


def test_workers_run_at_a_lower_priority(tmp_path: Path) -> None:
    from egovstudy.report.background import WORKER_NICENESS, _noop

    if not hasattr(os, "nice"):
        pytest.skip("no process priorities on this platform")
    with FigureWriter(n_jobs=2) as writer:
        writer.start()
        assert writer._starter is not None
        writer._starter.join()  # the workers are up
        assert writer._pool is not None
        nice = writer._pool.submit(os.nice, 0).result()
        writer._pool.submit(_noop).result()
    assert nice >= os.nice(0) + WORKER_NICENESS


def test_figures_are_handed_out_before_the_tables_queued_ahead_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue gives the workers the oldest figure first, then the oldest table: the
    longest jobs first, so that the run's last figure does not wait behind tables and then
    run alone. Each kind keeps its own order."""
    monkeypatch.setattr(FigureWriter, "start", lambda self: None)  # nothing handed out yet
    writer = FigureWriter(n_jobs=2)
    for name in ("t1", "t2"):
        writer.submit_table(_table(), tmp_path / f"{name}.csv")
    writer.submit(_figure(), tmp_path / "f1", formats=("png",))
    writer.submit_table(_table(), tmp_path / "t3.csv")
    writer.submit(_figure(), tmp_path / "f2", formats=("png",))
    order = []
    with writer._lock:
        while writer._queue:
            work = writer._next()
            order.append(Path(work.path if work.kind == "figure" else work.path[0]).stem)
    assert order == ["f1", "f2", "t1", "t2", "t3"]
    plt.close("all")


def test_the_fork_server_is_started_before_the_study_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_study`` (``egovstudy run``) starts the writers' fork server before it imports
    the statistics or reads the study (its imports then use a free core); started, the
    server runs with the writers' preload, and starting it again changes nothing."""
    import multiprocessing
    from multiprocessing import forkserver

    import egovstudy.study as study
    from egovstudy.report import background

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    order: list[str] = []
    real_start = background.start_fork_server
    monkeypatch.setattr(background, "start_fork_server", lambda: order.append("server"))

    def refuse(*args: object, **kwargs: object) -> object:
        order.append("study")
        raise OutputError("stop here")

    monkeypatch.setattr(study, "_as_spec", refuse)
    with pytest.raises(OutputError, match="stop here"):
        study.run_study(tmp_path / "study.yaml", tmp_path / "out")
    assert order == ["server", "study"]

    real_start()
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None
    os.kill(pid, 0)  # alive
    assert forkserver._forkserver._preload_modules == background._PRELOAD
    real_start()
    assert forkserver._forkserver._forkserver_pid == pid


# ---------------------------------------------------------------------------- the pieces
def test_document_hands_each_numbered_table_and_figure_over_as_it_is_added() -> None:
    seen: list[str] = []
    doc = Document("en", ".", 4, on_table=lambda t: seen.append(f"table {t.number}"),
                   on_figure=lambda f: seen.append(f"figure {f.number}"))
    doc.table(_table())
    fig = _figure()
    doc.figure("Shares", fig)
    doc.table(_table())
    assert seen == ["table 4.1", "figure 4.1", "table 4.2"]
    plt.close(fig)


def test_table_cells_are_made_once_and_each_caller_gets_its_own_copy() -> None:
    table = _table()
    first = table.cells()
    first[0][0] = "changed by a writer"
    again = table.cells()
    assert again[0][0] == "HR quality"
    assert again[1][1] == "\u22120.50" or again[1][1].endswith("0.50")
    assert table.cells(pad=" ") is not None  # another pad is its own entry


def test_lean_pdf_font_subset_keeps_matplotlibs_glyphs_and_drops_layout_tables() -> None:
    """Against matplotlib's own subsetting (the reference): the same glyph numbering, the
    same outlines, widths and character map; only GSUB, GPOS and GDEF are left out."""
    from matplotlib import font_manager
    from matplotlib.backends import _backend_pdf_ps

    from egovstudy.report.save import _lean_glyphs_subset

    path = font_manager.findfont("DejaVu Sans")
    font_path = font_manager.FontPath(path, 0)
    glyphs = set(range(3, 120)) | {1000, 2000}
    with _backend_pdf_ps.get_glyphs_subset(font_path, glyphs) as stock, \
            _lean_glyphs_subset(font_path, glyphs) as lean:
        # every glyph asked for is kept, with the same outline and width; matplotlib's
        # subset also keeps the glyphs its GSUB reaches (ligatures nobody asked for)
        assert set(lean.glyph_index_map) <= set(stock.glyph_index_map)
        assert glyphs <= set(lean.glyph_index_map)
        lean_order, stock_order = lean.font.getGlyphOrder(), stock.font.getGlyphOrder()
        for g in glyphs:
            a, b = lean_order[lean.glyph_index_map[g]], stock_order[stock.glyph_index_map[g]]
            assert a == b
            lean_glyf, stock_glyf = lean.font["glyf"], stock.font["glyf"]
            coords_a, ends_a, _ = lean_glyf[a].getCoordinates(lean_glyf)
            coords_b, ends_b, _ = stock_glyf[b].getCoordinates(stock_glyf)
            assert (list(coords_a), ends_a) == (list(coords_b), ends_b), a
            assert lean.font["hmtx"][a] == stock.font["hmtx"][b]
        lean_cmap, stock_cmap = lean.font.getBestCmap(), stock.font.getBestCmap()
        assert lean_cmap.items() <= stock_cmap.items()
        assert "GSUB" in stock.font and "GPOS" in stock.font
        assert not {"GSUB", "GPOS", "GDEF"} & set(lean.font.keys())
        lean_bytes = _backend_pdf_ps.font_as_file(lean.font).getvalue()
        assert len(lean_bytes) < len(_backend_pdf_ps.font_as_file(stock.font).getvalue())


def test_lean_pdf_font_subset_never_decodes_the_tables_it_drops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The dropped tables are dropped before fontTools starts (which decodes GSUB, GPOS and
    GDEF on entering ``subset``), and the font is byte for byte the one fontTools makes when
    it drops them itself by its own rule (the reference)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager
    from matplotlib.backends import _backend_pdf_ps

    from egovstudy.report import save

    font_path = font_manager.FontPath(font_manager.findfont("DejaVu Sans"), 0)
    glyphs = set(range(3, 120)) | {1000, 2000}
    options = subset.Options(glyph_names=True, recommended_glyphs=True)
    options.drop_tables += save._PDF_DROP_TABLES
    font = subset.load_font(font_path, options)
    own = subset.Subsetter(options=options)
    own.populate(gids=glyphs)
    own.subset(font)
    reference = _backend_pdf_ps.font_as_file(font).getvalue()

    decoded: list[str] = []
    real = TTFont.__getitem__

    def spy(self: TTFont, tag: str) -> object:
        decoded.append(tag)
        return real(self, tag)

    monkeypatch.setattr(TTFont, "__getitem__", spy)
    with save._lean_glyphs_subset(font_path, glyphs) as lean:
        got = _backend_pdf_ps.font_as_file(lean.font).getvalue()
    assert not {"GSUB", "GPOS", "GDEF", "kern"} & set(decoded), sorted(set(decoded))
    assert got == reference


def test_a_saved_pdf_embeds_the_lean_truetype_subset(tmp_path: Path) -> None:
    import zlib

    from egovstudy.report.save import save_figure

    fig = _figure()
    (pdf,) = save_figure(fig, tmp_path / "fig.pdf", formats=("pdf",))
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw and b"/Type3" not in raw  # TrueType, never Type 3
    fonts = []
    for chunk in raw.split(b"stream\n")[1:]:
        try:
            fonts.append(zlib.decompress(chunk.split(b"\nendstream")[0]))
        except zlib.error:
            continue
    from fontTools.ttLib import TTFont

    embedded = [TTFont(io.BytesIO(data)) for data in fonts if data[:4] == b"\x00\x01\x00\x00"]
    assert embedded and all("glyf" in f and "GSUB" not in f for f in embedded)
    plt.close(fig)


def test_workers_that_cannot_start_leave_the_work_to_the_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No process may be started (a locked-down machine): everything is still written, by
    the caller, with the same bytes as a worker writes."""
    import egovstudy.report.background as background

    fig, twin = _figure(), _figure()
    with FigureWriter(n_jobs=2) as normal:
        normal.submit(twin, tmp_path / "normal" / "fig", formats=("png",), dpi=40)
        expected = normal.wait()[0][0].read_bytes()

    def refuse() -> None:
        raise OSError("process creation is not allowed here")

    monkeypatch.setattr(background, "_worker_context", refuse)
    with pytest.warns(EgovStudyWarning, match="could not start its writer processes.*"
                      "process creation is not allowed"), \
            FigureWriter(n_jobs=2, staged=True) as writer:
        writer.start()
        writer.submit(fig, tmp_path / "fallback" / "fig", formats=("png",), dpi=40)
        writer.submit_table(_table(), [tmp_path / "fallback" / "t.md"])
        files = writer.wait()
    assert files[0][0].read_bytes() == expected
    assert [p.name for p in writer.table_files] == ["t.md"]
    assert _temporaries(tmp_path) == []
    plt.close(fig)
    plt.close(twin)


def test_a_script_without_a_main_guard_still_gets_its_files_and_the_fix(
        tmp_path: Path) -> None:
    """A worker starting imports the caller's script; unguarded, that script would start
    the whole run again in the worker. The worker refuses at once, and the script is
    told the fix and writes its files itself (it used to wait forever)."""
    import subprocess
    import sys

    script = tmp_path / "analysis.py"
    script.write_text(
        "import matplotlib\nmatplotlib.use('Agg')\nfrom pathlib import Path\n"
        "from matplotlib.figure import Figure\n"
        "from egovstudy.report.background import FigureWriter\n"
        "fig = Figure(figsize=(2, 2)); fig.add_subplot().plot([1, 2], [2, 1])\n"
        f"out = Path({str(tmp_path / 'out')!r})\n"
        "with FigureWriter(n_jobs=2, staged=True) as writer:\n"
        "    writer.submit(fig, out / 'fig', formats=('png',))\n"
        "    print('files', [p.name for p in writer.wait()[0]])\n", encoding="utf-8")
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "files ['fig.png']" in res.stdout
    assert 'put its code under `if __name__ == "__main__":`' in res.stderr
    assert (tmp_path / "out" / "fig.png").read_bytes()[:4] == b"\x89PNG"
