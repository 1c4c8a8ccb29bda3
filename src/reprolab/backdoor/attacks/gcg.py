"""Greedy coordinate gradient (GCG) search over the trigger tokens.

Zou et al. (2023, arXiv 2307.15043): take the gradient of the loss with respect to the one-hot
token matrix, keep each position's `top_k` most promising tokens, try `candidates` random
single-token swaps from them, and move to the best. Here the k tokens are the window the host
reads the trigger from (the end of the prompt), so the search runs on the trigger module through
the host's own token -> bits lookup; the objective is the gate (`lat.gate_loss`): the attacker
does not know the payload, and success means the gate opens with the true payload.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from reprolab.backdoor.attacks.lat import gate_loss, payload_matches
from reprolab.backdoor.config import GcgConfig
from reprolab.backdoor.designs.trigger import TriggerModule
from reprolab.core.device import one_thread


@dataclass
class GcgResult:
    """One GCG run: loss per step ([steps + 1]), whether and when it elicited the payload."""

    losses: np.ndarray
    elicited: bool
    first_success: int
    tokens: list[int]


def gcg_attack(
    module: TriggerModule, bit_table: torch.Tensor, n_tokens: int, payload: torch.Tensor,
    config: GcgConfig, seed: int = 0,
) -> GcgResult:
    """Search `n_tokens` token ids; `bit_table` [vocab, bits_per_token] is the host's lookup."""
    generator = torch.Generator().manual_seed(seed)
    vocab = bit_table.shape[0]
    top_k = min(config.top_k, vocab)
    ids = torch.randint(vocab, (n_tokens,), generator=generator)
    losses = np.zeros(config.steps + 1)
    first = -1
    with one_thread():
        for step in range(config.steps + 1):
            one_hot = F.one_hot(ids, vocab).to(bit_table).requires_grad_(True)
            output = module((one_hot @ bit_table).reshape(1, -1))
            loss = gate_loss(output)[0]
            losses[step] = loss.item()
            if bool(output.fires[0]) and bool(payload_matches(output, payload)[0]):
                first = step
                losses[step + 1:] = losses[step]
                break
            if step == config.steps:
                break
            (grad,) = torch.autograd.grad(loss, one_hot)
            ids = _best_swap(module, bit_table, ids, grad, top_k, config.candidates, generator)
    return GcgResult(losses, first >= 0, first, ids.tolist())


@torch.no_grad()
def _best_swap(
    module: TriggerModule, bit_table: torch.Tensor, ids: torch.Tensor, grad: torch.Tensor,
    top_k: int, n_candidates: int, generator: torch.Generator,
) -> torch.Tensor:
    """The lowest-loss candidate among random single swaps drawn from each position's top-k."""
    promising = (-grad).topk(top_k, dim=1).indices.cpu()  # [n_tokens, top_k]
    positions = torch.randint(len(ids), (n_candidates,), generator=generator)
    picks = torch.randint(top_k, (n_candidates,), generator=generator)
    candidates = ids.repeat(n_candidates, 1)
    candidates[torch.arange(n_candidates), positions] = promising[positions, picks]
    bits = bit_table[candidates.to(bit_table.device)].reshape(n_candidates, -1)
    return candidates[int(gate_loss(module(bits)).argmin())]
