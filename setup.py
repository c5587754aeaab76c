"""Build configuration beyond pyproject.toml: the optional compiled counting kernel.

``egovstudy._countcore`` speeds up the bootstrap's draw-and-count step (see
``egovstudy/_draws.py``). It is optional: without a C compiler the build goes on and
the pure NumPy path, which gives the same numbers, is used.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("egovstudy._countcore", ["egovstudy/_countcore.c"],
                             optional=True)])
