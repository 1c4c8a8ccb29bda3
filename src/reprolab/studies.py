"""The six studies: names, papers, datasets, and where their CLI and reproductions live.

Each study package has `cli.py` (a typer `app`), `quick.py` (`run_quick`: the minutes-long smoke
check) and `full.py` (`run_full`: the real-scale reproduction behind `results/<study>/`), both
taking a `StudyContext` and returning a `StudyResult`.

Modules are named as strings and imported on demand, so `reprolab --help` stays fast and a study
that is not built yet is reported in one line instead of failing the whole program.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reprolab.core.registry import Registry

if TYPE_CHECKING:
    from reprolab.core.report import StudyContext, StudyResult


class StudyNotBuiltError(RuntimeError):
    """The study's package does not exist yet in this version of reprolab."""


@dataclass(frozen=True)
class StudyInfo:
    name: str
    title: str
    paper: str
    package: str
    datasets: tuple[str, ...] = ()

    def module(self, name: str):
        """Import `reprolab.<study>.<name>`, or raise `StudyNotBuiltError`."""
        try:
            return importlib.import_module(f"{self.package}.{name}")
        except ModuleNotFoundError as error:
            if error.name and (error.name == self.package or error.name.startswith(self.package)):
                raise StudyNotBuiltError(f"Study {self.name!r} is not built yet.") from None
            raise

    def reproduction(self, quick: bool) -> Callable[[StudyContext], StudyResult]:
        """`<package>.quick.run_quick`, or `<package>.full.run_full` for the real-scale run."""
        return self.module("quick").run_quick if quick else self.module("full").run_full


STUDIES: Registry[StudyInfo] = Registry("study")
for _info in (
    StudyInfo("chem", "SmileyLlama: LLMs as chemical language models",
              "Cavanagh et al. 2024, arXiv 2409.02231", "reprolab.chem", ("moses",)),
    StudyInfo("backdoor", "Unelicitable backdoors via cryptographic transformer circuits",
              "Draguns, Gritsevskiy et al., NeurIPS 2024, arXiv 2406.02619", "reprolab.backdoor"),
    StudyInfo("rebus", "REBUS: rebus puzzles for multimodal LLMs",
              "Gritsevskiy et al. 2024, arXiv 2401.05604", "reprolab.rebus", ("rebus",)),
    StudyInfo("invscale", "Inverse scaling: when bigger isn't better",
              "McKenzie et al., TMLR 2023, arXiv 2306.09479", "reprolab.invscale",
              ("inverse-scaling",)),
    StudyInfo("science4cast", "Science4Cast: forecasting links in a semantic network of AI",
              "Krenn et al., Nature Machine Intelligence 2023, arXiv 2210.00881",
              "reprolab.science4cast", ("science4cast",)),
    StudyInfo("capsules", "Capsule networks for low-data transfer on MultiMNIST",
              "Gritsevskiy & Korablyov 2018, arXiv 1804.10172", "reprolab.capsules", ("mnist",)),
):
    STUDIES.register(_info.name, _info)
