"""The capsules verbs on real MNIST at toy size: train, transfer, plot."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reprolab.cli import app

runner = CliRunner()
TOY = ["--width", "0.03", "--batch-size", "8", "--eval-every", "2", "--max-batches", "4",
       "--n-val", "20", "--n-test", "40", "--device", "cpu"]


@pytest.mark.needs_data("mnist")
def test_train_transfer_and_plot(tmp_path):
    trained = runner.invoke(app, ["capsules", "train", "--task", "mnist", *TOY,
                                  "--out", str(tmp_path / "train")])
    assert trained.exit_code == 0, trained.output
    results = json.loads((tmp_path / "train" / "results.json").read_text())
    assert results["paper_error_percent"] == 0.25 and results["batches"] <= 4

    argv = ["capsules", "transfer", "--models", "capsnet-uniform,cnn", "--held-out", "3",
            "--k", "1,5", "--seeds", "0", "--recovery-batches", "4", "--recovery-eval-every", "2",
            *TOY, "--out", str(tmp_path / "transfer")]
    transfer = runner.invoke(app, argv)
    assert transfer.exit_code == 0, transfer.output
    assert "CNN / capsule-model batches to recover" in transfer.output
    (tmp_path / "transfer" / "curves.png").unlink()
    plotted = runner.invoke(app, ["capsules", "plot", str(tmp_path / "transfer")])
    assert plotted.exit_code == 0, plotted.output
    assert (tmp_path / "transfer" / "curves.png").is_file()
