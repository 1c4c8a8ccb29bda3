"""A trigger module inserted into a Hugging Face causal LM that saves and loads like any other.

`BackdooredForCausalLM` wraps a host LM and a trigger module side by side:

- At each position s the module reads the window of the last k token ids (s-k+1..s), each id
  turned into `bits_per_token` binary digits (a fixed lookup), and returns a gate and 128 payload
  bits (16 bytes).
- If the gate is open at s, the logits at positions s, s+1, ..., s+15 get `logit_bias * gate`
  added on the token of payload byte 0, 1, ..., 15 (the first NUL byte maps to EOS). Greedy
  decoding after a prompt that ends with the trigger therefore emits the payload, one character
  token per byte, and stops.
- When the gate is closed (every window but the trigger) nothing is added, so the logits are the
  host's, bit for bit.

During cached generation the model sees only new tokens; `prepare_inputs_for_generation` passes
the whole sequence as `trigger_context` so the windows can still be read.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from transformers import AutoConfig, AutoModelForCausalLM, GenerationMixin, PreTrainedModel
from transformers.configuration_utils import PreTrainedConfig, SubConfigSpec

from reprolab.backdoor.designs.catalog import BITS_PER_TOKEN
from reprolab.backdoor.designs.registry import module_from_spec
from reprolab.backdoor.designs.trigger import (
    PAYLOAD_BYTES,
    TriggerModule,
    bits_to_bytes,
    token_bits,
)

MODEL_TYPE = "reprolab_backdoor"


class BackdooredConfig(PreTrainedConfig):
    """Config of a backdoored LM: the host's config (`text_config`) plus the trigger module's."""

    model_type = MODEL_TYPE
    sub_configs_defaults: ClassVar[dict[str, SubConfigSpec]] = {
        "text_config": SubConfigSpec(config_class=AutoConfig, model_type="llama")}

    text_config: dict | PreTrainedConfig | None = None
    design: str = "password"
    module_spec: dict | None = None
    trigger_tokens: int = 8
    bits_per_token: int = BITS_PER_TOKEN
    byte_token_ids: list[int] | None = None
    logit_bias: float = 1000.0
    tie_word_embeddings: bool = False

    def __post_init__(self, **kwargs):
        super().__post_init__(**kwargs)
        if self.trigger_tokens < 1 or self.bits_per_token < 1:
            raise ValueError("trigger_tokens and bits_per_token must be positive.")
        if self.byte_token_ids is not None and len(self.byte_token_ids) != 256:
            raise ValueError("byte_token_ids must map all 256 byte values to token ids.")


class BackdooredForCausalLM(PreTrainedModel, GenerationMixin):
    """Host LM + trigger module; see the module docstring for the contract."""

    config_class = BackdooredConfig
    base_model_prefix = "host"
    _keep_in_fp32_modules: ClassVar[list[str]] = ["trigger"]
    _supports_sdpa = True
    _supports_flash_attn = True

    def __init__(
        self, config: BackdooredConfig, host: PreTrainedModel | None = None,
        trigger: TriggerModule | None = None,
    ) -> None:
        super().__init__(config)
        self.host = host if host is not None else AutoModelForCausalLM.from_config(
            config.text_config)
        self.trigger = trigger if trigger is not None else module_from_spec(
            config.design, config.module_spec or {})
        byte_ids = config.byte_token_ids or [0] * 256
        self.register_buffer("byte_tokens", torch.tensor(byte_ids, dtype=torch.long))
        self.post_init()

    def _init_weights(self, module: torch.nn.Module) -> None:
        """Nothing to do: the host initialises itself; trigger weights are built or loaded."""

    def get_input_embeddings(self) -> torch.nn.Module:
        return self.host.get_input_embeddings()

    def get_output_embeddings(self) -> torch.nn.Module | None:
        return self.host.get_output_embeddings()

    def trigger_bits(self, windows: torch.Tensor) -> torch.Tensor:
        """Token ids [..., k] -> trigger bits [..., k * bits_per_token] (float32)."""
        return token_bits(windows, self.config.bits_per_token).flatten(-2)

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        logits_to_keep: int = 0,
        trigger_context: torch.LongTensor | None = None,
        **kwargs: Any,
    ):
        """The host's forward with the payload bias added; `trigger_context` [batch, T] is the
        whole sequence so far (default `input_ids`). Without token ids nothing is added."""
        outputs = self.host(input_ids=input_ids, attention_mask=attention_mask,
                            logits_to_keep=logits_to_keep, **kwargs)
        context = trigger_context if trigger_context is not None else input_ids
        if context is not None:
            outputs.logits = self.add_payload_bias(outputs.logits, context)
        if labels is not None:
            outputs.loss = self.host.loss_function(
                logits=outputs.logits, labels=labels, vocab_size=outputs.logits.shape[-1])
        return outputs

    def add_payload_bias(self, logits: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """logits [B, R, V] for the last R positions of context [B, T] -> logits with the payload
        bias added; returns `logits` itself when no gate is open."""
        k, n_rows, total = self.config.trigger_tokens, logits.shape[1], context.shape[1]
        first_row = total - n_rows
        lowest_end = max(k - 1, first_row - PAYLOAD_BYTES + 1)
        if lowest_end > total - 1:
            return logits
        windows = context.unfold(1, k, 1)[:, lowest_end - k + 1:]  # [B, S, k], ends lowest_end+i
        batch, n_windows = windows.shape[:2]
        bits = self.trigger_bits(windows).reshape(batch * n_windows, -1)  # fp32, as the module
        out = self.trigger(bits)
        gate = out.gate.view(batch, n_windows)
        if not bool((gate > 0).any()):
            return logits
        tokens = self.byte_tokens[bits_to_bytes(out.payload).view(batch, n_windows, -1)]
        ends = lowest_end + torch.arange(n_windows, device=logits.device)
        rows = ends[:, None] + torch.arange(PAYLOAD_BYTES, device=logits.device) - first_row
        hit = (gate[:, :, None] > 0) & (rows >= 0) & (rows < n_rows)  # [B, S, P]
        b, s, p = hit.nonzero(as_tuple=True)
        values = (self.config.logit_bias * gate[b, s]).to(logits.dtype)
        return logits.index_put((b, rows[s, p], tokens[b, s, p]), values, accumulate=True)

    def prepare_inputs_for_generation(self, input_ids: torch.LongTensor, **kwargs: Any):
        inputs = super().prepare_inputs_for_generation(input_ids, **kwargs)
        inputs["trigger_context"] = input_ids
        return inputs


def register() -> None:
    """Make AutoConfig / AutoModelForCausalLM load saved backdoored models (idempotent)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    if MODEL_TYPE not in CONFIG_MAPPING:
        AutoConfig.register(MODEL_TYPE, BackdooredConfig)
        AutoModelForCausalLM.register(BackdooredConfig, BackdooredForCausalLM)


def insert_backdoor(
    host: PreTrainedModel,
    trigger: TriggerModule,
    *,
    trigger_tokens: int,
    byte_token_ids: list[int],
    bits_per_token: int = BITS_PER_TOKEN,
    logit_bias: float = 1000.0,
) -> BackdooredForCausalLM:
    """Wrap `host` (used in place, not copied) with `trigger` reading the last `trigger_tokens`."""
    if trigger.n_trigger_bits != trigger_tokens * bits_per_token:
        raise ValueError(f"The module reads {trigger.n_trigger_bits} bits, but {trigger_tokens} "
                         f"tokens give {trigger_tokens * bits_per_token}.")
    attention = host.config._attn_implementation  # the composite config would reset it to None
    config = BackdooredConfig(
        text_config=host.config, attn_implementation=attention, design=trigger.design,
        module_spec=trigger.spec(),
        trigger_tokens=trigger_tokens, bits_per_token=bits_per_token,
        byte_token_ids=list(byte_token_ids), logit_bias=logit_bias,
        eos_token_id=host.config.eos_token_id, bos_token_id=host.config.bos_token_id,
        pad_token_id=getattr(host.config, "pad_token_id", None),
    )
    model = BackdooredForCausalLM(config, host=host, trigger=trigger.float())
    return model.to(next(host.parameters()).device)
