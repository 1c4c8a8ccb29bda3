"""Checkpoints: a save/load round trip resumes training exactly; broken files are one UserError."""

from __future__ import annotations

import pytest
import torch

from reprolab.core.checkpoints import load_checkpoint, save_checkpoint
from reprolab.core.errors import UserError


def _model_and_optimizer(seed: int) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


def _train(model, optimizer, steps: int) -> None:
    for _ in range(steps):
        x = torch.randn(5, 3)  # from the global RNG: its state must be restored too
        loss = model(x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_resumed_training_equals_uninterrupted_training(tmp_path):
    straight, straight_opt = _model_and_optimizer(0)
    _train(straight, straight_opt, 6)

    first, first_opt = _model_and_optimizer(0)
    _train(first, first_opt, 3)
    path = save_checkpoint(tmp_path / "ckpt.safetensors", first, first_opt, step=3,
                           extra={"best": 0.5})
    torch.manual_seed(123)  # disturb the RNG: loading must put it back
    resumed, resumed_opt = _model_and_optimizer(1)
    state = load_checkpoint(path, resumed, resumed_opt)
    assert state.step == 3 and state.extra == {"best": 0.5}
    _train(resumed, resumed_opt, 3)
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)


def test_save_is_atomic_and_leaves_no_partial_file(tmp_path):
    model, optimizer = _model_and_optimizer(0)
    path = save_checkpoint(tmp_path / "a" / "ckpt.safetensors", model, None, step=0)
    assert sorted(p.name for p in path.parent.iterdir()) == ["ckpt.safetensors"]
    with pytest.raises(UserError, match="holds no optimiser state"):
        load_checkpoint(path, model, optimizer)


def test_broken_missing_and_mismatched_checkpoints_are_user_errors(tmp_path):
    model, _ = _model_and_optimizer(0)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(UserError, match="not a readable reprolab checkpoint"):
        load_checkpoint(broken, model)
    with pytest.raises(UserError, match="No checkpoint"):
        load_checkpoint(tmp_path / "absent.safetensors", model)
    path = save_checkpoint(tmp_path / "ckpt.safetensors", model, None, step=1)
    other = torch.nn.Linear(3, 2)
    with pytest.raises(UserError, match="does not fit this model"):
        load_checkpoint(path, other)
