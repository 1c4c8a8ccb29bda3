"""REBUS: a rebus-puzzle benchmark for multimodal LLMs (Gritsevskiy et al. 2024, arXiv 2401.05604).

Modules, in the order a run uses them: `dataset` (the 333 puzzles), `config` (the settings of
each job), `prompts` (the paper's prompt and its per-model variants), `evaluate` (ask a chat
backend), `extraction` and `grading` (final answer -> right or wrong), `analysis` (breakdowns
with bootstrap CIs), `released` and `regrade` (the authors' released answers, re-graded),
`published` (the paper's table), `judge` (optional LLM diagnostics), `runs` (each job as a typed
run writing its folder), `figures`, `gallery` (one browsable HTML page), `quick` and `full` (the
report's reproductions).
"""
