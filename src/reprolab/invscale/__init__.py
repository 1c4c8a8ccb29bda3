"""Inverse scaling (McKenzie et al., TMLR 2023, arXiv 2306.09479).

The 11 winning tasks of the Inverse Scaling Prize scored as the organisers' pipeline scores them,
over ladders of model sizes, with bootstrap trend analysis and paper-style plots.
Reads `data` (examples, tasks, pilot) -> `evaluate` -> `ladder` -> `trends` -> `plots`/`report`.
"""
