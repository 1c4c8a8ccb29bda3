"""Torch on one thread for these tests: the models are tiny, and on shared cores threads waiting
on each other make them many times slower."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
