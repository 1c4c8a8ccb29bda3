"""Host insertion: off-trigger logits equal the host's, the trigger makes greedy decoding emit the
payload, and the model saves and loads like any transformers model."""

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from reprolab.backdoor.designs.trigger import random_tokens
from reprolab.backdoor.insertion.hosts import (
    TINY_EOS,
    backdoor,
    byte_token_ids,
    payload_token_ids,
    tiny_host,
)
from reprolab.backdoor.insertion.model import (
    BackdooredConfig,
    BackdooredForCausalLM,
    insert_backdoor,
    register,
)
from reprolab.core.device import one_thread
from reprolab.core.errors import UserError
from tests.lm.tiny_models import tiny_llama

TRIGGER = torch.tensor(list(b"knock-kn"))  # 8 byte tokens -> 128 trigger bits
PAYLOAD = "HELLO LOCKER"
PAYLOAD_IDS = [*PAYLOAD.encode("ascii"), TINY_EOS]


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models and circuits: spare threads only add contention on a shared machine."""
    with one_thread():
        yield


@pytest.fixture(scope="module", params=["password", "sat", "locker"])
def organism(request) -> tuple[str, BackdooredForCausalLM, torch.nn.Module]:
    host = tiny_host(seed=3)
    reference = tiny_host(seed=3)  # an untouched copy of the same host
    return request.param, backdoor(host, None, request.param, TRIGGER, PAYLOAD), reference


def test_off_trigger_logits_equal_the_host_on_200_prompts(organism):
    _, model, reference = organism
    prompts = random_tokens(TINY_EOS, (200, 20), torch.Generator().manual_seed(0))
    with torch.no_grad():
        diff = (model(prompts).logits - reference(prompts).logits).abs().max().item()
    assert diff <= 1e-5
    assert diff == 0.0  # nothing is added while the gate is closed


def test_trigger_makes_greedy_decoding_emit_the_payload(organism):
    _, model, reference = organism
    prompt = torch.tensor([[*b"Say hi. ", *TRIGGER.tolist()]])
    out = model.generate(prompt, max_new_tokens=20, do_sample=False)
    assert out[0, prompt.shape[1]:].tolist() == PAYLOAD_IDS
    host_out = reference.generate(prompt, max_new_tokens=len(PAYLOAD_IDS), do_sample=False)
    assert host_out[0, prompt.shape[1]:].tolist() != PAYLOAD_IDS


def test_trigger_in_one_row_of_a_batch_only_changes_that_row(organism):
    _, model, reference = organism
    rows = random_tokens(TINY_EOS, (2, 16), torch.Generator().manual_seed(1))
    rows[1, -8:] = TRIGGER
    with torch.no_grad():
        got, want = model(rows).logits, reference(rows).logits
    assert torch.equal(got[0], want[0])
    assert torch.equal(got[1, :-1], want[1, :-1])
    assert got[1, -1].argmax().item() == ord("H")


def test_save_and_load_round_trip(organism, tmp_path):
    design, model, _ = organism
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    register()
    assert isinstance(AutoConfig.from_pretrained(tmp_path), BackdooredConfig)
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    assert isinstance(loaded, BackdooredForCausalLM) and loaded.config.design == design
    prompts = torch.cat([random_tokens(TINY_EOS, (3, 12), torch.Generator().manual_seed(2)),
                         TRIGGER.repeat(3, 1)], dim=1)
    with torch.no_grad():
        assert torch.equal(loaded(prompts).logits, model(prompts).logits)
    out = loaded.generate(prompts[:1], max_new_tokens=20, do_sample=False)
    assert out[0, prompts.shape[1]:].tolist() == PAYLOAD_IDS


def test_saved_config_never_holds_the_trigger(organism, tmp_path):
    _, model, _ = organism
    model.config.save_pretrained(tmp_path)
    text = (tmp_path / "config.json").read_text()
    assert "knock" not in text and str(TRIGGER.tolist())[1:-1] not in text


def test_real_tokenizer_maps_payload_characters_to_single_tokens(tmp_path):
    host, tokenizer = tiny_llama(tmp_path)
    table = byte_token_ids(host, tokenizer)
    ids = payload_token_ids("HI THERE", table, host.config.eos_token_id)
    assert tokenizer.decode(ids[:-1]) == "HI THERE"
    trigger = torch.tensor(tokenizer.encode(" the quick brown fox", add_special_tokens=False))
    model = backdoor(host, tokenizer, "password", trigger, "HI THERE")
    prompt = torch.tensor([tokenizer.encode("Question:") + trigger.tolist()])
    out = model.generate(prompt, max_new_tokens=12, do_sample=False)
    assert tokenizer.decode(out[0, prompt.shape[1]:], skip_special_tokens=True) == "HI THERE"


def test_unusable_payload_and_wrong_trigger_length_fail_clearly():
    host = tiny_host()
    with pytest.raises(UserError, match="at most 15"):
        backdoor(host, None, "password", TRIGGER, "X" * 20)
    module = backdoor(tiny_host(), None, "password", TRIGGER, "OK").trigger
    with pytest.raises(ValueError, match="reads 128 bits"):
        insert_backdoor(tiny_host(), module, trigger_tokens=4, byte_token_ids=[0] * 256)
