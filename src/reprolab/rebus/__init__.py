"""REBUS: a rebus-puzzle benchmark for multimodal LLMs (Gritsevskiy et al. 2024, arXiv 2401.05604).

Grouped by role, in the order a run uses them:

* `data/`: the 333 puzzles (`dataset`), the authors' released answers and raw outputs
  (`released`), the paper's table and the hand grades behind it (`published`).
* `config` (the settings of each job), `prompts` (the paper's prompt and its per-model
  variants), `evaluate` (ask a chat backend).
* `scoring/`: final answer -> right or wrong (`extraction`, `grading`), the released answers
  re-graded (`regrade`), optional LLM diagnostics (`judge`).
* `analysis` (breakdowns with bootstrap CIs), `figures`, `gallery` (one browsable HTML page).
* `runs` (each job as a typed run writing its folder), `cli`, and the report's reproductions
  `quick` and `full`.
"""
