"""Boolean circuits compiled to exact PyTorch modules (the transformer-circuit half of the study).

Build a `Circuit` with the DSL, check it with the plain-Python `evaluate`, and compile it with
`compile_circuit` into residual ReLU (or SwiGLU) MLP blocks that compute every gate exactly::

    c = Circuit(); x = c.inputs(2); c.set_outputs([c.xor(*x)])
    compiled = compile_circuit(c)            # compiled(torch.tensor([[1., 0.]])) -> [[1.]]
    sha = sha256_circuit(24, rounds=64)      # SHA-256 of a 24-bit message, padded inside
"""

from reprolab.backdoor.circuit.adders import ADDERS, AdderKind
from reprolab.backdoor.circuit.compiler import CompilerOptions, compile_circuit
from reprolab.backdoor.circuit.dsl import Circuit, Wire, Word
from reprolab.backdoor.circuit.evaluate import evaluate
from reprolab.backdoor.circuit.layers_to_torch import CircuitStats, CompiledCircuit
from reprolab.backdoor.circuit.sha256 import (
    bits_to_bytes,
    bytes_to_bits,
    sha256_circuit,
    sha256_reference,
)

__all__ = [
    "ADDERS", "AdderKind", "Circuit", "CircuitStats", "CompiledCircuit", "CompilerOptions", "Wire",
    "Word", "bits_to_bytes", "bytes_to_bits", "compile_circuit", "evaluate", "sha256_circuit",
    "sha256_reference",
]
