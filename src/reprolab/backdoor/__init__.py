"""Unelicitable backdoors via cryptographic transformer circuits (Draguns, Gritsevskiy et al.,
NeurIPS 2024, arXiv 2406.02619): circuits compiled into exact transformer weights, a SHA-256
digital locker and baselines, host insertion, elicitation, robustness and detection."""
