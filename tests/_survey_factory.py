"""Small exports of one known dataset in every supported format (shared by the io tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]
KOBO = ["sangat_tidak_setuju", "tidak_setuju", "netral", "setuju", "sangat_setuju"]
HEAD = {"q1": "Layanan kami cepat", "q2": "Prosedur kami berbelit-belit",
        "q3": "Petugas ramah", "q4": "Informasi mudah didapat"}
CODES = np.array([[4, 2, 4, 5], [5, 1, 5, 5], [2, 4, 3, 2], [3, 3, 3, 3], [1, 5, 2, 1],
                  [4, 0, 4, 4]])  # 0 = no answer
IDS = ["19800101", "19810202", "19820303", "19830404", "19840505", "19850606"]
AGENCY = ["Dinas Kesehatan", "dinkes", "Bappeda", "BAPPEDA ", "Dinas Kesehatan", "Bappeda"]
MBPS = [12.5, 30.0, 8.25, 100.0, 55.5, 20.0]
TIMES = pd.to_datetime(["2026-09-01 07:31:05", "2026-09-01 08:02:11", "2026-09-01 09:15:00",
                        "2026-09-02 10:00:59", "2026-09-02 13:45:30", "2026-09-03 16:20:00"])

CODEBOOK = {
    "study": {"name": "mini", "source": "google_forms"},
    "columns": {"id": "NIP", "timestamp": "Timestamp", "agency": "Nama OPD"},
    "items": [{"name": k, "column": v, "construct": "svc", "scale": "agree5",
               "reverse": k == "q2", "missing": [9]} for k, v in HEAD.items()],
    "constructs": [{"name": "svc", "min_items": 3}],
    "variables": [{"name": "mbps", "column": "Kecepatan (Mbps)", "type": "numeric",
                   "range": [0, 1000]}],
    "aliases": {"agency": {"dinkes": "Dinas Kesehatan", "bappeda": "Bappeda"}},
}


def write_codebook(folder: Path, spec: dict | None = None) -> Path:
    path = folder / "codebook.yaml"
    path.write_text(yaml.safe_dump(spec or CODEBOOK, allow_unicode=True), encoding="utf-8")
    return path


def label_frame() -> pd.DataFrame:
    """The export as Google Forms writes it (text labels, blank = no answer)."""
    df = pd.DataFrame({"Timestamp": [t.strftime("%d/%m/%Y %H:%M:%S") for t in TIMES],
                       "NIP": IDS, "Nama OPD": AGENCY})
    for j, (_k, head) in enumerate(HEAD.items()):
        df[head] = [LABELS[c - 1] if c else None for c in CODES[:, j]]
    df["Kecepatan (Mbps)"] = MBPS
    return df


def code_frame() -> pd.DataFrame:
    """The export with numeric codes and short variable names (SPSS, Stata)."""
    df = pd.DataFrame({"nip": [float(i) for i in IDS], "ts": TIMES, "opd": AGENCY})
    for j, k in enumerate(HEAD):
        df[k] = np.where(CODES[:, j] == 0, 9, CODES[:, j]).astype(float)
    df["mbps"] = MBPS
    return df


def sav_labels() -> dict:
    return {"nip": "NIP", "ts": "Timestamp", "opd": "Nama OPD", **HEAD,
            "mbps": "Kecepatan (Mbps)"}


def expected() -> pd.DataFrame:
    codes = CODES.astype(float)
    codes[codes == 0] = np.nan
    codes[:, 1] = 6 - codes[:, 1]
    out = pd.DataFrame({"respondent_id": IDS,
                        "agency": ["Dinas Kesehatan", "Dinas Kesehatan", "Bappeda", "Bappeda",
                                   "Dinas Kesehatan", "Bappeda"]})
    for j, k in enumerate(HEAD):
        out[k] = pd.array([None if np.isnan(v) else int(v) for v in codes[:, j]], dtype="Int8")
    out["svc"] = np.nanmean(codes, axis=1)
    out["mbps"] = MBPS
    return out


COMPARE = ["respondent_id", "agency", *HEAD, "svc", "mbps"]
