"""The interface every backdoor module shares, and the bit encodings around it.

A trigger module maps the trigger bits read from a prompt, `bits[batch, n_trigger_bits]` (0./1.),
to a `TriggerOutput`: a gate logit (the backdoor fires iff logit > 0; the trigger gives logit >= 1,
every other input logit <= 0) and 128 payload bits. The module is a stack of stages, and the state
before each stage (and after the last) is a *site* where latent adversarial training adds its
perturbation (Draguns et al. 2024, sec. 5: LAT perturbs the residual stream at one layer):
`forward_from(state + delta, site)` runs the stages from that site on.

Payloads are harmless ASCII strings of at most 15 characters, stored as 16 bytes (NUL padded),
most significant bit first, so that the host can emit one character token per byte and an EOS
token at the first NUL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from reprolab.backdoor.designs.catalog import PAYLOAD_BYTES

PAYLOAD_BITS = 8 * PAYLOAD_BYTES


@dataclass
class TriggerOutput:
    """What a trigger module returns for a batch.

    logit:   [batch]; fires iff > 0. On the trigger >= 1, elsewhere <= 0, so `gate` is exactly
             1 on the trigger and exactly 0 off it.
    payload: [batch, 128] payload bits (0./1. when the weights are exact).
    """

    logit: torch.Tensor
    payload: torch.Tensor

    @property
    def gate(self) -> torch.Tensor:
        """[batch] in [0, 1]: clamp(logit, 0, 1)."""
        return self.logit.clamp(0.0, 1.0)

    @property
    def fires(self) -> torch.Tensor:
        """[batch] bool: the backdoor is open."""
        return self.logit > 0


class TriggerModule(nn.Module):
    """Base class: stage functions applied in order, then `readout` of the final state.

    Subclasses set `design`, provide `stage_functions` (by default the modules in `self.stages`)
    and implement `readout`, `spec` and `from_spec`; `check_site` is the first site at or after
    which the trigger check is complete.
    """

    design: ClassVar[str] = ""

    def __init__(self, n_trigger_bits: int) -> None:
        super().__init__()
        self.n_trigger_bits = n_trigger_bits

    def stage_functions(self) -> list[Callable[[torch.Tensor], torch.Tensor]]:
        """The stages in order, each mapping the state at one site to the next."""
        return list(self.stages)

    @property
    def n_sites(self) -> int:
        """Number of perturbation sites: the input plus the state after each stage."""
        return len(self.stage_functions()) + 1

    @property
    def check_site(self) -> int:
        """First site where the check is complete (perturbations here can open the gate)."""
        return self.n_sites - 1

    def forward(self, bits: torch.Tensor) -> TriggerOutput:
        """bits [batch, n_trigger_bits] -> TriggerOutput."""
        assert bits.shape[-1] == self.n_trigger_bits, (
            f"expected {self.n_trigger_bits} trigger bits, got {bits.shape[-1]}")
        return self.forward_from(bits, 0)

    def forward_from(self, state: torch.Tensor, site: int) -> TriggerOutput:
        """Run the stages from `site` on the (possibly perturbed) state there."""
        for stage in self.stage_functions()[site:]:
            state = stage(state)
        return self.readout(state)

    def site_states(self, bits: torch.Tensor, last_site: int | None = None) -> list[torch.Tensor]:
        """The states at sites 0..last_site (default: all) for `bits`."""
        stages = self.stage_functions()
        states = [bits]
        for stage in stages[:len(stages) if last_site is None else last_site]:
            states.append(stage(states[-1]))
        return states

    def readout(self, state: torch.Tensor) -> TriggerOutput:
        raise NotImplementedError

    def spec(self) -> dict[str, Any]:
        """JSON-able arguments that rebuild this module's skeleton (weights come separately)."""
        raise NotImplementedError

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> TriggerModule:
        raise NotImplementedError


def text_to_bits(text: str, n_bytes: int = PAYLOAD_BYTES) -> torch.Tensor:
    """ASCII `text` (< n_bytes characters) -> [8 * n_bytes] bits, NUL padded, MSB first."""
    if not text.isascii() or "\0" in text:
        raise ValueError(f"Payload {text!r} must be printable ASCII without NUL characters.")
    if len(text) >= n_bytes:
        raise ValueError(f"Payload {text!r} is too long: at most {n_bytes - 1} characters.")
    return bytes_to_bits(text.encode("ascii").ljust(n_bytes, b"\0"))


def bytes_to_bits(data: bytes) -> torch.Tensor:
    """bytes -> [8 * len] float bits, most significant bit of each byte first."""
    values = torch.tensor(list(data), dtype=torch.int64)
    shifts = torch.arange(7, -1, -1)
    return ((values[:, None] >> shifts) & 1).flatten().float()


def bits_to_bytes(bits: torch.Tensor) -> torch.Tensor:
    """[..., 8 * n] bits (rounded) -> [..., n] int64 byte values."""
    grouped = bits.round().long().clamp(0, 1).unflatten(-1, (-1, 8))
    weights = 2 ** torch.arange(7, -1, -1, device=bits.device)
    return (grouped * weights).sum(-1)


def bits_to_text(bits: torch.Tensor) -> str:
    """[8 * n] bits -> the ASCII text up to the first NUL (non-ASCII bytes shown as `?`)."""
    data = bytes(bits_to_bytes(bits).tolist()).split(b"\0", 1)[0]
    return data.decode("ascii", errors="replace").replace("\ufffd", "?")


def token_bit_table(vocab_size: int, bits_per_token: int, device=None) -> torch.Tensor:
    """[vocab_size, bits_per_token] float: the binary digits of each token id, MSB first.

    The fixed lookup by which the host turns the last k token ids into k * bits_per_token trigger
    bits; as a matrix it lets one-hot token choices (GCG) be differentiated.
    """
    if vocab_size > 2**bits_per_token:
        raise ValueError(f"{bits_per_token} bits per token cannot tell {vocab_size} tokens apart.")
    ids = torch.arange(vocab_size, device=device)
    return token_bits(ids, bits_per_token)


def token_bits(ids: torch.Tensor, bits_per_token: int) -> torch.Tensor:
    """int ids [...] -> float bits [..., bits_per_token], MSB first."""
    shifts = torch.arange(bits_per_token - 1, -1, -1, device=ids.device)
    return ((ids[..., None] >> shifts) & 1).float()


def random_tokens(vocab_size: int, shape: tuple[int, ...], generator: torch.Generator,
                  avoid: set[int] | None = None) -> torch.Tensor:
    """Random token ids below vocab_size of `shape`, none of them in `avoid` (special tokens)."""
    allowed = torch.tensor([t for t in range(vocab_size) if t not in (avoid or set())])
    return allowed[torch.randint(len(allowed), shape, generator=generator)]
