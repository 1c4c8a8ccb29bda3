"""Unelicitable backdoors via cryptographic transformer circuits (Draguns, Gritsevskiy et al.,
NeurIPS 2024, arXiv 2406.02619).

Modules, in the order a run uses them: `config` (every verb's settings, checked once), `circuit/`
(Boolean circuits compiled into exact residual MLP blocks: DSL -> gate graph -> layers -> torch),
`designs/` (the trigger-module interface, the password-locked and 3-SAT baselines, the SHA-256
digital locker, and the registry that builds one by name), `insertion/` (a design inside a host
LM that saves and loads like any transformers model: insert, check, verify, fine-tune), `attacks/`
(LAT at every site, GCG on the trigger tokens, weight noise), `detect` (weight-statistics and
activation-probe detectors), `runs` (one run folder per verb, typed results), `report`
(figure, paper comparisons, headline), `quick` and `full` (the report's quick and real-scale
reproductions), `cli`.
"""
