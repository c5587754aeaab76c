"""The Equal Earth projection (Šavrič, Patterson & Jenny 2018), spherical form.

Written here rather than taken from pyproj/cartopy: the forward formula is a closed
form of a few lines, and those packages would add a compiled PROJ dependency (and its
data files) to draw one world map.

Examples
--------
>>> x, y = equal_earth([0.0, 180.0], [0.0, 0.0])
>>> round(float(x[1]), 6), float(y[0])
(2.70663, 0.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["AUTHALIC_RADIUS_WGS84", "equal_earth"]

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3.0) / 2.0
#: radius of the sphere with the area of the WGS84 ellipsoid (metres)
AUTHALIC_RADIUS_WGS84 = 6371007.180918475


def equal_earth(lon: Any, lat: Any, *, radius: float = 1.0,
                lon_0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes and latitudes (degrees) to Equal Earth x, y (units of ``radius``).

    Parameters
    ----------
    lon, lat : array-like
        Degrees; longitudes outside [-180, 180] after subtracting ``lon_0`` are wrapped.
    radius : float, default 1
        Sphere radius; :data:`AUTHALIC_RADIUS_WGS84` gives metres on the WGS84 authalic sphere.
    lon_0 : float, default 0
        Central meridian.

    Returns
    -------
    (x, y) : tuple of ndarray

    Notes
    -----
    ``theta = asin(sqrt(3)/2 sin(phi))``,
    ``x = 2 sqrt(3) lambda cos(theta) / (3 (A1 + 3 A2 theta^2 + theta^6 (7 A3 + 9 A4 theta^2)))``,
    ``y = theta (A1 + A2 theta^2 + theta^6 (A3 + A4 theta^2))`` (equations 2 of the paper).
    Checked against PROJ's ``+proj=eqearth`` (tests/test_maps.py).

    References
    ----------
    Šavrič, B., Patterson, T. & Jenny, B. (2018). The Equal Earth map projection.
    International Journal of Geographical Information Science 33(3), 454-465.

    Examples
    --------
    >>> x, y = equal_earth(122, 47)  # PROJ's documented example: 1.55 0.89
    >>> round(float(x), 2), round(float(y), 2)
    (1.55, 0.89)
    """
    lam = np.asarray(lon, dtype=float) - lon_0
    lam = np.where((lam > 180) | (lam < -180), (lam + 180) % 360 - 180, lam)
    lam = np.radians(lam)
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -90.0, 90.0))
    theta = np.arcsin(_M * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    denom = 3.0 * (_A1 + 3.0 * _A2 * t2 + t6 * (7.0 * _A3 + 9.0 * _A4 * t2))
    x = 2.0 * math.sqrt(3.0) * lam * np.cos(theta) / denom
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x * radius, y * radius
