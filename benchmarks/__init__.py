"""Benchmarks of egovstudy against the tools a user would otherwise run.

``python -m benchmarks.run [--quick] [--only CASE]`` (``make bench``) runs every case in a
fresh subprocess, prints one table and writes ``reports/benchmarks.md`` and
``reports/benchmarks.json``. Peers that pin old dependencies (pingouin, plspm) run in
virtual environments of their own (``.venv-bench*``, created on first use, not committed).
"""
