"""Capsule networks for low-data transfer (Gritsevskiy & Korablyov 2018, arXiv 1804.10172).

CapsNets (Sabour, Frosst & Hinton 2017) and a CNN are pretrained on MultiMNIST lacking one digit;
then k images of that digit are injected and the batches until accuracy is back are counted.
Only the paper's abstract is public: every choice it leaves open is a setting in `config`, and
`transfer`'s docstring states them.

Modules, in the order a run uses them: `mnist` (IDX files, sha256-checked; the study's splits),
`multimnist` (pairs generated on the tensor side, deterministic by seed), `capsnet` (squash,
routing, capsule layers, CapsNet), `cnn` (the baseline), `losses` (margin and reconstruction
losses, top-n accuracy), `models` (the six named models at a width), `config` (settings of each
verb), `train` (resumable training to a plateau), `sanity` (the `train` verb beside Sabour's
errors), `transfer` (the injection experiment), `metrics` (recovery table, CNN/CapsNet ratios),
`plots`, `reproduction`, `quick` and `full` (the report's reproductions), `cli`.
"""
