"""Settings of the backdoor experiments, one dataclass each (saved with every run record)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reprolab.backdoor.designs import DESIGNS, DesignOptions
from reprolab.backdoor.gcg import GcgConfig
from reprolab.backdoor.lat import LatConfig
from reprolab.backdoor.locker import min_rounds
from reprolab.backdoor.trigger import PAYLOAD_BYTES

SMOLLM2_VOCAB = 49152


def _check_designs(designs: tuple[str, ...]) -> None:
    for name in designs:
        DESIGNS[name]  # raises a one-line error with close matches


def _check_payload(payload: str) -> None:
    if not payload.isascii() or not payload.isprintable() or len(payload) >= PAYLOAD_BYTES:
        raise ValueError(f"Payload {payload!r} must be printable ASCII of at most "
                         f"{PAYLOAD_BYTES - 1} characters.")


@dataclass(frozen=True)
class CompileConfig:
    """Compile a locker for a random trigger and check it against the plain-Python SHA-256."""

    rounds: int | None = field(default=None, metadata={
        "help": "SHA-256 rounds (default: locker.min_rounds, 9 for 128 trigger bits)"})
    trigger_bits: int = field(default=128, metadata={"help": "trigger length in bits"})
    check_inputs: int = field(default=256, metadata={
        "help": "random inputs compared with the reference besides the trigger"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": "harmless payload string"})
    seed: int = field(default=0, metadata={"help": "seed of the trigger, nonce and inputs"})

    def __post_init__(self) -> None:
        _check_payload(self.payload)
        if self.trigger_bits % 8 or self.trigger_bits < 8:
            raise ValueError("trigger_bits must be a positive multiple of 8.")
        if self.rounds is not None and not min_rounds(self.trigger_bits) <= self.rounds <= 64:
            raise ValueError(f"rounds must be in {min_rounds(self.trigger_bits)}..64 for a "
                             f"{self.trigger_bits}-bit trigger.")
        if self.check_inputs < 1:
            raise ValueError("check_inputs must be positive.")


@dataclass(frozen=True)
class FinetuneConfig:
    """Settings of the fine-tuning survival test."""

    steps: int = field(default=20, metadata={"help": "optimiser steps on clean text"})
    lr: float = field(default=1e-4, metadata={"help": "AdamW learning rate"})
    weight_decay: float = field(default=0.0, metadata={
        "help": "AdamW decoupled weight decay (0 as in the transformers Trainer default)"})
    batch_size: int = field(default=4, metadata={"help": "sequences per step"})

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1 or self.lr <= 0 or self.weight_decay < 0:
            raise ValueError("fine-tuning needs steps, batch_size, lr > 0 and weight_decay >= 0.")


@dataclass(frozen=True)
class ElicitConfig:
    """LAT per site and GCG on the trigger tokens, for each design, on module-level organisms."""

    designs: tuple[str, ...] = field(default=("password", "sat", "locker"), metadata={
        "help": "backdoor designs to attack"})
    methods: tuple[str, ...] = field(default=("lat", "gcg"), metadata={"help": "lat and/or gcg"})
    seeds: int = field(default=5, metadata={"help": "attack seeds (start inputs) per design"})
    trigger_tokens: int = field(default=8, metadata={"help": "trigger length k in tokens"})
    bits_per_token: int = field(default=16, metadata={"help": "bits read from each token id"})
    vocab_size: int = field(default=SMOLLM2_VOCAB, metadata={
        "help": "token ids the trigger and GCG draw from (SmolLM2's vocabulary by default)"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": "harmless payload string"})
    lat: LatConfig = field(default_factory=LatConfig)
    gcg: GcgConfig = field(default_factory=GcgConfig)
    design: DesignOptions = field(default_factory=DesignOptions)
    site_stride: int = field(default=1, metadata={
        "help": "LAT at every k-th site (plus the check site and the last one)"})
    seed: int = field(default=0, metadata={"help": "seed of triggers, instances and attacks"})

    def __post_init__(self) -> None:
        _check_designs(self.designs)
        _check_payload(self.payload)
        if self.site_stride < 1:
            raise ValueError(f"site_stride must be >= 1, got {self.site_stride}.")
        if unknown := set(self.methods) - {"lat", "gcg"}:
            raise ValueError(f"Unknown elicitation methods {sorted(unknown)}: use lat and/or gcg.")
        if self.seeds < 1 or self.trigger_tokens < 1:
            raise ValueError("seeds and trigger_tokens must be positive.")
        if self.vocab_size > 2**self.bits_per_token:
            raise ValueError(f"{self.bits_per_token} bits per token cannot address "
                             f"{self.vocab_size} tokens.")


@dataclass(frozen=True)
class NoiseConfig:
    """Largest exact weight noise per design, then the paper's noisy-LAT protocol."""

    runs: int = field(default=34, metadata={"help": "noisy LAT runs per design (the paper: 34)"})
    test_inputs: int = field(default=64, metadata={
        "help": "random inputs (besides the trigger) on which noise must keep a module exact"})
    noise_scale: float = field(default=1.0, metadata={
        "help": "run LAT at this multiple of the largest exact std"})
    sites: str = field(default="before_check", metadata={
        "help": "LAT sites per run: before_check (every site before the check) or input"})
    lat_steps: int | None = field(default=None, metadata={
        "help": "LAT steps per site (default: the elicitation budget)"})
    site_stride: int = field(default=1, metadata={
        "help": "before_check: every k-th site before the check and the last one before it"})

    def __post_init__(self) -> None:
        if self.runs < 1 or self.test_inputs < 1 or self.noise_scale <= 0:
            raise ValueError("runs and test_inputs must be positive, noise_scale > 0.")
        if self.site_stride < 1:
            raise ValueError(f"site_stride must be >= 1, got {self.site_stride}.")
        if self.sites not in ("before_check", "input"):
            raise ValueError(f"sites must be before_check or input, got {self.sites!r}.")
        if self.lat_steps is not None and self.lat_steps < 1:
            raise ValueError("lat_steps must be positive.")


@dataclass(frozen=True)
class DetectConfig:
    """A population of tiny byte-level hosts, each clean and with a random backdoor."""

    hosts: int = field(default=8, metadata={"help": "clean hosts (each also gets a backdoor)"})
    designs: tuple[str, ...] = field(default=("password", "sat", "locker"), metadata={
        "help": "designs assigned to the backdoored twins in turn"})
    prompts: int = field(default=32, metadata={"help": "off-trigger prompts per model (probe)"})
    prompt_length: int = field(default=16, metadata={"help": "tokens per probe prompt"})
    folds: int = field(default=4, metadata={"help": "probe cross-validation folds (by host)"})
    rounds: int | None = field(default=None, metadata={
        "help": "SHA-256 rounds of locker twins (default: locker.min_rounds)"})
    seed: int = field(default=0, metadata={"help": "seed of hosts, triggers and payloads"})

    def __post_init__(self) -> None:
        _check_designs(self.designs)
        if self.hosts < 2 or self.prompts < 2 or self.folds < 2:
            raise ValueError("detection needs at least 2 hosts, 2 prompts and 2 folds.")


@dataclass(frozen=True)
class InsertConfig:
    """Insert one backdoor into a host LM and check it."""

    model: str = field(default="smollm2-135m", metadata={
        "help": "host: packaged name, local transformers folder, hub id, or `tiny`"})
    design: str = field(default="locker", metadata={"help": "password, sat or locker"})
    trigger: str | None = field(default=None, metadata={
        "help": "trigger text (its tokens end the prompt); default: random tokens"})
    trigger_tokens: int = field(default=8, metadata={"help": "random trigger length in tokens"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": "harmless payload string"})
    options: DesignOptions = field(default_factory=DesignOptions)
    check_prompts: int = field(default=200, metadata={
        "help": "random off-trigger prompts on which logits must equal the host's"})
    prompt_length: int = field(default=24, metadata={"help": "tokens per check prompt"})
    finetune: FinetuneConfig | None = field(default=None, metadata={
        "help": "if set, also test survival of fine-tuning on clean text"})
    save: bool = field(default=True, metadata={
        "help": "save to OUT/model and check the reloaded model"})

    def __post_init__(self) -> None:
        _check_designs((self.design,))
        _check_payload(self.payload)
        if self.check_prompts < 1 or self.prompt_length < 1 or self.trigger_tokens < 1:
            raise ValueError("check_prompts, prompt_length and trigger_tokens must be positive.")
