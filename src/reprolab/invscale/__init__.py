"""Inverse scaling (McKenzie et al., TMLR 2023, arXiv 2306.09479).

The 11 winning tasks of the Inverse Scaling Prize scored as the organisers' pipeline scores them,
over ladders of model sizes, with bootstrap trend analysis and paper-style plots.

Modules, in the order a run uses them: `config` (the settings of each verb), `examples` and
`tasks` (prize-format rows -> typed examples; winners, pilot datasets, files), `evaluate` (one
model's per-example metrics through `reprolab.lm` scoring and sampling) with `metrics` (the
official formulas), `per_example` (the per-pair files a run writes and resumes from), `ladder`
(every task on every model, one resumable run record), `sizes` (parameters and training FLOPs),
`trends` and `analysis` (bootstrap intervals and trend calls), `plots` (paper-style figures),
`pilot` (the organisers' own pilot results), `parity` (the check against lm-eval),
`reproduction`, `quick` and `full` (the report's reproductions), `cli`.
"""
