"""Settings of the inverse-scaling verbs, one dataclass each: the CLI's options are generated
from them (`reprolab.core.cli.config_options`) and runs save them in `config.json`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import get_args

from reprolab.core.device import DEVICE_HELP
from reprolab.core.errors import UserError
from reprolab.invscale.examples import TASK_TYPES, TaskType
from reprolab.invscale.tasks import Source
from reprolab.invscale.trends import TrendSettings


@dataclass(frozen=True)
class LadderConfig:
    """What a ladder run evaluates and how. The bootstrap is seeded with `seed` (the run's
    seed), whatever `trend.seed` was given."""

    tasks: tuple[str, ...] = field(default=("memo-trap", "neqa"), metadata={
        "help": "Winner names, pilot:NAME, or prize-format JSONL/CSV paths."})
    models: tuple[str, ...] = field(default=("smollm2-135m", "gemma3-270m"), metadata={
        "help": "Packaged model names, local folders or Hugging Face ids."})
    limit: int | None = field(default=None, metadata={
        "help": "Evaluate only the first N examples of each task (a labelled subset)."})
    batch_size: int = field(default=16, metadata={"help": "Sequences per forward pass."})
    max_length: int | None = field(default=None, metadata={
        "help": "Truncate inputs to this many tokens from the left (default: the model's)."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})
    seed: int = field(default=0, metadata={
        "help": "Seed for sampling (numeric tasks) and the bootstrap."})
    source: Source = field(default="auto", metadata={
        "help": "Where winners come from: auto (local file, else the Hub), local or hub."})
    task_type: TaskType | None = field(default=None, metadata={
        "help": "The type of task files (e.g. absolute_logodds for a logodds file); "
                "winners keep their own."})
    trend: TrendSettings = field(default_factory=TrendSettings, metadata={
        "help": "Bootstrap and trend-classifier settings."})

    def __post_init__(self) -> None:
        if not self.tasks or not self.models:
            raise UserError("Give at least one task (--tasks) and one model (--models).")
        if len(set(self.models)) != len(self.models):
            raise UserError(f"A model is listed twice in --models {','.join(self.models)}.")
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be >= 1, got {self.limit}.")
        if self.batch_size < 1:
            raise UserError(f"--batch-size must be >= 1, got {self.batch_size}.")
        if self.max_length is not None and self.max_length < 1:
            raise UserError(f"--max-length must be >= 1 (or left out for the model's), got "
                            f"{self.max_length}.")
        if self.source not in get_args(Source):
            raise UserError(f"--source must be one of {', '.join(get_args(Source))}, got "
                            f"{self.source!r}.")
        if self.task_type is not None and self.task_type not in TASK_TYPES:
            raise UserError(f"--task-type must be one of {', '.join(TASK_TYPES)}, got "
                            f"{self.task_type!r}.")
        object.__setattr__(self, "trend", replace(self.trend, seed=self.seed))


@dataclass(frozen=True)
class PilotConfig:
    """Which of the organisers' pilot runs to analyse, and how trends are estimated."""

    runs: tuple[str, ...] | None = field(default=None, metadata={
        "help": "Pilot run names (default: all)."})
    trend: TrendSettings = field(default_factory=TrendSettings, metadata={
        "help": "Bootstrap and trend-classifier settings."})


@dataclass(frozen=True)
class ParityConfig:
    """Which model and classification tasks to score with both reprolab and lm-eval."""

    model: str = field(default="smollm2-135m", metadata={
        "help": "Packaged model name or local transformers folder."})
    tasks: tuple[str, ...] = field(default=("memo-trap", "neqa"), metadata={
        "help": "Classification winners to compare."})
    limit: int | None = field(default=None, metadata={"help": "First N items per task."})
    batch_size: int = field(default=8, metadata={"help": "Batch size of both sides."})
    device: str = field(default="auto", metadata={"help": DEVICE_HELP})

    def __post_init__(self) -> None:
        if not self.tasks:
            raise UserError("Give at least one task (--tasks).")
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be >= 1, got {self.limit}.")
        if self.batch_size < 1:
            raise UserError(f"--batch-size must be >= 1, got {self.batch_size}.")
