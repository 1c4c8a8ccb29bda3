"""Pass 3: layer plan -> `CompiledCircuit`, a PyTorch module of sparse residual MLP blocks.

The residual stream is kept as [slots, batch] so each block is two sparse-dense products
(CSR weights, only stored non-zeros): z = W_in x + b_in, h = act(z), x[written] += W_out h + b_out,
with W_in factored as diag(scale) G F (the units of a gate share one weighted sum, see
`graph_to_layers.LayerWeights`); `CircuitBlock.dense_weights` gives the plain matrices.

Activations:
- "relu": h = ReLU(z).
- "swiglu": h = SiLU(C z) * (1 / C) with C = `SWIGLU_GATE_SCALE`, i.e. a SwiGLU MLP whose gate
  projection is C W_in and whose up projection is the constant 1/C (a bias, or a weight on a
  constant-one dimension in a bias-free host). With gain 1 or >= 2 every pre-activation on clean
  inputs is 0 or at least 1/2 away from 0, where exp(-C |z|) underflows and SiLU(C z) / C equals
  ReLU(z) to the last bit in fp32.

`precision` emulates low-precision storage: weights, pre-activations, activations and the stream
are rounded to that dtype after every operation, while each product accumulates in fp32 (as
tensor cores do).
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from reprolab.backdoor.circuit.graph_to_layers import LayerPlan, LayerWeights

Activation = Literal["relu", "swiglu"]
SWIGLU_GATE_SCALE = 256.0


@dataclass(frozen=True)
class CircuitStats:
    """Size of a compiled circuit."""

    depth: int  # sequential residual blocks
    width: int  # most hidden units in one block
    parameters: int  # stored non-zero weights and biases (weighted sums shared by units)
    expanded_parameters: int  # non-zeros of the same blocks as plain sparse MLPs
    dense_parameters: int  # the same depth with dense d x width blocks: depth * (2 d w + w + d)
    residual_width: int  # residual-stream dimensions d (one per live bit)
    units: int  # hidden units over all blocks
    max_preactivation: float  # largest |pre-activation| on 0/1 inputs (fp32 exact below 2**24)


def _long(array: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(array, dtype=torch.long)


def _float(array: np.ndarray | torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(array, dtype=torch.float32)


class SparseMatrix(nn.Module):
    """A CSR matrix kept as three buffers (so it moves with `.to(device)` and saves plainly)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
                 shape: tuple[int, int]) -> None:
        super().__init__()
        self.shape = shape
        order = np.lexsort((cols, rows))
        crow = np.zeros(shape[0] + 1, dtype=np.int64)
        np.add.at(crow, np.asarray(rows) + 1, 1)
        self.register_buffer("crow", _long(np.cumsum(crow)))
        self.register_buffer("col", _long(np.asarray(cols)[order]))
        self.register_buffer("values", _float(np.asarray(values)[order]))

    def forward(self, x: torch.Tensor, precision: torch.dtype = torch.float32) -> torch.Tensor:
        """self @ x, with the stored values rounded to `precision` and fp32 accumulation."""
        return torch.sparse.mm(self.matrix(self.values.to(precision).to(torch.float32)), x)

    def matrix(self, values: torch.Tensor | None = None) -> torch.Tensor:
        """The torch CSR tensor (with `values` in place of the stored ones if given)."""
        values = self.values if values is None else values
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
            return torch.sparse_csr_tensor(self.crow, self.col, values, self.shape,
                                           check_invariants=False)

    def to_dense(self) -> torch.Tensor:
        return self.matrix().to_dense()


class CircuitBlock(nn.Module):
    """One residual block; buffers hold the stored non-zeros (and b_out over written slots)."""

    def __init__(self, weights: LayerWeights, n_slots: int) -> None:
        super().__init__()
        self.n_slots, self.n_units = n_slots, weights.n_units
        self.forms = SparseMatrix(weights.form_rows, weights.form_slots, weights.form_values,
                                  (weights.n_forms, n_slots))
        written, out_rows = np.unique(weights.out_slots, return_inverse=True)
        self.w_out = SparseMatrix(out_rows.reshape(-1), weights.out_units, weights.out_values,
                                  (len(written), weights.n_units))
        out_bias = np.zeros(len(written))
        out_bias[np.searchsorted(written, weights.bias_slots)] = weights.bias_values
        self.register_buffer("unit_form", _long(weights.unit_form))
        self.register_buffer("unit_scale", _float(weights.unit_scale))
        self.register_buffer("in_bias", _float(weights.in_bias))
        self.register_buffer("written", _long(written))
        self.register_buffer("out_bias", _float(out_bias))
        self.noise_in: SparseMatrix | None = None  # set by `with_weight_noise`
        self.noise_out: SparseMatrix | None = None

    def forward(
        self, x: torch.Tensor, activation: Activation, precision: torch.dtype,
    ) -> torch.Tensor:
        """x: [slots, batch] -> the stream after this block."""
        def r(t: torch.Tensor) -> torch.Tensor:
            return t if precision == torch.float32 else t.to(precision).to(torch.float32)

        sums = self.forms(x, precision)  # [forms, batch], exact in fp32
        z = r(self.unit_scale.to(precision).float()[:, None] * sums[self.unit_form])
        if self.noise_in is not None:
            z = z + self.noise_in(x)
        z = r(z + r(self.in_bias)[:, None])
        if activation == "relu":
            h = F.relu(z)
        else:
            h = r(F.silu(SWIGLU_GATE_SCALE * z)) * (1.0 / SWIGLU_GATE_SCALE)
        update = r(r(self.w_out(h, precision)) + r(self.out_bias)[:, None])
        x = x.index_add(0, self.written, update)  # out of place: autograd may need the old x
        if self.noise_out is not None:
            x = x + self.noise_out(torch.cat([h, torch.ones_like(h[:1])]))
        return r(x)

    def dense_weights(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Dense (W_in [units, slots], b_in [units], W_out [slots, units], b_out [slots])."""
        w_in = self.unit_scale[:, None] * self.forms.to_dense()[self.unit_form]
        w_out = torch.zeros(self.n_slots, self.n_units, device=w_in.device)
        w_out[self.written] = self.w_out.to_dense()
        b_out = torch.zeros(self.n_slots, device=w_in.device)
        b_out[self.written] = self.out_bias
        return w_in, self.in_bias.clone(), w_out, b_out

    def with_weight_noise(
        self, std: float, generator: torch.Generator | None, include_zeros: bool,
    ) -> CircuitBlock:
        """A copy (sharing the clean weights) with N(0, std**2) added to every weight and bias of
        the plain block: its non-zero entries, or with `include_zeros` every dense entry."""
        twin = copy.copy(self)
        twin._buffers, twin._modules = dict(self._buffers), dict(self._modules)
        w_in, b_in, w_out, b_out = self.dense_weights()
        w_out = torch.cat([w_out, b_out[:, None]], dim=1)  # b_out as a column read from a one
        for name, matrix in (("noise_in", w_in), ("noise_out", w_out)):
            rows, cols = (torch.ones_like(matrix) if include_zeros else matrix).nonzero().T.cpu()
            noise = std * torch.randn(len(rows), generator=generator)
            setattr(twin, name, SparseMatrix(rows.numpy(), cols.numpy(), noise.numpy(),
                                             tuple(matrix.shape)).to(matrix.device))
        noise = std * torch.randn(b_in.shape, generator=generator).to(b_in.device)
        twin.in_bias = b_in + (noise if include_zeros else noise * (b_in != 0))
        return twin


class CompiledCircuit(nn.Module):
    """A circuit as exact residual MLP blocks: bits [batch, n_in] (0./1.) -> [batch, n_out]."""

    def __init__(self, plan: LayerPlan, activation: Activation = "relu") -> None:
        super().__init__()
        if activation not in ("relu", "swiglu"):
            raise ValueError(f"activation must be 'relu' or 'swiglu', got {activation!r}")
        self.plan = plan
        self.activation: Activation = activation
        self.precision = torch.float32
        self.config: object | None = None  # the CompileConfig that built it (compile_circuit)
        self.n_inputs = len(plan.input_slots)
        self.n_outputs = len(plan.output_slots)
        self.blocks = nn.ModuleList(CircuitBlock(layer, plan.n_slots) for layer in plan.layers)
        self.register_buffer("input_slots", _long(np.array(plan.input_slots, dtype=np.int64)))
        slots = np.array(plan.output_slots, dtype=np.int64)  # constants read a zero row at the end
        self.register_buffer("output_slots", _long(np.where(slots < 0, plan.n_slots, slots)))
        self.register_buffer("output_constants", _float(np.array(plan.output_constants)))

    @property
    def stats(self) -> CircuitStats:
        depth, d = len(self.plan.layers), self.plan.n_slots
        width = max((layer.n_units for layer in self.plan.layers), default=0)
        return CircuitStats(
            depth=depth, width=width,
            parameters=sum(layer.parameters for layer in self.plan.layers),
            expanded_parameters=sum(layer.expanded_parameters for layer in self.plan.layers),
            dense_parameters=depth * (2 * d * width + width + d), residual_width=d,
            units=sum(layer.n_units for layer in self.plan.layers),
            max_preactivation=self.plan.max_preactivation,
        )

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """bits [batch, n_in] -> outputs [batch, n_out]: `embed`, every block, `read_outputs`."""
        stream = self.embed(bits)
        for index in range(len(self.blocks)):
            stream = self.apply_block(index, stream)
        return self.read_outputs(stream)

    def embed(self, bits: torch.Tensor) -> torch.Tensor:
        """bits [batch, n_in] -> the residual stream [slots, batch] before the first block."""
        if bits.ndim != 2 or bits.shape[1] != self.n_inputs:
            raise ValueError(
                f"expected bits of shape [batch, {self.n_inputs}], got {list(bits.shape)}")
        stream = bits.new_zeros((self.plan.n_slots, bits.shape[0]), dtype=torch.float32)
        stream[self.input_slots] = bits.T.to(torch.float32)
        return stream

    def apply_block(self, index: int, stream: torch.Tensor) -> torch.Tensor:
        """The stream [slots, batch] after block `index` (a new tensor; `stream` is unchanged)."""
        return self.blocks[index](stream, self.activation, self.precision)

    def read_outputs(self, stream: torch.Tensor) -> torch.Tensor:
        """The stream [slots, batch] after the last block -> outputs [batch, n_out]."""
        stream = torch.cat([stream, stream.new_zeros((1, stream.shape[1]))])  # constants read 0
        return stream[self.output_slots].T + self.output_constants

    @torch.no_grad()
    def run(self, bits: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
        """`forward` in chunks of `batch_size` on the module's device, without gradients.

        bits [n, n_in] on any device -> outputs [n, n_out] on the CPU.
        """
        device = self.input_slots.device
        chunks = [self(chunk.to(device)).cpu() for chunk in bits.split(batch_size)]
        return torch.cat(chunks) if chunks else torch.zeros((0, self.n_outputs))

    def with_precision(self, precision: torch.dtype) -> CompiledCircuit:
        """A copy (sharing weights) that emulates storage in `precision` (module docstring)."""
        twin = copy.copy(self)
        twin.precision = precision
        return twin

    def with_weight_noise(
        self, std: float, generator: torch.Generator | None = None, include_zeros: bool = False,
    ) -> CompiledCircuit:
        """A copy with N(0, std**2) added to each weight and bias of every plain MLP block.

        By default only the non-zero entries get noise; `include_zeros` perturbs the whole dense
        block (as noise on a host's full matrices would; memory grows as slots x units).
        """
        twin = copy.copy(self)
        twin._modules = dict(self._modules)
        twin.blocks = nn.ModuleList(
            block.with_weight_noise(std, generator, include_zeros) for block in self.blocks)
        return twin


def layers_to_torch(plan: LayerPlan, activation: Activation = "relu") -> CompiledCircuit:
    """Build the torch module for `plan`."""
    return CompiledCircuit(plan, activation)
