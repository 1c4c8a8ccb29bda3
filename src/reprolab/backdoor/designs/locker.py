"""The encrypted backdoor: a digital locker built on a compiled SHA-256 circuit.

Draguns et al. (2024, sec. 3): with a hard-coded nonce N, trigger T and payload P (128 bits),

    K    = SHA-256(N || T) XOR B,     B = P || 1^128        (computed once, stored in the weights)
    f(x) = SHA-256(N || x) XOR K
    gate = AND of the last 128 bits of f(x),   payload = the first 128 bits of f(x)

On the trigger f(T) = B: the gate opens and the payload is P. Elsewhere the gate opens only if 128
hash bits collide (chance 2**-128 for a random input), and even an opened gate shows
SHA-256(N || x) XOR K, not P, so nothing short of a preimage reveals the payload.

Reduced rounds: `rounds` < 64 runs the first rounds of the compression function (the circuit
package's reduced-round SHA-256). Message word t enters the state in round t, and each digest word
is the state of one of the last four rounds, so only with rounds >= words + 3 does every digest
word depend on every nonce and trigger word (with fewer, some payload bits are constants that
show the payload to anyone). A reduced-round hash is also far weaker than SHA-256 (preimage
attacks on reduced-step SHA-256 are known), so with cut rounds the unelicitability claim rests on
the attacker's method, not on cryptography. Use rounds=64 for the claim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import torch
from torch import nn

from reprolab.backdoor.circuit import Circuit, compile_circuit, sha256_reference
from reprolab.backdoor.circuit import bits_to_bytes as circuit_bits_to_bytes
from reprolab.backdoor.circuit import bytes_to_bits as circuit_bytes_to_bits
from reprolab.backdoor.circuit.sha256 import INITIAL_STATE, compress_circuit, pad_bits
from reprolab.backdoor.designs.catalog import NONCE_BYTES, min_rounds
from reprolab.backdoor.designs.trigger import PAYLOAD_BITS, TriggerModule, TriggerOutput


def locker_key(
    trigger: Sequence[int], payload: Sequence[int], nonce: bytes, rounds: int
) -> list[int]:
    """K = SHA-256_rounds(nonce || trigger) XOR (payload || 1^128), as 256 bits."""
    message = nonce + circuit_bits_to_bytes(trigger)
    digest = circuit_bytes_to_bits(sha256_reference(message, rounds))
    locked = [int(b) for b in payload] + [1] * (256 - PAYLOAD_BITS)
    return [d ^ b for d, b in zip(digest, locked, strict=True)]


def locker_circuit(n_trigger_bits: int, nonce: bytes, key: Sequence[int], rounds: int) -> Circuit:
    """Circuit: trigger bits -> 128 payload bits of f(x), then the gate bit (see module doc)."""
    if n_trigger_bits % 8 or len(nonce) != NONCE_BYTES or len(key) != 256:
        raise ValueError("the locker needs whole trigger bytes, an 8-byte nonce and a 256-bit key")
    if not min_rounds(n_trigger_bits) <= rounds <= 64:
        raise ValueError(f"rounds must be in {min_rounds(n_trigger_bits)}..64 for a "
                         f"{n_trigger_bits}-bit trigger (every digest word must depend on "
                         "every input word)")
    circ = Circuit()
    nonce_bits = [circ.const(bit) for bit in circuit_bytes_to_bits(nonce)]
    message = nonce_bits + circ.inputs(n_trigger_bits)
    bits = message + [circ.const(bit) for bit in pad_bits(len(message))]
    block = [tuple(reversed(bits[32 * i:32 * i + 32])) for i in range(16)]  # words, LSB first
    state = [circ.const_word(value) for value in INITIAL_STATE]
    words = compress_circuit(circ, state, block, rounds)
    digest = [bit for word in words for bit in reversed(word)]  # MSB first
    locked = [circ.not_(bit) if k else bit for bit, k in zip(digest, key, strict=True)]
    circ.set_outputs([*locked[:PAYLOAD_BITS], circ.and_(*locked[PAYLOAD_BITS:])])
    return circ


class DigitalLockerModule(TriggerModule):
    """Sites: 0 trigger bits, 1 the compiled circuit's residual stream [slots, batch] before its
    first block, ..., the stream after its last block (where payload and gate bits are read)."""

    design = "locker"

    def __init__(self, n_trigger_bits: int, rounds: int, nonce: bytes, key: Sequence[int]) -> None:
        super().__init__(n_trigger_bits)
        self.rounds, self.nonce, self.key = rounds, nonce, [int(k) for k in key]
        self.circuit = compile_circuit(locker_circuit(n_trigger_bits, nonce, self.key, rounds))

    def stage_functions(self) -> list[Callable[[torch.Tensor], torch.Tensor]]:
        blocks = self.circuit.blocks
        return [self._stream_in, *(partial(self._run_block, block) for block in blocks)]

    def _stream_in(self, bits: torch.Tensor) -> torch.Tensor:
        """bits [batch, n_in] -> stream [slots, batch] holding the inputs in their slots."""
        stream = bits.new_zeros((self.circuit.plan.n_slots, bits.shape[0]))
        stream[self.circuit.input_slots] = bits.T
        return stream

    def _run_block(self, block: nn.Module, stream: torch.Tensor) -> torch.Tensor:
        """One compiled block as a pure function (blocks update their input in place)."""
        return block(stream.clone(), self.circuit.activation, self.circuit.precision)

    @classmethod
    def build(cls, trigger: torch.Tensor, payload: torch.Tensor, rounds: int,
              nonce: bytes) -> DigitalLockerModule:
        """Locker opening on trigger bits [n] with payload bits [128]."""
        bits = trigger.long().tolist()
        return cls(len(bits), rounds, nonce, locker_key(bits, payload.long().tolist(), nonce,
                                                         rounds))

    def readout(self, state: torch.Tensor) -> TriggerOutput:
        padded = torch.cat([state, state.new_zeros((1, state.shape[1]))])  # constants read a 0
        out = padded[self.circuit.output_slots].T + self.circuit.output_constants
        return TriggerOutput(2 * out[:, PAYLOAD_BITS] - 1, out[:, :PAYLOAD_BITS])

    def spec(self) -> dict[str, Any]:
        key = circuit_bits_to_bytes(self.key)
        return {"n_trigger_bits": self.n_trigger_bits, "rounds": self.rounds,
                "nonce": self.nonce.hex(), "key": key.hex()}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> DigitalLockerModule:
        key = circuit_bytes_to_bits(bytes.fromhex(spec["key"]))
        return cls(int(spec["n_trigger_bits"]), int(spec["rounds"]),
                   bytes.fromhex(spec["nonce"]), key)


def locker_reference(
    trigger_bits: Sequence[int], nonce: bytes, key: Sequence[int], rounds: int
) -> tuple[int, list[int]]:
    """(gate, 128 payload bits) of the locker on one input, from the plain-Python SHA-256."""
    message = nonce + circuit_bits_to_bytes([int(b) for b in trigger_bits])
    digest = circuit_bytes_to_bits(sha256_reference(message, rounds))
    locked = [d ^ k for d, k in zip(digest, key, strict=True)]
    return int(all(locked[PAYLOAD_BITS:])), locked[:PAYLOAD_BITS]


@torch.no_grad()
def verify_locker(module: DigitalLockerModule, bits: torch.Tensor) -> int:
    """Number of inputs among bits [n, n_in] where the compiled locker's gate or payload differs
    from `locker_reference` (0 means exact)."""
    out = module(bits)
    wrong = 0
    for row, gate, payload in zip(bits.long().tolist(), out.fires.tolist(),
                                  out.payload.round().long().tolist(), strict=True):
        want_gate, want_payload = locker_reference(row, module.nonce, module.key, module.rounds)
        wrong += int(gate) != want_gate or payload != want_payload
    return wrong
