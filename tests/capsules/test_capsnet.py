"""Routing invariants, hand-computed squash and margin-loss cases, model shapes and sizes."""

from __future__ import annotations

import math

import pytest
import torch

from reprolab.capsules.capsnet import CapsNet, CapsNetConfig, RoutedCapsules, route, squash
from reprolab.capsules.losses import correct, margin_loss, multi_hot, objective
from reprolab.capsules.models import MODEL_NAMES, ModelSpec, count_parameters

TINY = CapsNetConfig(canvas=28, conv_channels=4, primary_types=2, primary_dim=4, digit_dim=6,
                     decoder=(8, 16))


def test_squash_by_hand():
    s = torch.tensor([[3.0, 4.0], [0.0, 0.0], [1e3, 0.0]])
    v = squash(s)
    assert torch.allclose(v[0], torch.tensor([3.0, 4.0]) * (25 / 26) / 5)  # |v| = 25/26
    assert torch.equal(v[1], torch.zeros(2))
    assert (v.norm(dim=1) < 1).all()


def test_couplings_sum_to_one_and_lengths_stay_below_one():
    torch.manual_seed(0)
    u_hat = 5 * torch.randn(3, 7, 4, 5)
    for iterations in (1, 2, 3, 5):
        v, c = route(u_hat, iterations)
        assert v.shape == (3, 4, 5) and c.shape == (3, 7, 4)
        assert torch.allclose(c.sum(dim=2), torch.ones(3, 7))
        assert (v.norm(dim=-1) < 1).all()


def test_one_iteration_is_uniform_coupling():
    torch.manual_seed(1)
    u_hat = torch.randn(2, 6, 3, 4)
    v, c = route(u_hat, 1)
    assert torch.allclose(c, torch.full_like(c, 1 / 3))
    assert torch.allclose(v, squash(u_hat.mean(dim=1) * 6 / 3))  # s = sum_i u_hat / O


def test_routing_moves_coupling_toward_agreeing_parents():
    u_hat = torch.zeros(1, 4, 2, 2)
    u_hat[0, :, 0] = torch.tensor([1.0, 0.0])  # all children agree on parent 0
    u_hat[0, :, 1] = torch.tensor([[1.0, 0], [-1, 0], [0, 1], [0, -1]])  # they cancel on parent 1
    _, c = route(u_hat, 3)
    assert (c[0, :, 0] > 0.5).all()


def test_routed_layer_equals_a_per_image_loop():
    torch.manual_seed(2)
    layer = RoutedCapsules(n_in=5, d_in=3, n_out=4, d_out=2, iterations=3)
    u = torch.randn(3, 5, 3)
    v, _ = layer(u)
    for b in range(3):  # the textbook formulation, one image and one child at a time
        u_hat = torch.stack([layer.weight[i] @ u[b, i] for i in range(5)])  # (I, O, d_out)
        expected, _ = route(u_hat[None], 3)
        assert torch.allclose(v[b], expected[0], atol=1e-6)


def test_margin_loss_by_hand():
    scores = torch.tensor([[0.95, 0.05, 0.5], [0.5, 0.3, 0.0]])
    labels = torch.tensor([[0], [1]])
    # row 1: present 0 (0.95 > 0.9); absent 0 (0.05 < 0.1) and 0.5*(0.5-0.1)^2 = 0.08
    # row 2: present (0.9-0.3)^2 = 0.36; absent 0.5*(0.4)^2 = 0.08 and 0
    assert math.isclose(margin_loss(scores, labels).item(), (0.08 + 0.44) / 2, rel_tol=1e-6)
    assert margin_loss(torch.tensor([[0.9, 0.1]]), torch.tensor([[0]])).item() == 0.0


def test_correct_needs_both_digits():
    scores = torch.tensor([[0.9, 0.8, 0.1], [0.9, 0.1, 0.8]])
    assert correct(scores, torch.tensor([[1, 0], [0, 1]])).tolist() == [True, False]
    assert multi_hot(torch.tensor([[2, 0]]), 3).tolist() == [[1.0, 0.0, 1.0]]


def test_capsnet_shapes_masks_and_gradients():
    torch.manual_seed(3)
    model = CapsNet(TINY)
    images = torch.rand(2, 1, 28, 28)
    labels = torch.tensor([[1, 4], [0, 9]])
    out = model(images, labels)
    assert out.scores.shape == (2, 10) and out.reconstructions.shape == (2, 2, 784)
    assert out.coupling.shape == (2, 2 * 6 * 6, 10)
    loss = objective(out, labels, torch.rand(2, 2, 28, 28))
    loss.backward()
    assert model.digits.weight.grad.abs().sum() > 0 and model.conv.weight.grad.abs().sum() > 0
    predicted = model(images, n_digits=2).reconstructions
    assert predicted.shape == (2, 2, 784)


def test_sabour_sizes():
    assert count_parameters(CapsNet(CapsNetConfig())) == 8_215_568  # 8.2M as published
    no_decoder = CapsNet(CapsNetConfig(decoder=()))
    assert count_parameters(no_decoder) == 6_804_224


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_named_model_runs_at_a_small_width(name):
    model = ModelSpec(name, width=1 / 32, canvas=36).build()
    out = model(torch.rand(3, 1, 36, 36), torch.tensor([[0, 1]] * 3), n_digits=2)
    assert out.scores.shape == (3, 10)
    assert ((out.scores >= 0) & (out.scores <= 1)).all()
    assert (out.reconstructions is None) == (name.endswith("nogen") or name == "cnn")


def test_two_routed_layers_start_with_capsules_that_can_learn():
    torch.manual_seed(0)
    model = ModelSpec("capsnet-ir", width=1 / 16, canvas=36).build()
    images = torch.rand(4, 1, 36, 36) * (torch.rand(4, 1, 36, 36) > 0.8)
    assert model(images).scores.mean() > 1e-6  # a fixed 0.01 weight scale gives ~1e-17
