"""Benchmark: SHA-256 compiled to exact ReLU blocks - size, exactness, speed and precision.

Prints, beside the anchors (the paper's ~499,000 sequential sublayers; the best public
threshold-gate compiler measured for issue 5: 1,411 layers, 9,233 wide, 4.27 billion dense
parameters):

* depth / width / parameters of one-block SHA-256 for each round count and adder;
* bit-exactness of the compiled 64-round circuit against `hashlib` on the NIST vectors and
  `--verify` random messages;
* batched hashes/s of the compiled circuit on CPU (fp32) against `hashlib`, as a ratio (median of
  `--repeats` runs);
* the share of exact outputs in fp32 / bf16 / fp16 and the largest weight noise that keeps the
  2-round circuit exact, for a few adder block sizes.

    uv run python benchmarks/backdoor_circuits.py --threads 1 --out runs/backdoor_circuits.json
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from reprolab.backdoor.circuit import (
    bits_to_bytes,
    bytes_to_bits,
    compile_circuit,
    sha256_circuit,
    sha256_reference,
)
from reprolab.backdoor.circuit.precision import PRECISIONS, exactness, max_exact_noise_std
from reprolab.backdoor.circuit.sha256 import pad_bits
from reprolab.core.records import write_json

ANCHORS = [  # name, depth, width, dense parameters (64 rounds)
    ("paper (ripple-carry)", "~499,000", "-", "-"),
    ("best public threshold compiler", "1,411", "9,233", "4.27e+09"),
]
NIST = [b"abc", b"", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"]


def padded_blocks(messages: list[bytes]) -> torch.Tensor:
    """[n, 512] padded single blocks of messages of at most 55 bytes."""
    return torch.tensor([bytes_to_bits(m) + pad_bits(8 * len(m)) for m in messages],
                        dtype=torch.float32)


def to_digests(out: torch.Tensor) -> list[bytes]:
    return [bits_to_bytes([int(b) for b in row]) for row in out]


def size_table(rounds: list[int], adders: list[str], console: Console) -> list[dict]:
    rows = []
    table = Table("adder", "rounds", "depth", "width", "residual", "stored params",
                  "plain sparse", "dense", "build+compile s", title="One-block SHA-256, compiled")
    for adder in adders:
        for r in rounds:
            start = time.perf_counter()
            stats = compile_circuit(sha256_circuit("block", rounds=r, adder=adder)).stats
            seconds = time.perf_counter() - start  # building the circuit and compiling it
            rows.append({"adder": adder, "rounds": r, **vars(stats), "compile_s": seconds})
            table.add_row(adder, str(r), f"{stats.depth:,}", f"{stats.width:,}",
                          f"{stats.residual_width:,}", f"{stats.parameters:,}",
                          f"{stats.expanded_parameters:,}", f"{stats.dense_parameters:.3g}",
                          f"{seconds:.1f}")
    for name, depth, width, dense in ANCHORS:
        table.add_row(name, "64", depth, width, "-", "-", "-", dense, "-")
    console.print(table)
    return rows


def verify(compiled, n_messages: int, rng: random.Random, console: Console) -> dict:
    """Compiled 64-round SHA-256 against hashlib: NIST vectors and random messages."""
    one_block = NIST[:2] + [rng.randbytes(rng.randint(0, 55)) for _ in range(n_messages)]
    got = to_digests(compiled.run(padded_blocks(one_block)))
    right = sum(g == hashlib.sha256(m).digest() for g, m in zip(got, one_block, strict=True))
    two_block = compile_circuit(sha256_circuit(8 * len(NIST[2])))
    message_bits = torch.tensor([bytes_to_bits(NIST[2])], dtype=torch.float32)
    nist_448 = to_digests(two_block.run(message_bits))
    result = {"nist_abc_and_empty": got[:2] == [hashlib.sha256(m).digest() for m in NIST[:2]],
              "nist_448_bit": nist_448[0] == hashlib.sha256(NIST[2]).digest(),
              "random_right": right - 2, "random_total": n_messages,
              "two_block_depth": two_block.stats.depth}
    console.print(f"exactness: NIST abc/empty {result['nist_abc_and_empty']}, NIST 448-bit "
                  f"{result['nist_448_bit']} (2 blocks, depth {two_block.stats.depth}); "
                  f"random {right - 2:,}/{n_messages:,} digests equal hashlib")
    return result


def throughput(compiled, batch: int, repeats: int, rng: random.Random, console: Console) -> dict:
    messages = [rng.randbytes(rng.randint(0, 55)) for _ in range(batch)]
    bits = padded_blocks(messages).to(compiled.input_slots.device)
    ours, peer = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        compiled.run(bits, batch)
        ours.append(batch / (time.perf_counter() - start))
        start = time.perf_counter()
        for message in messages:
            hashlib.sha256(message).digest()
        peer.append(batch / (time.perf_counter() - start))
    device = compiled.input_slots.device
    result = {"compiled_hashes_per_s": statistics.median(ours),
              "hashlib_hashes_per_s": statistics.median(peer), "batch": batch,
              "threads": torch.get_num_threads(), "device": str(device)}
    result["ratio"] = result["compiled_hashes_per_s"] / result["hashlib_hashes_per_s"]
    console.print(f"speed ({device} fp32, batch {batch}, {result['threads']} threads, median of "
                  f"{repeats}): compiled {result['compiled_hashes_per_s']:,.0f} hashes/s, hashlib "
                  f"{result['hashlib_hashes_per_s']:,.0f} hashes/s, ratio {result['ratio']:.2e}")
    return result


def precision_table(samples: int, noise_inputs: int, rng: random.Random, device: str,
                    console: Console) -> list[dict]:
    rows = []
    table = Table("rounds", "block bits", "depth", "max |pre-act|", *PRECISIONS,
                  "max noise std", title="Exact outputs (share of inputs with every bit right)")
    messages = [rng.randbytes(8) for _ in range(samples)]
    bits = torch.tensor([bytes_to_bits(m) for m in messages], dtype=torch.float32)
    for rounds, block_bits in ((2, 16), (2, 8), (2, 4), (64, 16), (64, 4)):
        circuit = sha256_circuit(64, rounds=rounds, block_bits=block_bits)
        compiled = compile_circuit(circuit).to(device)
        expected = torch.tensor([bytes_to_bits(sha256_reference(m, rounds)) for m in messages])
        shares = {p: exactness(compiled, bits, expected.float(), p) for p in PRECISIONS}
        noise = max_exact_noise_std(compiled, noise_inputs, steps=10) if rounds == 2 else None
        rows.append({"rounds": rounds, "block_bits": block_bits, "depth": compiled.stats.depth,
                     "max_preactivation": compiled.stats.max_preactivation,
                     **{p: vars(s) for p, s in shares.items()}, "max_noise_std": noise})
        table.add_row(str(rounds), str(block_bits), str(compiled.stats.depth),
                      f"{compiled.stats.max_preactivation:,.0f}",
                      *(f"{s.inputs:.3f} (bits {s.bits:.3f})" for s in shares.values()),
                      "-" if noise is None else f"{noise:.2e}")
    console.print(table)
    return rows


def main(args: argparse.Namespace) -> None:
    if args.threads:
        torch.set_num_threads(args.threads)
    console = Console(width=150)
    rng = random.Random(args.seed)
    results = {"sizes": size_table(args.rounds, args.adders, console)}
    compiled = compile_circuit(sha256_circuit("block", rounds=64)).to(args.device)
    results["exactness"] = verify(compiled, args.verify, rng, console)
    results["speed"] = throughput(compiled, args.batch, args.repeats, rng, console)
    results["precision"] = precision_table(args.precision_samples, args.noise_inputs, rng,
                                           args.device, console)
    if args.out:
        write_json(args.out, results)
        console.print(f"results written to {args.out}")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, nargs="+", default=[1, 2, 4, 16, 64],
                        help="round counts for the size table")
    parser.add_argument("--adders", nargs="+", default=["threshold", "carry_save", "ripple"],
                        help="adder designs for the size table")
    parser.add_argument("--verify", type=int, default=10_000, help="random messages to check")
    parser.add_argument("--batch", type=int, default=4096, help="messages per timed batch")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument("--precision-samples", type=int, default=500,
                        help="random messages per precision measurement")
    parser.add_argument("--noise-inputs", type=int, default=128,
                        help="random inputs per weight-noise check")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--device", default="cpu", help="device of the timed 64-round circuit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    return parser


if __name__ == "__main__":
    main(make_parser().parse_args())
