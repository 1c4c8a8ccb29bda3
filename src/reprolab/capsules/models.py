"""The models of the study by name, at a width relative to Sabour et al.'s sizes.

| name | what |
|---|---|
| capsnet | CapsNet with the reconstruction decoder (generative) |
| capsnet-nogen | CapsNet without decoder (non-generative) |
| capsnet-ir | intermediate routing: a routed capsule layer before the digit capsules; decoder |
| capsnet-ir-nogen | the same without decoder |
| capsnet-uniform | capsnet with one routing iteration: uniform coupling, the no-routing ablation |
| cnn | the CNN baseline, same loss and optimiser |

`width` scales channel, capsule-type, intermediate-capsule and hidden-layer counts; capsule
dimensions (8, 16) and the 3 routing iterations stay as in the paper. The CNN's counts scale with
`sqrt(width)`: its parameters grow with the square of its widths, a CapsNet's mostly linearly (the
capsule weights), so this keeps the two of comparable size at every width (within 10% at 1/8 and
1/16 at 36x36; at width 1 the CNN has 5.9M parameters, the CapsNet 11.3M).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch import nn

from reprolab.capsules.capsnet import CapsNet, CapsNetConfig
from reprolab.capsules.cnn import Cnn, CnnConfig

ModelName = Literal["capsnet", "capsnet-nogen", "capsnet-ir", "capsnet-ir-nogen",
                    "capsnet-uniform", "cnn"]
MODEL_NAMES: tuple[str, ...] = ("capsnet", "capsnet-nogen", "capsnet-ir", "capsnet-ir-nogen",
                                "capsnet-uniform", "cnn")
INTERMEDIATE_CAPSULES = 32  # at width 1 (the paper's size is not public)
ROUTING_ITERATIONS = 3


@dataclass(frozen=True)
class ModelSpec:
    """A named model at a width and input size."""

    name: str
    width: float = 1.0
    canvas: int = 36

    def scaled(self, n: int, least: int = 1) -> int:
        return max(least, round(n * self.width))

    def config(self) -> CapsNetConfig | CnnConfig:
        assert self.name in MODEL_NAMES, f"unknown model {self.name!r}"
        if self.name == "cnn":
            cnn = ModelSpec(self.name, self.width ** 0.5, self.canvas)
            return CnnConfig(canvas=self.canvas,
                             channels=(cnn.scaled(256), cnn.scaled(256), cnn.scaled(128)),
                             hidden=(cnn.scaled(328), cnn.scaled(192)))
        return CapsNetConfig(
            canvas=self.canvas, conv_channels=self.scaled(256),
            primary_types=self.scaled(32),
            intermediate=self.scaled(INTERMEDIATE_CAPSULES, least=8) if "-ir" in self.name else 0,
            routing_iterations=1 if self.name == "capsnet-uniform" else ROUTING_ITERATIONS,
            decoder=() if self.name.endswith("-nogen")
            else (self.scaled(512), self.scaled(1024)))

    def build(self) -> nn.Module:
        config = self.config()
        return Cnn(config) if isinstance(config, CnnConfig) else CapsNet(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
