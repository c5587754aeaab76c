"""Build configuration beyond pyproject.toml: two optional compiled kernels.

``egovstudy._countcore`` speeds up the bootstrap's draw-and-count step (see
``egovstudy/_draws.py``); ``egovstudy.io._csvcore`` parses CSV exports (see
``egovstudy/io/csv.py``). Both are optional: without a C compiler the build goes on
and the Python paths, which give the same results, are used.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("egovstudy._countcore", ["egovstudy/_countcore.c"], optional=True),
                 Extension("egovstudy.io._csvcore", ["egovstudy/io/_csvcore.c"],
                           optional=True)])
