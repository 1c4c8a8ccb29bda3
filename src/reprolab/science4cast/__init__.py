"""Science4Cast (Krenn et al., Nature Machine Intelligence 2023, arXiv 2210.00881).

A semantic network of AI concepts grows one dated edge per concept pair per paper; the task is to
predict which unconnected pairs get connected within delta years, scored by ROC AUC.

Modules, in the order a run uses them: `corpus` (paperlists, arXiv and CSV readers -> dated
papers), `concepts` (the official list, normalisation, a RAKE-style builder), `network`
(Aho-Corasick matching -> a columnar dated graph, growth per year), `benchmark` (the official
question with a seed, training sets from earlier windows, the official pickles through a
restricted unpickler), `features` (sparse snapshots, heuristics, M6 and time-dynamic features),
`methods` (one interface with save/load, and the registry) with `learned` (M6 MLP, LightGBM,
XGBoost, random forest), `node2vec`, `gnn` (GraphSAGE) and `blend` (M1), `metrics` (AUC, AP,
precision@k), `config` (each verb's settings), `runs` (build, benchmark, train, evaluate, grid,
forecast run records), `plots`, `reproduction`, `quick` and `full` (the report's
reproductions), `cli`.
"""
