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
# # 10 · Reproducing a published analysis: Hayes (2022), chapter 3
#
# Before trusting a tool on your own survey, check that it reproduces a published result.
# Hayes' *Introduction to Mediation, Moderation, and Conditional Process Analysis*
# (3rd ed., 2022), chapter 3, analyses the **pmi** data of Tal-Or, Cohen, Tsfati & Gunther
# (2010): 123 participants read a newspaper article about a price increase of sugar that
# was placed either on the front page (`cond` = 1) or in an inside page (`cond` = 0).
# Did the placement change their intention to buy sugar (`reaction`), *through* their
# presumption of the article's media influence on others (`pmi`)? PROCESS model 4:
#
# * a path: pmi = i₁ + a·cond;  b and c' paths: reaction = i₂ + c'·cond + b·pmi;
# * indirect effect a·b with a percentile bootstrap interval; total effect c = c' + a·b.
#
# Step by step we fit the model with `egovstudy.process` and print Hayes' published values
# beside ours (as hard-coded in the R psych package's tests of `mediate`, which check
# against Hayes' printed output; see `tests/test_process.py`).

# %% tags=["parameters"]
data_path = "../data/raw/default_study/survei_asn_opd.csv"  # not used: this notebook uses pmi
codebook_path = "../data/raw/default_study/codebook.yaml"   # not used
# folder holding rdatasets/psych_Tal_Or.csv (default: $EGOVSTUDY_REFERENCE_DATA, else the
# repository's tests/data)
reference_data = None
language = "en"
seed = 2026                # bootstrap seed
n_boot = 5000              # Hayes uses 5000 resamples; the model is tiny, so this is fast
output_dir = "../reports"

# %%
from pathlib import Path

import pandas as pd

import egovstudy as eg
from egovstudy._paths import reference_data_dir
from egovstudy.report import tables as T
from egovstudy.report import write_table

folder = reference_data or reference_data_dir()
pmi_file = Path(folder) / "rdatasets" / "psych_Tal_Or.csv" if folder else None
DATA_OK = pmi_file is not None and pmi_file.is_file()
if not DATA_OK:
    print("The pmi data were not found, so this notebook stops here (without error).\n"
          "To obtain them: download the 'Tal_Or' data set of the R package psych (also on\n"
          "Rdatasets as psych/Tal_Or.csv, or with Hayes' book data at afhayes.com), save it\n"
          "as <folder>/rdatasets/psych_Tal_Or.csv and set EGOVSTUDY_REFERENCE_DATA=<folder>\n"
          "(or pass the parameter reference_data=<folder>).")

# %% [markdown]
# ## Step 1. The data
# 123 rows; `cond` is 0/1, `pmi` and `reaction` are means of 7-point items.

# %%
if DATA_OK:
    pmi = pd.read_csv(pmi_file)
    print(pmi.shape)
    print(pmi[["cond", "pmi", "reaction"]].describe().round(3))

# %% [markdown]
# ## Step 2. PROCESS model 4 and the published values
#
# Hayes' output (ch. 3): a = 0.4765 (t = 2.0218), b = 0.5064 (t = 5.2185),
# c' = 0.2544 (t = 0.9943), c = 0.4957, indirect effect a·b = 0.2413, constants 5.3769
# (pmi model) and 0.5269 (reaction model). The bootstrap interval of a·b lies entirely
# above zero; its exact limits depend on the random resamples, so they differ slightly from
# Hayes' printed limits (a different random stream), while the point estimates match.

# %%
if DATA_OK:
    res = eg.process(pmi, model=4, x="cond", m="pmi", y="reaction", n_boot=n_boot, seed=seed,
                     progress=False)
    c, e = res.coefficients.set_index(["outcome", "term"]), res.effects.set_index("part")
    ours = {"a": c.loc[("pmi", "cond"), "estimate"], "b": c.loc[("reaction", "pmi"), "estimate"],
            "c'": e.loc["direct", "estimate"], "c": e.loc["total", "estimate"],
            "a×b": e.loc["indirect", "estimate"],
            "constant (pmi)": c.loc[("pmi", "constant"), "estimate"],
            "constant (reaction)": c.loc[("reaction", "constant"), "estimate"]}
    published = {"a": 0.4765, "b": 0.5064, "c'": 0.2544, "c": 0.4957, "a×b": 0.2413,
                 "constant (pmi)": 5.3769, "constant (reaction)": 0.5269}
    side = pd.DataFrame({"term": list(published), "published": list(published.values()),
                         "ours": [float(ours[k]) for k in published]})
    side["difference"] = side["ours"] - side["published"]
    table = T.frame_table(side, title="Hayes (2022) ch. 3 reproduced", language=language,
                          digits=4)
    for ext in ("csv", "xlsx"):
        write_table(table, Path(output_dir) / "tables" / f"10_hayes_ch3.{ext}", overwrite=True)
    print(side.round(4).to_string(index=False))

# %% [markdown]
# ## Step 3. Read it as Hayes does
#
# Relative to those who read the story on an inside page, front-page readers thought the
# article would influence others more (a > 0), and the more influence they presumed, the
# stronger their own intention to buy sugar (b > 0). The indirect effect a·b is positive
# and its bootstrap interval excludes zero; the direct effect c' is not significant.

# %%
if DATA_OK:
    print(res.summary())
