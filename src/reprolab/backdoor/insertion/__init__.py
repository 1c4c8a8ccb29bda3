"""A design inside a host LM: `model` (the transformers model class that saves and loads),
`hosts` (host LMs, payload token tables, `backdoor`), `checks` (off-trigger equality, the
payload), `insert` and `verify` (the checks of a new and of a saved model) and `finetune`
(survival of fine-tuning)."""
