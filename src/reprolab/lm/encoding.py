"""Tokenising (context, continuation) pairs exactly as lm-evaluation-harness's HF backend does.

The rules (lm-eval `TemplateLM._encode_pair` / `loglikelihood` and `HFLM.tok_encode`, v0.4):
- trailing whitespace of the context moves to the front of the continuation;
- context and context + continuation are tokenised separately with the tokenizer's default special
  tokens (so BOS is added where the model's tokenizer adds it), unless the text already starts
  with the BOS text; the continuation's tokens are the whole's tokens after the context's;
- an empty context becomes the prefix token (BOS, else EOS), unless the continuation already
  starts with it;
- context + continuation is cut from the left to `max_length + 1` tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import PretrainedConfig, PreTrainedTokenizerBase

from reprolab.core.errors import UserError
from reprolab.lm.requests import LoglikelihoodRequest

DEFAULT_MAX_LENGTH = 2048
_CONFIG_LENGTH_FIELDS = ("n_positions", "max_position_embeddings", "n_ctx")
_TOKENIZER_UNSET_LENGTH = 1e29  # tokenizers report ~1e30 when they state no limit


class ContinuationError(UserError, ValueError):
    """A continuation that cannot be scored: it has no tokens, or more than `max_length`."""


@dataclass(frozen=True)
class EncodedRequest:
    """A request as token ids: the model reads `inputs` and must predict `targets`, which are the
    last `len(targets)` tokens of `inputs + [next]`; target j is predicted at input position
    `len(inputs) - len(targets) + j`."""

    inputs: tuple[int, ...]
    targets: tuple[int, ...]


def prefix_token_id(tokenizer: PreTrainedTokenizerBase) -> int:
    """The token that stands for an empty context: BOS, else EOS."""
    token = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    assert token is not None, "the tokenizer has neither a BOS nor an EOS token"
    return token


def resolve_max_length(config: PretrainedConfig, tokenizer: PreTrainedTokenizerBase) -> int:
    """The model's context length: from its (text) config, else the tokenizer, else 2048."""
    text_config = config.get_text_config()
    for name in _CONFIG_LENGTH_FIELDS:
        if (value := getattr(text_config, name, None)) is not None:
            return int(value)
    if tokenizer.model_max_length < _TOKENIZER_UNSET_LENGTH:
        return int(tokenizer.model_max_length)
    return DEFAULT_MAX_LENGTH


class PairEncoder:
    """Encodes requests for one tokenizer, tokenising each distinct context once."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self.tokenizer = tokenizer
        self.prefix_id = prefix_token_id(tokenizer)
        self._prefix_text = tokenizer.decode(self.prefix_id)
        self._contexts: dict[str, list[int]] = {}

    def encode_text(self, text: str) -> list[int]:
        """Token ids with the tokenizer's default special tokens, none if `text` starts with BOS."""
        if text.startswith(self._prefix_text):
            return self.tokenizer.encode(text, add_special_tokens=False)
        return self.tokenizer.encode(text)

    def encode_pair(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        """`(context tokens, continuation tokens)` following lm-eval's rules (module docstring)."""
        if not context:
            tokens = self.tokenizer.encode(continuation, add_special_tokens=False)
            if tokens and tokens[0] == self.prefix_id:
                return tokens[:1], tokens[1:]
            return [self.prefix_id], tokens
        n_spaces = len(context) - len(context.rstrip())
        if n_spaces:
            context, continuation = context[:-n_spaces], context[-n_spaces:] + continuation
        if context not in self._contexts:
            self._contexts[context] = self.encode_text(context)
        context_tokens = self._contexts[context]
        whole = self.encode_text(context + continuation)
        return context_tokens, whole[len(context_tokens):]

    def encode(self, request: LoglikelihoodRequest, max_length: int) -> EncodedRequest:
        """The model's input and target tokens, left-truncated to `max_length` input tokens."""
        context, continuation = self.encode_pair(request.context, request.continuation)
        if not continuation:
            raise ContinuationError(f"Continuation {request.continuation!r} (context "
                                    f"{request.context[-40:]!r}) has no tokens to score.")
        if len(continuation) > max_length:
            raise ContinuationError(
                f"Continuation {request.continuation[:40]!r} has {len(continuation)} tokens, "
                f"more than max_length={max_length}: allow more tokens.")
        whole = (context + continuation)[-(max_length + 1):]
        return EncodedRequest(inputs=tuple(whole[:-1]), targets=tuple(continuation))
