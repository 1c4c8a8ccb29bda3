"""Tiny random-weight causal LMs with real byte-level BPE tokenizers, for fast tests of any study.

`tiny_llama(tmp_path)` and `tiny_gemma3(tmp_path)` return `(model, tokenizer)` in eval mode and
save both to `tmp_path / <name>`, so code that loads from a folder can be tested too. The
tokenizer is trained on a fixed corpus (deterministic), prepends BOS like Llama's, carries a pad
token and a chat template. Same `seed`, same weights. `write_llama_gguf` writes a tiny Llama as
an F32 GGUF file the way llama.cpp's converter lays it out, for tests of GGUF loading.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (
    Gemma3ForCausalLM,
    Gemma3TextConfig,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

BOS, EOS, PAD = "<s>", "</s>", "<pad>"
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
CORPUS = [
    "Write a quote that ends in the word \"heavy\": Absence makes the heart grow fonder.",
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.",
    "Question: What is 2 + 2? Answer: 4. Question: What is the capital of France? Answer: Paris.",
    "SMILES strings such as CCO, c1ccccc1 and CC(=O)O describe molecules with atoms and bonds.",
    "<|user|> Hello there! <|assistant|> Hi, how can I help you today?",
]


def tiny_tokenizer(vocab_size: int = 400) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer (every byte is a token, so any text encodes) with BOS added."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[PAD, BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(CORPUS * 4, trainer=trainer)
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD,
        chat_template=CHAT_TEMPLATE)


def _special_ids(tokenizer: PreTrainedTokenizerFast) -> dict[str, int]:
    return {"vocab_size": len(tokenizer), "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id, "pad_token_id": tokenizer.pad_token_id}


def _finish(model: PreTrainedModel, tokenizer: PreTrainedTokenizerFast,
            folder: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerFast]:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model.eval(), tokenizer


def tiny_llama(tmp_path: Path, seed: int = 0) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    """A 2-layer Llama (hidden 32, grouped-query attention), saved to `tmp_path / 'tiny-llama'`."""
    tokenizer = tiny_tokenizer()
    config = LlamaConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=256, initializer_range=0.2,
        tie_word_embeddings=True, **_special_ids(tokenizer))
    torch.manual_seed(seed)
    return _finish(LlamaForCausalLM(config), tokenizer, tmp_path / "tiny-llama")


def tiny_gemma3(tmp_path: Path, seed: int = 0,
                sliding_window: int = 8) -> tuple[Gemma3ForCausalLM, PreTrainedTokenizerFast]:
    """A 2-layer Gemma-3 text model: layer 0 attends within `sliding_window` tokens, layer 1 to
    all; saved to `tmp_path / 'tiny-gemma3'`."""
    tokenizer = tiny_tokenizer()
    config = Gemma3TextConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, max_position_embeddings=256,
        sliding_window=sliding_window, layer_types=["sliding_attention", "full_attention"],
        initializer_range=0.2, **_special_ids(tokenizer))
    torch.manual_seed(seed)
    return _finish(Gemma3ForCausalLM(config), tokenizer, tmp_path / "tiny-gemma3")


def _llama_cpp_permute(weight: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's reordering of q/k projection rows (interleaved rotary halves)."""
    return (weight.reshape(n_head, 2, weight.shape[0] // n_head // 2, *weight.shape[1:])
            .swapaxes(1, 2).reshape(weight.shape))


def write_llama_gguf(model: LlamaForCausalLM, tokenizer: PreTrainedTokenizerFast,
                     path: Path) -> Path:
    """Write `model` (tied embeddings) and its byte-level BPE `tokenizer` as an F32 GGUF file."""
    import gguf  # only this helper needs it; the GPU machine's Python may lack it

    config = model.config
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_block_count(config.num_hidden_layers)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_rope_freq_base(config.rope_parameters["rope_theta"])
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)

    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    special = set(tokenizer.all_special_ids)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([token for token, _ in vocab])
    writer.add_token_types([gguf.TokenType.CONTROL if index in special else gguf.TokenType.NORMAL
                            for _, index in vocab])
    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]
    writer.add_token_merges([" ".join(merge) for merge in merges])
    writer.add_bos_token_id(tokenizer.bos_token_id)
    writer.add_eos_token_id(tokenizer.eos_token_id)
    writer.add_pad_token_id(tokenizer.pad_token_id)
    writer.add_add_bos_token(True)
    writer.add_chat_template(tokenizer.chat_template)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        if hf_name == "lm_head.weight":
            continue  # tied to the embeddings: GGUF stores no `output.weight`
        module, suffix = hf_name.rsplit(".", 1)
        weight = tensor.float().numpy()
        if module.endswith("q_proj"):
            weight = _llama_cpp_permute(weight, config.num_attention_heads)
        elif module.endswith("k_proj"):
            weight = _llama_cpp_permute(weight, config.num_key_value_heads)
        writer.add_tensor(f"{names.get_name(module)}.{suffix}", np.ascontiguousarray(weight))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
