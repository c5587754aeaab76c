"""Sections of the results chapter that a thesis (Bab IV) needs beyond the analyses.

Each module builds one section's tables and sentences from the same result objects
as the numbers beside them; :mod:`egovstudy.report.chapter` calls them in order.
"""
