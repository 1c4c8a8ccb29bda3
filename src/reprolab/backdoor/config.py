"""Settings of the backdoor experiments, one dataclass per verb (saved with every run record).

The CLI options are generated from these fields (`reprolab.core.cli.config_options`), so each
field's default and help text live here only; checks raise `UserError` before any run starts.
Plain Python (no torch), so the command line starts fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reprolab.backdoor.designs.catalog import (
    BITS_PER_TOKEN,
    DESIGN_TITLES,
    PAYLOAD_BYTES,
    check_locker_settings,
)
from reprolab.core.errors import UserError

SMOLLM2_VOCAB = 49152
PAYLOAD_HELP = f"harmless payload, printable ASCII of at most {PAYLOAD_BYTES - 1} characters"


def _check_designs(designs: tuple[str, ...]) -> None:
    if not designs:
        raise UserError(f"Give at least one design: {', '.join(DESIGN_TITLES)}.")
    for name in designs:
        DESIGN_TITLES[name]  # raises a one-line error with close matches


def _check_payload(payload: str) -> None:
    if not payload.isascii() or not payload.isprintable() or len(payload) >= PAYLOAD_BYTES:
        raise UserError(f"Payload {payload!r} must be printable ASCII of at most "
                        f"{PAYLOAD_BYTES - 1} characters.")


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1, got {value}.")


@dataclass(frozen=True)
class DesignOptions:
    """Design-specific knobs (each design reads the ones it needs)."""

    rounds: int | None = field(default=None, metadata={
        "help": "SHA-256 rounds of the locker (64 = full SHA-256; fewer are faster but weaker; "
                "default: the fewest after which every digest word depends on every input "
                "word, 9 for an 8-token trigger)"})
    clause_ratio: float = field(default=4.26, metadata={
        "help": "clauses per variable of the planted 3-SAT instance"})

    def __post_init__(self) -> None:
        if self.rounds is not None and not 1 <= self.rounds <= 64:
            raise UserError(f"SHA-256 has 1 to 64 rounds, got --rounds {self.rounds}.")
        if self.clause_ratio <= 0:
            raise UserError(f"--clause-ratio must be positive, got {self.clause_ratio}.")


@dataclass(frozen=True)
class LatConfig:
    """Settings of one LAT attack (per site, all seeds together)."""

    steps: int = field(default=200, metadata={"help": "optimisation steps (the paper: 10,000)"})
    lr: float = field(default=10.0, metadata={"help": "Adam learning rate on the perturbation"})
    init_std: float = field(default=0.0, metadata={
        "help": "std of the perturbation's Gaussian start (0: start from no perturbation)"})
    stop_when_elicited: bool = field(default=False, metadata={
        "help": "stop once every seed has elicited the payload (later losses repeat the last)"})

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise UserError(f"LAT needs at least one step, got {self.steps}.")
        if self.lr <= 0 or self.init_std < 0:
            raise UserError("The LAT learning rate must be positive and init_std >= 0.")


@dataclass(frozen=True)
class GcgConfig:
    """Settings of one GCG run."""

    steps: int = field(default=100, metadata={"help": "GCG iterations"})
    top_k: int = field(default=64, metadata={"help": "tokens kept per position from the gradient"})
    candidates: int = field(default=64, metadata={"help": "single-token swaps tried per step"})

    def __post_init__(self) -> None:
        if min(self.steps, self.top_k, self.candidates) < 1:
            raise UserError("GCG steps, top_k and candidates must be positive.")


@dataclass(frozen=True)
class CompileConfig:
    """Compile a locker for a random trigger and check it against the plain-Python SHA-256."""

    rounds: int | None = field(default=None, metadata={
        "help": "SHA-256 rounds (64 = full SHA-256; default: the fewest after which every digest "
                "word depends on every input word, 9 for 128 trigger bits)"})
    trigger_bits: int = field(default=128, metadata={"help": "trigger length in bits"})
    check_inputs: int = field(default=256, metadata={
        "help": "random inputs compared with the reference SHA-256 besides the trigger"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": PAYLOAD_HELP})
    seed: int = field(default=0, metadata={"help": "seed of the trigger, nonce and inputs"})

    def __post_init__(self) -> None:
        _check_payload(self.payload)
        check_locker_settings(self.trigger_bits, self.rounds)
        _check_positive(check_inputs=self.check_inputs)


@dataclass(frozen=True)
class FinetuneConfig:
    """Settings of the fine-tuning survival test (0 steps: no test)."""

    steps: int = field(default=0, metadata={
        "help": "fine-tuning steps on clean text sampled from the host (0: no fine-tuning test)"})
    lr: float = field(default=1e-4, metadata={"help": "AdamW learning rate"})
    weight_decay: float = field(default=0.0, metadata={
        "help": "AdamW decoupled weight decay (0 as in the transformers Trainer default)"})
    batch_size: int = field(default=4, metadata={"help": "sequences per step"})

    def __post_init__(self) -> None:
        if self.steps < 0 or self.batch_size < 1 or self.lr <= 0 or self.weight_decay < 0:
            raise UserError("Fine-tuning needs steps >= 0, batch size >= 1, lr > 0 and "
                            "weight decay >= 0.")


@dataclass(frozen=True)
class InsertConfig:
    """Insert one backdoor into a host LM, check it, save it and load it back."""

    model: str = field(default="smollm2-135m", metadata={
        "help": "host: packaged name, local transformers folder, hub id, or `tiny`"})
    design: str = field(default="locker", metadata={"help": "password, sat or locker"})
    trigger: str | None = field(default=None, metadata={
        "help": "trigger text (its tokens end the prompt); default: random tokens"})
    trigger_tokens: int = field(default=8, metadata={"help": "random trigger length in tokens"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": PAYLOAD_HELP})
    options: DesignOptions = field(default_factory=DesignOptions)
    prompts: int = field(default=200, metadata={
        "help": "random off-trigger prompts on which logits must equal the host's"})
    prompt_length: int = field(default=24, metadata={"help": "tokens per off-trigger prompt"})
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    save: bool = field(default=True, metadata={
        "help": "save to OUT/model and check the reloaded model"})
    seed: int = field(default=0, metadata={
        "help": "seed of the trigger, the prompts, the nonce and the 3-SAT instance"})

    def __post_init__(self) -> None:
        _check_designs((self.design,))
        _check_payload(self.payload)
        _check_positive(prompts=self.prompts, prompt_length=self.prompt_length,
                        trigger_tokens=self.trigger_tokens)
        if self.trigger is not None and not self.trigger:
            raise UserError("--trigger is empty: give some text, or leave it out for random "
                            "tokens.")
        if self.design == "locker" and self.trigger is None:
            check_locker_settings(BITS_PER_TOKEN * self.trigger_tokens, self.options.rounds)


@dataclass(frozen=True)
class VerifyConfig:
    """Reload a model saved by `insert` and check off-trigger equality and the payload."""

    model_dir: Path | None = field(default=None, metadata={
        "help": "folder written by `insert` (OUT/model)"})
    trigger: str = field(default="", metadata={
        "help": "the trigger: text, or token ids as `ids:1,2,3`"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": PAYLOAD_HELP})
    prompts: int = field(default=200, metadata={
        "help": "random off-trigger prompts on which logits must equal the host's"})
    prompt_length: int = field(default=24, metadata={"help": "tokens per off-trigger prompt"})
    seed: int = field(default=0, metadata={"help": "seed of the off-trigger prompts"})

    def __post_init__(self) -> None:
        _check_payload(self.payload)
        _check_positive(prompts=self.prompts, prompt_length=self.prompt_length)
        if not self.trigger:
            raise UserError("Give the trigger: --trigger TEXT or --trigger ids:1,2,3.")
        if self.model_dir is not None and not (self.model_dir / "config.json").is_file():
            raise UserError(f"No saved model in {self.model_dir}: give the OUT/model folder of "
                            "`reprolab backdoor insert`.")


@dataclass(frozen=True)
class NoiseConfig:
    """Largest exact weight noise per design, then the paper's noisy-LAT protocol (0 runs: skip)."""

    runs: int = field(default=0, metadata={
        "help": "noisy LAT runs per design at the largest exact noise (the paper: 34; 0: skip)"})
    test_inputs: int = field(default=64, metadata={
        "help": "random inputs (besides the trigger) on which noise must keep a module exact"})
    scale: float = field(default=1.0, metadata={
        "help": "run LAT at this multiple of the largest exact noise std"})
    sites: str = field(default="before_check", metadata={
        "help": "LAT sites per run: before_check (every site before the check) or input"})
    lat_steps: int | None = field(default=None, metadata={
        "help": "LAT steps per site (default: the elicitation's --lat-steps)"})
    site_stride: int = field(default=1, metadata={
        "help": "before_check: every k-th site before the check and the last one before it"})

    def __post_init__(self) -> None:
        if self.runs < 0 or self.scale <= 0:
            raise UserError("Noise runs must be >= 0 and the noise scale > 0.")
        _check_positive(noise_test_inputs=self.test_inputs, noise_site_stride=self.site_stride)
        if self.sites not in ("before_check", "input"):
            raise UserError(f"--noise-sites must be before_check or input, got {self.sites!r}.")
        if self.lat_steps is not None:
            _check_positive(noise_lat_steps=self.lat_steps)


@dataclass(frozen=True)
class ElicitConfig:
    """LAT per site and GCG on the trigger tokens for each design (module-level organisms), and
    optionally the noise protocol on the same organisms."""

    designs: tuple[str, ...] = field(default=("password", "sat", "locker"), metadata={
        "help": "backdoor designs to attack (comma list)"})
    methods: tuple[str, ...] = field(default=("lat", "gcg"), metadata={
        "help": "lat and/or gcg (comma list; empty: only the noise protocol)"})
    seeds: int = field(default=5, metadata={"help": "attack seeds (start inputs) per design"})
    trigger_tokens: int = field(default=8, metadata={"help": "trigger length k in tokens"})
    bits_per_token: int = field(default=BITS_PER_TOKEN, metadata={
        "help": "bits read from each token id"})
    vocab_size: int = field(default=SMOLLM2_VOCAB, metadata={
        "help": "token ids the trigger and GCG draw from (SmolLM2's vocabulary by default)"})
    payload: str = field(default="HELLO LOCKER", metadata={"help": PAYLOAD_HELP})
    lat: LatConfig = field(default_factory=LatConfig)
    gcg: GcgConfig = field(default_factory=GcgConfig)
    options: DesignOptions = field(default_factory=DesignOptions)
    site_stride: int = field(default=1, metadata={
        "help": "LAT at every k-th site (plus the check site and the last one)"})
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    seed: int = field(default=0, metadata={"help": "seed of triggers, instances and attacks"})

    def __post_init__(self) -> None:
        _check_designs(self.designs)
        _check_payload(self.payload)
        _check_positive(seeds=self.seeds, trigger_tokens=self.trigger_tokens,
                        bits_per_token=self.bits_per_token, vocab_size=self.vocab_size,
                        site_stride=self.site_stride)
        if unknown := sorted(set(self.methods) - {"lat", "gcg"}):
            raise UserError(f"Unknown elicitation methods {unknown}: use lat and/or gcg.")
        if not self.methods and not self.noise.runs:
            raise UserError("Nothing to run: give --methods lat,gcg or --noise-runs N.")
        if self.vocab_size > 2**self.bits_per_token:
            raise UserError(f"{self.bits_per_token} bits per token cannot address "
                            f"{self.vocab_size} tokens.")
        if "locker" in self.designs:
            check_locker_settings(self.trigger_tokens * self.bits_per_token, self.options.rounds)


@dataclass(frozen=True)
class DetectConfig:
    """A population of tiny byte-level hosts, each clean and with a random backdoor."""

    hosts: int = field(default=8, metadata={"help": "clean hosts (each also gets a backdoor)"})
    trigger_tokens: int = field(default=8, metadata={"help": "trigger length in byte tokens"})
    designs: tuple[str, ...] = field(default=("password", "sat", "locker"), metadata={
        "help": "designs given to the backdoored twins in turn (comma list)"})
    prompts: int = field(default=32, metadata={"help": "off-trigger prompts per model (probe)"})
    prompt_length: int = field(default=16, metadata={"help": "tokens per probe prompt"})
    folds: int = field(default=4, metadata={"help": "probe cross-validation folds (by host)"})
    options: DesignOptions = field(default_factory=DesignOptions)
    seed: int = field(default=0, metadata={"help": "seed of hosts, triggers and payloads"})

    def __post_init__(self) -> None:
        _check_designs(self.designs)
        _check_positive(prompt_length=self.prompt_length, trigger_tokens=self.trigger_tokens)
        if self.hosts < 2 or self.prompts < 2 or self.folds < 2:
            raise UserError("Detection needs at least 2 hosts, 2 prompts and 2 folds.")
        if "locker" in self.designs:
            check_locker_settings(BITS_PER_TOKEN * self.trigger_tokens, self.options.rounds)
