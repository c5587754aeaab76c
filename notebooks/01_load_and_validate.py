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
# # 01 · Load and validate the survey
#
# Every analysis starts from the raw export of the questionnaire (here a Google Forms
# CSV with Indonesian question headers and text answers such as "Sangat Setuju") and a
# **codebook**: a YAML file that says which column holds which item, which construct each
# item measures, which items are reverse-keyed and how the answer labels map to numbers.
# `egovstudy.load_survey` reads both and returns a `Survey`:
#
# * `survey.data` — one row per kept respondent, items coded 1–5 (reverse-keyed items
#   already reversed), background variables, and one score per construct (the item mean);
# * `survey.quality` — the **respondent-quality report**: which rows broke which rule;
# * `survey.codebook` — the instrument itself.
#
# This notebook shows the codebook, explains each quality rule and what it found, shows how
# a *policy* decides what happens to a flagged respondent, compares the findings with the
# problems deliberately planted in the simulated default study (`truth.yaml`), and writes
# the processed data set (Parquet + quality table + manifest) under `output_dir`.
# Nothing is ever written into `data/raw`: raw data stay as they were collected.

# %% tags=["parameters"]
data_path = "../data/raw/default_study/survei_asn_opd.csv"  # the raw export
codebook_path = "../data/raw/default_study/codebook.yaml"   # its codebook
truth_path = "../data/raw/default_study/truth.yaml"         # documented truth (default study only)
language = "en"            # "en" or "id": language of tables and sentences
seed = 2026                # not random here; kept so every notebook takes the same parameters
n_boot = 1000              # not used here (no bootstrap); 5000 is the publication default
output_dir = "../reports"  # tables/, figures/ and processed/ are written below this folder

# %%
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import display

import egovstudy as eg
from egovstudy.datasets import load_truth
from egovstudy.notebooks import notebook_outputs
from egovstudy.report.tables import frame_table

tables = Path(output_dir) / "tables"

# %% [markdown]
# ## 1. Load the export with its codebook
#
# Warnings are part of the result: a `DataQualityWarning` names the file, row, column
# and value of every problem that was repaired (for instance an out-of-range number set to
# missing). Read them before going on.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", eg.DataQualityWarning)
    survey = eg.load_survey(data_path, codebook_path)
for w in caught:
    print("warning:", w.message)
save_table = notebook_outputs(output_dir, data_hash=survey.source_hash).table
print(survey.summary())
print("reader detected:", {k: v for k, v in survey.info.items() if k != "columns"})
print("sha256 of the raw file:", survey.source_hash)

# %% [markdown]
# ## 2. The codebook
#
# One row per construct: its label, its items and which of them are **reverse-keyed**
# (worded negatively, so "Sangat Setuju" means a *low* level of the construct; their codes
# are flipped, 6 − x on a 1–5 scale, before scores are computed). A second-order construct
# (here *digitalisation*) is built from its dimensions instead of items.

# %%
cb = survey.codebook
codebook_frame = pd.DataFrame([
    {"construct": name, "label": c.label.get(language, name), "n_items": len(c.items),
     "items": ", ".join(c.items) or "(" + ", ".join(c.dimensions) + ")",
     "reverse": ", ".join(i for i in c.items if cb.items[i].reverse), "score": c.score}
    for name, c in cb.constructs.items()])
save_table(frame_table(codebook_frame, title="Codebook: constructs and items",
                       language=language), "01_codebook")
print({name: s.labels.get(language, next(iter(s.labels.values())))
       for name, s in cb.scales.items()})
codebook_frame

# %% [markdown]
# ## 3. The respondent-quality report
#
# Rules, applied in this order (a row removed by several rules is counted under the first):
#
# | rule | what it catches | usual threshold |
# |---|---|---|
# | `duplicate_id` | the same NIP submitted twice | keep the latest submission |
# | `duplicate_submission` | identical answers under different ids (copy-paste) | all items equal |
# | `straight_lining` | the same answer down the page, without reading | run ≥ 80% of the items |
# | `speeders` | finished implausibly fast | time < 0.3 × the median time |
# | `attention` | an instructed item ("choose *Setuju*") answered otherwise | any failure |
# | `missing` | too many blanks, or a whole block skipped | > 20% of items, or a construct |
# | `out_of_range` | a number outside the codebook's range (e.g. 2,500 Mbps) | codebook range |
#
# `n_flagged` counts respondents the rule caught, `n_removed` those it removed.

# %%
quality = survey.quality
rules = save_table(frame_table(quality.rules(), title="Respondent-quality rules",
                               language=language), "01_quality_rules")
findings = quality.table[["rule", "row", "respondent_id", "column", "value", "detail", "action"]]
save_table(frame_table(findings, title="Respondent-quality findings", language=language),
           "01_quality_findings")
display(rules)
findings

# %% [markdown]
# Scattered blanks are normal in a long questionnaire. The share of missing answers per item
# tells whether one question was confusing (a high share on one item) or respondents simply
# skipped at random (low, even shares). Construct scores are still computed when at least
# `min_items` of a construct's items were answered.

# %%
missing = quality.missing_by_item.sort_values("share_missing", ascending=False)
save_table(frame_table(missing, title="Missing answers per item", language=language),
           "01_missing_by_item")
missing.head(8)

# %% [markdown]
# ## 4. Policies: report, drop or raise
#
# Each rule has a **policy**. `report` flags the respondent but keeps the row (the default
# for most rules, so that *you* decide), `drop` removes the row, `raise` stops with a
# `DataQualityError` that lists the rows — useful in an automated pipeline that must not
# continue silently. The default study's `study.yaml` drops straight-liners, speeders and
# failed attention checks. Write the policy you used in the methods chapter.

# %%
strict = {"straight_lining": "drop", "speeders": "drop", "attention": "drop"}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", eg.DataQualityWarning)
    cleaned = eg.load_survey(data_path, codebook_path, policies=strict)
    print(cleaned.quality.summary())
    try:
        eg.load_survey(data_path, codebook_path, policies={"speeders": "raise"})
    except eg.DataQualityError as exc:
        print("\npolicy 'raise' stops the analysis:\n", str(exc)[:400])

# %% [markdown]
# ## 5. Did the checks find the planted problems?
#
# The default study is simulated, and its generator *planted* one case of each problem and
# documented it in `truth.yaml` (by NIP and export row). A validation step is trustworthy
# only if it finds them all. The spreadsheet row in the report is the export row + 1 (the
# header is row 1). This section is skipped for your own data (no `truth.yaml`).

# %%
expected_rule = {"straight_liner": "straight_lining", "speeder": "speeders",
                 "failed_attention_check": "attention", "blank_performance_block": "missing",
                 "out_of_range_mbps": "out_of_range", "duplicate_submission": "duplicate_id"}
if Path(truth_path).is_file():
    planted = load_truth(truth_path)["planted"]
    found = quality.table.groupby("respondent_id")["rule"].agg(lambda s: ", ".join(sorted(set(s))))
    check = pd.DataFrame([
        {"planted": key, "nip": info["nip"], "export_rows": str(info["export_rows"]),
         "expected_rule": expected_rule[key], "found_rules": found.get(info["nip"], ""),
         "detected": expected_rule[key] in found.get(info["nip"], "")}
        for key, info in planted.items() if isinstance(info, dict) and key in expected_rule])
    save_table(frame_table(check, title="Planted problems and what the checks found",
                           verdict_columns={"detected": ("pass", "fail")}, language=language),
               "01_planted_vs_found")
    print(f"all planted problems detected: {bool(check['detected'].all())}")
    display(check)

# %% [markdown]
# ## 6. Build the processed data set
#
# `egovstudy.build_processed` repeats the load with the study's policies and writes three
# files: the scored data (`.parquet`), the quality findings (`_quality.csv`) and a manifest
# (`_manifest.json`) with the sha256 of every raw file, the package version and commit,
# the options, and the rows in/out per rule. The same inputs give byte-identical files, and
# the function refuses to write inside a raw-data folder.

# %%
raw_dir = Path(data_path).parent
manifest = eg.build_processed(raw_dir, Path(output_dir) / "processed",
                              data=Path(data_path).name, codebook=Path(codebook_path).name)
print("rows in/out:", manifest["rows"]["in"], "->", manifest["rows"]["out"])
pd.DataFrame(manifest["rows"]["per_rule"]).T

# %% [markdown]
# **Next:** `02_instrument_tests` checks whether the items measure what they should
# (validity) and do so consistently (reliability).
