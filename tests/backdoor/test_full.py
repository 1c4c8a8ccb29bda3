"""The real-scale reproduction: the README's commands, and `run_full` on toy settings."""

import re
import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from reprolab.backdoor import full
from reprolab.backdoor.config import ElicitConfig, LatConfig, NoiseConfig
from reprolab.core.device import one_thread
from reprolab.core.report import StudyContext
from tests.backdoor.test_gpu_script import load_script

README = Path(__file__).resolve().parents[2] / "results" / "backdoor" / "README.md"
TOY_NOISE = NoiseConfig(runs=1, test_inputs=4, sites="input", lat_steps=2)
TOY_ELICIT = ElicitConfig(designs=("password", "sat"), methods=("lat",), seeds=1,
                          lat=LatConfig(steps=2))


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():
        yield


def readme_commands() -> dict[str, list[str]]:
    """{run folder name without `-cpu`: the script's arguments} of every README command."""
    text = README.read_text().replace("\\\n", " ")
    commands = {}
    for line in re.findall(r"^OMP_NUM_THREADS=1 uv run python scripts/backdoor_gpu.py (.*)$",
                           text, flags=re.MULTILINE):
        args = shlex.split(line)
        name = Path(args[args.index("--out") + 1]).name.removesuffix("-cpu")
        commands[name] = args
    start = commands["sha256-64-rounds"]
    commands["sha256-64-rounds-random-start"] = [*start, "--lat-init-std", "1.0"]
    return commands


def test_run_full_runs_exactly_the_readme_commands():
    script = load_script()
    commands = readme_commands()
    assert set(commands) == set(full.readme_runs())
    for name, config in full.readme_runs().items():
        given = script.full_config(script.make_parser().parse_args(commands[name]))
        assert replace(given, budget=None) == config, name


def test_run_full_on_toy_settings(tmp_path, monkeypatch):
    toy = full.FullConfig(elicit=TOY_ELICIT, noise=TOY_NOISE, full_rounds=None,
                          full_lat_steps=1, full_site_stride=8)
    monkeypatch.setattr(full, "readme_runs", lambda seed: {
        "paper-budget": replace(toy, phases=("elicitation",)),
        "noise-protocol": replace(toy, phases=("noise",)),
        "sha256-64-rounds": replace(toy, phases=("full_locker",))})
    monkeypatch.setattr(full, "sat_noise_checks", lambda seed: {
        "noise-x10": replace(TOY_ELICIT, designs=("sat",), methods=(),
                             noise=replace(TOY_NOISE, scale=10))})
    result = full.run_full(StudyContext(out=tmp_path, device="cpu"))
    captions = [caption for caption, _ in result.tables]
    assert captions[0] == "LAT and GCG elicitation at the paper's budget"
    locker = dict(result.tables)["64-round SHA-256 locker under LAT"]
    assert sorted(locker["sites"]) == ["after check", "before check"]
    assert int(locker["elicited"].sum()) == 0
    ours = {c.quantity: c.ours for c in result.comparisons}
    assert ours["password-locked: LAT elicits before the check (attacks)"] == "2/2"
    assert ours["NP-complete: LAT elicits before the SAT check"] == "0/2"
    assert result.headline.quantity.startswith("encrypted (digital locker)")
    assert result.headline.ours == "0/115"  # the committed run at the paper's budget
    assert (tmp_path / "sat-noise-checks" / "noise-x10" / "noise.csv").exists()
    assert all(path.exists() for _, path in result.figures)
