"""Training and eval images/s and peak memory of the Sabour-size CapsNet (8.2M parameters),
reprolab's vectorised prediction step beside the per-image-copy formulation that popular
PyTorch CapsNets use (the capsule weights concatenated once per image, then a batched matmul).

Both use the same routing code with gradients through every iteration, so they compute the same
function (checked here on one batch); only the prediction step differs. Each measurement runs in
a fresh process so peak RSS is its own. Not a test: a side-by-side ratio in one run.

    OMP_NUM_THREADS=2 uv run python benchmarks/capsules_speed.py --canvas 28 --batch 100
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import torch

from reprolab.capsules.capsnet import CapsNet, CapsNetConfig, RoutedCapsules, route
from reprolab.capsules.losses import objective

PEER = {28: (25.6, 77.6, 1.8), 36: (10.8, None, 4.2)}  # issue 10: train, eval images/s; GB


class PerImageCopy(RoutedCapsules):
    """The reference prediction step: `W` repeated for every image of the batch."""

    def forward(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        weight = torch.cat([self.weight[None]] * len(u), dim=0)  # (B, I, O, d_out, d_in)
        u_hat = torch.matmul(weight, u[:, :, None, :, None]).squeeze(-1)  # (B, I, O, d_out)
        return route(u_hat, self.iterations)


def build(formulation: str, canvas: int) -> CapsNet:
    torch.manual_seed(0)
    model = CapsNet(CapsNetConfig(canvas=canvas))
    if formulation == "per-image-copy":
        reference = PerImageCopy(1, 1, 1, 1, model.digits.iterations)
        reference.weight = model.digits.weight  # the same parameters, the other formulation
        model.digits = reference
    return model


def measure(formulation: str, mode: str, canvas: int, batch: int, steps: int) -> dict:
    model = build(formulation, canvas)
    optimizer = torch.optim.Adam(model.parameters())
    images, sources = torch.rand(batch, 1, canvas, canvas), torch.rand(batch, 1, canvas, canvas)
    labels = torch.randint(0, 10, (batch, 1))
    timings = []
    for _ in range(steps + 1):  # the first step warms up
        start = time.perf_counter()
        if mode == "train":
            loss = objective(model(images, labels), labels, sources)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            with torch.no_grad():
                model(images)
        timings.append(time.perf_counter() - start)
    seconds = sum(timings[1:]) / steps
    return {"images_per_s": batch / seconds,
            "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20}


def same_function(canvas: int) -> float:
    """Largest difference between the two formulations' scores on one batch."""
    images = torch.rand(4, 1, canvas, canvas)
    ours, theirs = build("vectorised", canvas), build("per-image-copy", canvas)
    return (ours(images).scores - theirs(images).scores).abs().max().item()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--canvas", type=int, default=28, help="28 (MNIST) or 36 (MultiMNIST)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up")
    parser.add_argument("--one", nargs=2, metavar=("FORMULATION", "MODE"), help=argparse.SUPPRESS)
    return parser


def main(args: argparse.Namespace) -> None:
    if args.one:
        print(json.dumps(measure(*args.one, args.canvas, args.batch, args.steps)))
        return
    print(f"max |score difference| between formulations: {same_function(args.canvas):.2e}")
    rows = {}
    for formulation in ("vectorised", "per-image-copy"):
        for mode in ("train", "eval"):
            out = subprocess.run([sys.executable, __file__, "--canvas", str(args.canvas),
                                  "--batch", str(args.batch), "--steps", str(args.steps),
                                  "--one", formulation, mode],
                                 capture_output=True, text=True, check=True).stdout
            rows[formulation, mode] = json.loads(out.splitlines()[-1])
            print(formulation, mode, rows[formulation, mode], flush=True)
    for mode in ("train", "eval"):
        ours, ref = rows["vectorised", mode], rows["per-image-copy", mode]
        print(f"{mode}: {ours['images_per_s']:.1f} vs {ref['images_per_s']:.1f} images/s "
              f"(x{ours['images_per_s'] / ref['images_per_s']:.2f}); peak "
              f"{ours['peak_gb']:.2f} vs {ref['peak_gb']:.2f} GB")
    peer = PEER.get(args.canvas)
    if peer:
        print(f"issue's peer figures on a quiet machine: train {peer[0]}, eval {peer[1]} "
              f"images/s, peak {peer[2]} GB")


if __name__ == "__main__":
    main(make_parser().parse_args())
