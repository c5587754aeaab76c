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
# # 02 · Instrument tests: validity, reliability and factor structure
#
# Before any hypothesis is tested, a thesis shows that the questionnaire works. In
# Indonesian methods chapters this is the **uji validitas dan reliabilitas** (validity and
# reliability test):
#
# * **validity** — does each item measure its construct? The classic test correlates each
#   item with the total score of its construct (*r hitung*) and compares it with the
#   critical value of Pearson's r for the sample size (*r tabel*); stronger evidence comes
#   from factor analysis (EFA, CFA) and from discriminant validity (HTMT, Fornell–Larcker);
# * **reliability** — do the items of a construct agree with each other? Cronbach's alpha
#   and its modern companions (omega, composite reliability, AVE).
#
# The default study has a planted weak item, `bud4` (true loading about 0.15): every test
# below should point at it.

# %% tags=["parameters"]
study_path = "../data/raw/default_study/study.yaml"  # data, codebook and quality policies
language = "en"            # "en" or "id": language of tables and sentences
seed = 2026                # seed of the parallel analysis
n_boot = 1000              # not used here; 5000 is the publication default for bootstraps
pa_iter = 10               # simulated data sets in the parallel analysis (psych uses 20)
output_dir = "../reports"

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

import egovstudy as eg
from egovstudy import measurement as ms
from egovstudy.notebooks import notebook_outputs
from egovstudy.report import tables as T
from egovstudy.report.style import house_style

warnings.simplefilter("ignore", eg.DataQualityWarning)
tables, figures = Path(output_dir) / "tables", Path(output_dir) / "figures"

# %%
# the study's screened sample: the same respondents as the results chapter
spec, survey = eg.load_study_survey(study_path)
data, constructs = survey.data, survey.construct_items()
items = [i for its in constructs.values() for i in its]
labels = {k: c.label.get(language, k) for k, c in survey.codebook.constructs.items()}
out = notebook_outputs(output_dir, data_hash=survey.source_hash,
                       options={"seed": seed, "pa_iter": pa_iter})
save_table, save_fig, prov = out.table, out.figure, out.provenance



# %% [markdown]
# ## 1. Item validity and the r table (*r tabel*)
#
# For each item, **r hitung** is Pearson's correlation between the item and its construct
# total. The **critical r** (*r tabel*) is the smallest correlation that is significant for
# df = n − 2 at α = .05 (two-tailed): r = t / √(df + t²). It shrinks as n grows — with 30
# respondents it is .361, with 589 it is about .08 — so in a large sample nearly every item
# passes. That is why we judge on the **corrected** item-total correlation (the item
# against the total of the *other* items, which does not contain the item itself) and also
# ask for r ≥ .30, the usual rule of thumb.

# %%
r_tab = ms.r_table([30, 50, 100, 200, len(data)])
display(r_tab.round(3))
validity = pd.concat([ms.item_validity(data, its).tidy().assign(construct=c)
                      for c, its in constructs.items()], ignore_index=True)
validity = validity[["item", "construct", "n", "r_total", "r_rest", "r_critical", "p_value",
                     "valid"]]
save_table(T.validity_table(validity, language=language), "02_item_validity")
validity[validity["r_rest"] < 0.30]

# %% [markdown]
# ## 2. Reliability per construct
#
# * **Cronbach's α** — internal consistency; ≥ .70 is reliable, .60–.70 acceptable for a
#   new instrument. It grows with the number of items and assumes equal loadings.
# * **ω (omega total)** and **composite reliability ρc** — use the estimated loadings, so
#   they do not assume equal loadings; ≥ .70.
# * **AVE** (average variance extracted) — the mean squared standardized loading; ≥ .50
#   means the construct explains at least half of its items' variance (convergent validity).
# * **α if item deleted** (in `02_instrument_items`) — if α *rises* when an item is
#   dropped, the item does not belong.

# %%
rel = {c: ms.reliability(data, its) for c, its in constructs.items()}
rel_frame = pd.DataFrame([
    {"construct": c, "n_items": r.n_items, "alpha": r.alpha,
     "omega": float(r.scale["omega_total"]), "cr": float(r.scale["rho_c"]),
     "ave": float(r.scale["ave"]), "reliable": r.alpha >= 0.70} for c, r in rel.items()])
save_table(T.reliability_table(rel_frame, labels=labels, language=language), "02_reliability")
rel_frame.round(3)

# %% [markdown]
# ## 3. The instrument report in sentences
#
# `instrument_report` applies all item rules at once (corrected r above the critical r,
# r ≥ .30, one-factor loading ≥ .40) and writes the sentences of the instrument section
# in English or Indonesian (`language` parameter).

# %%
report = ms.instrument_report(survey)
print("items that fail:", report.weak_items, "\n")
item_cols = ["construct", "item", "r_rest", "r_critical", "loading", "alpha_if_deleted", "valid"]
save_table(T.validity_table(report.items[item_cols], language=language), "02_instrument_items")
print("\n".join(report.items.loc[~report.items["valid"], f"sentence_{language}"]))
print("\n".join(report.constructs[f"sentence_{language}"]))

# %% [markdown]
# ## 4. Is factor analysis worthwhile? KMO and Bartlett's test
#
# * **Kaiser–Meyer–Olkin (KMO)** measures how much of the item correlations is shared
#   variance: ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre,
#   ≥ .50 miserable, below .50 unacceptable. Items with a low individual MSA are suspect.
# * **Bartlett's test of sphericity** tests that the correlation matrix is an identity
#   matrix (no correlations at all); it must be significant (p < .05) — with hundreds of
#   respondents it always is, so KMO is the more informative of the two.

# %%
k, b = ms.kmo(data, items), ms.bartlett(data, items)
adequacy = pd.DataFrame([{"test": "KMO (overall MSA)", "statistic": k.overall, "df": None,
                          "p_value": None, "verdict": k.label(k.overall)},
                         {"test": "Bartlett's test of sphericity", "statistic": b.statistic,
                          "df": b.df, "p_value": b.p_value, "verdict": "significant"}])
save_table(T.frame_table(adequacy, title="Sampling adequacy", headers={"statistic": "KMO / χ²"},
                         language=language, digits=3), "02_kmo_bartlett")
display(adequacy)
k.tidy().sort_values("estimate").head(4)

# %% [markdown]
# ## 5. Exploratory factor analysis with parallel analysis
#
# EFA asks how many factors the items need, without telling it which item belongs where.
# **Parallel analysis** (Horn, 1965) keeps the factors whose eigenvalue is larger than the
# 95th percentile of eigenvalues from random data of the same size — more reliable than the
# "eigenvalue > 1" rule. We use minimum-residual extraction and an oblique (oblimin)
# rotation, since constructs in a survey correlate. Read the loading table: each item
# should load ≥ .40 on one factor and weakly on the others (no cross-loadings);
# communality h² is the share of the item's variance the factors explain.

# %%
fa = ms.efa(data, items, seed=seed, n_iter=pa_iter)
print(f"parallel analysis suggests {fa.suggested['factors']} factors "
      f"({len(constructs)} constructs in the codebook)")
loadings = fa.loadings.assign(h2=fa.communalities).reset_index(names="item")
save_table(T.frame_table(loadings, title="EFA loadings (minres, oblimin)", language=language),
           "02_efa_loadings")
with house_style():
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    eig = fa.eigenvalues.head(20)
    ax.plot(eig.index, eig["observed_fa"], "o-", label="observed (reduced matrix)")
    ax.plot(eig.index, eig["simulated_fa"], "s--", label="random data, 95th percentile")
    ax.set(xlabel="factor number", ylabel="eigenvalue", title="Parallel analysis")
    ax.legend()
save_fig(fig, "02_parallel_analysis")

# %% [markdown]
# ## 6. Confirmatory factor analysis of the first-order constructs
#
# CFA tests the structure the codebook claims: every item loads on its own construct
# only. Fit indices (Hu & Bentler, 1999): **CFI** and **TLI** ≥ .95 (≥ .90 acceptable),
# **RMSEA** ≤ .06 (≤ .08 acceptable; its 90% CI should not exceed .10), **SRMR** ≤ .08. The
# χ² test is nearly always significant in large samples and is reported but not decisive.
# Standardized loadings should be ≥ .70 (≥ .50 acceptable). CFA uses complete cases only,
# so n is smaller than the sample.

# %%
model = "\n".join(f"{c} =~ {' + '.join(its)}" for c, its in constructs.items())
cfa = ms.cfa(model, data)
print(cfa.summary().split("Standardized")[0])
keep = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
        "srmr"]
fit = cfa.fit[keep].rename("value").rename_axis("measure").reset_index()
save_table(T.frame_table(fit, title="CFA fit", language=language, digits=3), "02_cfa_fit")
cfa_loadings = cfa.loadings[["latent", "item", "estimate", "std_error", "std_estimate"]]
save_table(T.frame_table(cfa_loadings, title="CFA loadings", language=language, digits=3),
           "02_cfa_loadings")
cfa_loadings.sort_values("std_estimate").head(4)

# %% [markdown]
# ## 7. Discriminant validity: HTMT and Fornell–Larcker
#
# Two constructs are distinct when their items correlate more within than between them.
# * **HTMT** (heterotrait–monotrait ratio; Henseler et al., 2015): the mean correlation
#   between items of different constructs over the geometric mean of the within-construct
#   correlations. Below .85 (strict) or .90 (lenient) means discriminant validity.
# * **Fornell–Larcker**: √AVE of each construct (diagonal) must exceed its correlations
#   with every other construct (below the diagonal). Less sensitive than HTMT.

# %%
ht = ms.htmt(data, constructs)
print("all HTMT below .85:", bool(ht.pairs["below_threshold"].all()))
save_table(T.frame_table(ht.matrix.reset_index(names="construct"), title="HTMT",
                         language=language), "02_htmt")
fl = ms.fornell_larcker(data, constructs)
save_table(T.frame_table(fl.reset_index(names="construct"),
                         title="Fornell-Larcker criterion", language=language),
           "02_fornell_larcker")
ht.pairs.sort_values("estimate", ascending=False).head(5)

# %% [markdown]
# **Conclusion for the methods chapter.** Report the validity table, the reliability
# table, the CFA fit and the HTMT matrix; drop items that fail (here `bud4`) and re-run
# before computing construct scores for the hypotheses.
