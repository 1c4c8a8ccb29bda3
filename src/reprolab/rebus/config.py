"""Settings of the REBUS runs, one dataclass per job, each field with its help text.

The CLI generates its options from these (`reprolab.core.cli.config_options`), so defaults and
help live here once; `__post_init__` rejects bad values with a one-line `UserError`. Kept free
of pandas and torch, so `reprolab --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from reprolab.core.device import DEVICE_HELP
from reprolab.core.errors import UserError
from reprolab.lm.backends import DEFAULT_CACHE_PATH, PROVIDERS, ChatBackend, open_backend
from reprolab.lm.backends.credentials import public_url
from reprolab.rebus.data.dataset import SOURCES
from reprolab.rebus.prompts import PROMPTS, resolve_prompt


def check_at_least(least: int, **values: int | None) -> None:
    """A `UserError` naming the first option whose value is below `least` (None is not set)."""
    for name, value in values.items():
        if value is not None and value < least:
            raise UserError(f"--{name.replace('_', '-')} must be at least {least}, got {value}.")


def check_spec(option: str, spec: str) -> None:
    """A `UserError` unless `spec` reads PROVIDER/MODEL with a known provider."""
    if "/" not in spec:
        raise UserError(f"--{option} {spec!r} should read PROVIDER/MODEL, "
                        "e.g. openai/gpt-4o or hf/path/to/model.")
    PROVIDERS[spec.partition("/")[0]]  # an unknown provider fails here, with suggestions


@dataclass(frozen=True)
class RegradeConfig:
    """Settings of a re-grade of the released answers."""

    seed: int = field(default=0, metadata={"help": "bootstrap seed"})


@dataclass(frozen=True)
class EvalConfig:
    """Settings of one evaluation run."""

    model: str = field(metadata={"help": "backend spec: openai/gpt-4o, anthropic/..., gemini/..., "
                                         "openai-compatible/..., hf/PATH_OR_ID"})
    prompt: str = field(default="auto", metadata={
        "help": f"prompt variant: auto or one of {', '.join(PROMPTS)}"})
    limit: int | None = field(default=None, metadata={"help": "first N puzzles only"})
    max_tokens: int = field(default=2000, metadata={"help": "response token limit (paper: 2000)"})
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature"})
    seed: int = field(default=0, metadata={"help": "random seed (sampling backends, bootstrap)"})
    fallbacks: bool = field(default=True, metadata={
        "help": "use extraction fallbacks when a response has no {{{answer}}}"})
    concurrency: int = field(default=4, metadata={"help": "calls in flight / local batch size"})
    max_retries: int = field(default=6, metadata={"help": "retries per failed call"})
    base_url: str | None = field(default=None, metadata={
        "help": "server URL (compatible APIs, proxies); user:password@ is never written down"})
    cache: Path | None = field(default=None, metadata={
        "help": f"response cache file (default {DEFAULT_CACHE_PATH})"})
    device: str = field(default="auto", metadata={
        "help": f"torch device for hf/ models: {DEVICE_HELP}"})
    source: str = field(default="local", metadata={
        "help": f"puzzles from: {', '.join(SOURCES)}"})
    judge: str | None = field(default=None, metadata={
        "help": "judge backend spec for the diagnostic answer and explanation judges"})
    judge_base_url: str | None = field(default=None, metadata={
        "help": "the judge's server URL; user:password@ is never written down"})

    def __post_init__(self) -> None:
        check_spec("model", self.model)
        resolve_prompt(self.prompt, self.model)
        check_at_least(1, limit=self.limit, max_tokens=self.max_tokens,
                       concurrency=self.concurrency)
        check_at_least(0, max_retries=self.max_retries)
        if self.temperature < 0:
            raise UserError(f"--temperature must be >= 0, got {self.temperature}.")
        if self.source not in SOURCES:
            raise UserError(f"--source {self.source!r} is not one of {', '.join(SOURCES)}.")
        if self.judge is not None:
            self.judge_config()  # checks the judge's settings
        if self.model.startswith("hf/"):
            from reprolab.core.device import choose_device

            choose_device(self.device)  # a bad --device fails before any model loads

    def recorded(self) -> EvalConfig:
        """These settings as written to the run record: server URLs without credentials."""
        return replace(self, base_url=self.base_url and public_url(self.base_url),
                       judge_base_url=self.judge_base_url and public_url(self.judge_base_url))

    def judge_config(self) -> JudgeConfig:
        """The judge's settings (sharing the response cache), when `judge` is set."""
        assert self.judge is not None, "no judge was asked for"
        return JudgeConfig(judge=self.judge, base_url=self.judge_base_url, cache=self.cache,
                           max_retries=self.max_retries, concurrency=self.concurrency)

    def open(self) -> ChatBackend:
        return open_backend(self.model, base_url=self.base_url, cache_path=self.cache,
                            max_retries=self.max_retries, concurrency=self.concurrency,
                            device=self.device)


@dataclass(frozen=True)
class JudgeConfig:
    """The judge model and its call settings."""

    judge: str = field(metadata={"help": "judge backend spec, e.g. openai/gpt-4o"})
    max_tokens: int = field(default=512, metadata={"help": "judge response token limit"})
    concurrency: int = field(default=4, metadata={"help": "judge calls in flight"})
    max_retries: int = field(default=6, metadata={"help": "retries per failed call"})
    base_url: str | None = field(default=None, metadata={
        "help": "judge server URL; user:password@ is never written down"})
    cache: Path | None = field(default=None, metadata={"help": "response cache file"})

    def __post_init__(self) -> None:
        check_spec("judge", self.judge)
        check_at_least(1, max_tokens=self.max_tokens, concurrency=self.concurrency)
        check_at_least(0, max_retries=self.max_retries)

    def recorded(self) -> JudgeConfig:
        """These settings as written to the run record: the server URL without credentials."""
        return replace(self, base_url=self.base_url and public_url(self.base_url))

    def open(self) -> ChatBackend:
        return open_backend(self.judge, base_url=self.base_url, cache_path=self.cache,
                            max_retries=self.max_retries, concurrency=self.concurrency)


@dataclass(frozen=True)
class JudgeRunConfig:
    """What `reprolab rebus judge` judges, and with which judge."""

    judge: JudgeConfig
    run: Path | None = field(default=None, metadata={
        "help": "an eval run folder; default: the released raw outputs"})
    limit: int | None = field(default=None, metadata={
        "help": "judge the first N correct answers per model"})

    def __post_init__(self) -> None:
        check_at_least(1, limit=self.limit)
        if self.run is not None and not (self.run / "records.jsonl").is_file():
            raise UserError(f"--run {self.run} holds no records.jsonl: give the folder of a "
                            "`reprolab rebus eval` run.")

    def recorded(self) -> JudgeRunConfig:
        """These settings as written to the run record: the judge's URL without credentials."""
        return replace(self, judge=self.judge.recorded())
