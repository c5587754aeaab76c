# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · PLS-SEM on the items
#
# Regression on item means (notebook 04) treats each construct score as measured without
# error. **PLS-SEM** (partial least squares structural equation modelling, the method of
# SmartPLS and R's seminr) estimates the **measurement model** (how items form each
# construct) and the **structural model** (paths between constructs) together, weighting
# the items by how well they represent their construct. It is popular for survey models
# with many constructs and moderate samples. Two steps, as in Hair et al. (2021):
#
# 1. **Measurement model**: outer loadings ≥ .708 (≥ .40 kept if reliability is fine);
#    reliability ρc and ρA between .70 and .95; convergent validity AVE ≥ .50;
#    discriminant validity HTMT < .85 (or .90).
# 2. **Structural model**: path coefficients (β) with bootstrap t, p and 95% intervals;
#    **R²** of endogenous constructs (.25 weak, .50 moderate, .75 substantial);
#    **f²** effect sizes (.02 small, .15 medium, .35 large); **Q²_predict** > 0 means
#    out-of-sample predictive relevance (PLSpredict, 10 folds); specific indirect effects.
#
# The second-order construct *digitalisation* is measured by all items of its five
# dimensions (the repeated-indicator approach reduced to the higher-order construct).

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
language = "en"            # "en" or "id"
seed = 2026                # bootstrap and PLSpredict seed
n_boot = 1000              # bootstrap resamples (use 5000 for publication)
n_perm = 1000              # permutations of the multigroup analysis (5000 for publication)
output_dir = "../reports"

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt

import egovstudy as eg
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import figures as F
from egovstudy.report import tables as T
from egovstudy.report.style import house_style

warnings.simplefilter("ignore", eg.DataQualityWarning)
tables, figures = Path(output_dir) / "tables", Path(output_dir) / "figures"

# %%
# the study's screened sample: the same respondents as the results chapter
spec, survey = eg.load_study_survey(study_path)
data, cb, items = survey.data, survey.codebook, survey.construct_items()
labels = {k: c.label.get(language, k) for k, c in cb.constructs.items()}
inputs = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"seed": seed, "n_boot": n_boot})
save_table, save_fig, prov = out.table, out.figure, out.provenance



# %% [markdown]
# ## 1. The model and its estimation
#
# Inputs → digitalisation; inputs and digitalisation → performance; digitalisation and
# performance → service quality. Bootstrap by agency (cluster bootstrap).

# %%
measurement = {c: items[c] for c in inputs}
measurement["digitalisation"] = [i for d in cb.constructs["digitalisation"].dimensions
                                 for i in items[d]]
measurement.update(performance=items["performance"], service_quality=items["service_quality"])
structural = ([(x, "digitalisation") for x in inputs] + [(x, "performance") for x in inputs]
              + [("digitalisation", "performance"), ("digitalisation", "service_quality"),
                 ("performance", "service_quality")])
pls = eg.pls_sem(data, measurement=measurement, structural=structural, n_boot=n_boot,
                 seed=seed, clusters="agency", progress=False)
print(pls.summary().split("HTMT")[0])

# %% [markdown]
# ## 2. Measurement model: loadings, reliability, convergent and discriminant validity

# %%
save_table(T.frame_table(pls.outer_loadings, title="Outer loadings", language=language,
                         digits=3), "06_outer_loadings")
save_table(T.reliability_table(pls.reliability, labels=labels, language=language),
           "06_reliability")
save_table(T.frame_table(pls.htmt.reset_index(names="construct"), title="HTMT",
                         language=language), "06_htmt")
pls.outer_loadings.query("estimate < 0.708")[["construct", "indicator", "estimate"]]

# %% [markdown]
# ## 3. Structural model: paths, R², f², Q² and indirect effects

# %%
paths = pls.paths.merge(pls.f2, on=["from", "to"])
paths["term"] = [f"{labels[a]} → {labels[b]}" for a, b in zip(paths["from"], paths["to"])]
save_table(T.pls_table(paths, language=language, n_boot=n_boot), "06_paths")
save_table(T.frame_table(pls.r2, title="R²", labels=labels, language=language), "06_r2")
q2 = pls.q2.groupby("construct", as_index=False)["q2_predict"].mean()
save_table(T.frame_table(q2, title="Q²_predict (mean over indicators)", labels=labels,
                         language=language, digits=3), "06_q2")
save_table(T.mediation_table(pls.indirect_effects, language=language, n_boot=n_boot),
           "06_indirect_effects")
pls.indirect_effects.query("ci_low > 0 or ci_high < 0")[["term", "estimate", "ci_low", "ci_high"]]

# %% [markdown]
# ## 4. Path diagram
#
# Solid arrows are significant (p < .05), dashed grey arrows are not; R² under each
# endogenous construct.

# %%
r2 = dict(zip(pls.r2["construct"], pls.r2["r2"]))
with house_style():
    fig, ax = plt.subplots(figsize=(8.5, 5))
    F.path_diagram(pls.paths.rename(columns={"from": "source", "to": "target"}),
                   labels=labels, r2=r2, ax=ax)
save_fig(fig, "06_path_diagram")

# %% [markdown]
# ## 5. Consistent PLS (PLSc)
#
# The constructs of this study are reflective: their items are meant to share one common
# factor. PLS builds each construct as a weighted sum of its items, measurement error
# included, which attenuates the paths between constructs. PLSc (Dijkstra & Henseler 2015;
# SmartPLS's "consistent PLS") corrects the construct correlations with each construct's
# reliability rho_A. Expect PLSc paths somewhat larger in absolute value; check rho_A in
# the reliability table first, since the correction is only as good as rho_A.

# %%
plsc = eg.pls_sem(data, measurement=measurement, structural=structural, n_boot=n_boot,
                  seed=seed, clusters="agency", progress=False, consistent=True, q2_folds=0)
compare = pls.paths[["from", "to", "estimate"]].merge(
    plsc.paths[["from", "to", "estimate", "ci_low", "ci_high"]], on=["from", "to"],
    suffixes=("_pls", "_plsc"))
compare.insert(0, "term", [f"{labels[a]} → {labels[b]}"
                           for a, b in zip(compare["from"], compare["to"])])
compare = compare.drop(columns=["from", "to"])
save_table(T.frame_table(compare, title="PLS and PLSc path coefficients", language=language,
                         digits=3), "06_plsc_paths")
compare

# %% [markdown]
# **Reading.** Compare with notebook 04: PLS paths are standardized (β), regression
# coefficients on scores are not; both should agree on which paths matter. HR quantity
# should have no effect; budget, internet and computers act on performance only through
# digitalisation (full mediation); HR quality also acts directly (partial mediation).

# %% [markdown]
# ## 6. Assessment as SmartPLS 4 reports it
#
# Collinearity of the indicators (outer VIF < 3, at most < 5), **PLSpredict** against the
# linear-model benchmark (Shmueli et al. 2019: the more indicators with a smaller PLS-SEM
# RMSE than the LM's, the higher the predictive power), the **model fit** (SRMR < .08;
# d_ULS and d_G below their bootstrap HI95 means the model is not rejected) and the
# **importance-performance map** of service quality: the constructs in the lower right are
# important but perform poorly -- the managerial priorities.

# %%
from egovstudy import pls_assess as PA

vif = PA.outer_vif(data, measurement=measurement)
save_table(T.frame_table(vif, title="Outer VIF", language=language, digits=3), "06_outer_vif")
pred = PA.pls_predict(data, measurement=measurement, structural=structural, folds=10,
                      repetitions=3, seed=seed)
save_table(T.frame_table(pred.indicators, title="PLSpredict", language=language, digits=3),
           "06_plspredict")
print("\n".join(pred.sentences(language)))
fit = PA.model_fit(data, measurement=measurement, structural=structural, n_boot=n_boot,
                   seed=seed)
save_table(T.frame_table(fit.table, title="Model fit", language=language, digits=3),
           "06_model_fit")
imp = PA.ipma(data, measurement=measurement, structural=structural,
              target="service_quality")
save_table(T.frame_table(imp.constructs, title="IPMA", labels=labels, language=language,
                         digits=3), "06_ipma")
ax = PA.ipma_map(imp, labels=labels, language=language)
save_fig(ax.figure, "06_ipma_map")
fit.table

# %% [markdown]
# ## 7. Moderation and a two-stage higher-order construct
#
# Does HR quality strengthen the effect of digitalisation on performance? The two-stage
# interaction term (Hair et al. 2021, ch. 7) and its simple slopes at -1 SD, the mean and
# +1 SD of HR quality. Then digitalisation as a higher-order construct of its five
# dimensions, estimated with the disjoint two-stage approach instead of repeated
# indicators (Sarstedt et al. 2019).

# %%
from egovstudy import pls_extend as PX

mod = PX.pls_moderation(data, measurement=measurement,
                        structural=[*structural, ("digitalisation*hr_quality", "performance")],
                        interactions=[("digitalisation", "hr_quality")], n_boot=n_boot,
                        seed=seed, clusters="agency", progress=False, q2_folds=0)
print("\n".join(mod.sentences(language)))
ax = PX.simple_slopes_pls(mod, labels=labels, language=language)
save_fig(ax.figure, "06_simple_slopes")
dims = cb.constructs["digitalisation"].dimensions
hoc_mm = {c: v for c, v in measurement.items() if c != "digitalisation"}
hoc_mm.update({d: items[d] for d in dims})
hoc = PX.pls_higher_order(data, measurement=hoc_mm, structural=structural,
                          higher_order={"digitalisation": list(dims)}, n_boot=n_boot,
                          seed=seed, clusters="agency", progress=False, q2_folds=0)
hoc_paths = hoc.fit.paths[["from", "to", "estimate", "ci_low", "ci_high"]]
save_table(T.frame_table(hoc_paths, title="Two-stage higher-order model: paths",
                         language=language, digits=3), "06_hoc_paths")
hoc_paths

# %% [markdown]
# ## 8. Multigroup analysis by gender: MICOM, then the path differences
#
# Does the model hold alike for men and women? Before comparing paths between groups,
# **MICOM** (Henseler, Ringle & Sarstedt 2016) checks that the constructs mean the same
# in both: step 1 (same indicators, data treatment and algorithm), step 2 (the composites
# built with each group's weights correlate at about 1: `c` not below its 5% permutation
# quantile) and step 3 (equal composite means and variances). Step 2 is needed to compare
# paths (partial invariance); step 3 as well to pool the groups (full invariance). The
# paths are then compared by the permutation test (Chin & Dibbern 2010) and Henseler's
# bootstrap-based PLS-MGA, with the parametric and Welch tests beside them.

# %%
mga = eg.pls_mga(data, group="gender", measurement=measurement, structural=structural,
                 n_perm=n_perm, n_boot=n_boot, seed=seed)
micom = mga.micom.compositional.merge(mga.micom.equality, on=["group_1", "group_2",
                                                               "construct"])
micom = micom.merge(mga.micom.verdict, on=["group_1", "group_2", "construct"])
micom["construct"] = micom["construct"].map(labels)
save_table(T.frame_table(micom, title="MICOM by gender", language=language, digits=3,
                         columns=["construct", "c", "q05", "p_value", "mean_diff", "mean_p",
                                  "logvar_diff", "var_p", "verdict"]), "06_micom")
print("Measurement invariance:", mga.micom.overall)
micom

# %%
diffs = mga.paths.assign(term=[f"{labels[a]} → {labels[b]}"
                               for a, b in zip(mga.paths["from"], mga.paths["to"])])
save_table(T.frame_table(diffs, title="PLS multigroup analysis by gender", language=language,
                         digits=3, columns=["term", "estimate_1", "estimate_2", "difference",
                                            "p_permutation", "p_mga", "p_parametric",
                                            "p_welch", "verdict"]), "06_mga_paths")
diffs[["term", "group_1", "group_2", "difference", "p_permutation", "p_mga", "verdict"]]

# %% [markdown]
# **Reading.** The default study simulates the same model for men and women, so MICOM
# should find (at least partial) invariance and no path should differ: a p below .05 here
# is one of the 1-in-20 false alarms a 5% test allows per path.
