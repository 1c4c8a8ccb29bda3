"""SmileyLlama (Cavanagh, Sun, Gritsevskiy et al. 2024, arXiv 2409.02231): a general LLM turned
into a chemical language model by supervised fine-tuning on SMILES behind property prompts, then
DPO on its own samples checked with RDKit; measured against SMILES-only CLMs.

Modules, in the order a run uses them: `molecules` (SMILES in: MOSES splits, any SMILES file,
standardisation, randomised SMILES), `substructures` and `properties` (the 12 prompt properties,
cached as parquet), `prompts` (template, bands, evaluation sets with a held-out split), `models`
(adapters stacked on their base), `sampling` (checked samples through `lm.generation`), `sft`,
`dpo` and `baseline` (training with TRL), `features`, `similarity`, `chemnet` (the FCD),
`statistics_cache`, `moses_metrics` and `guacamol` (the distribution metrics), `adherence`,
`plots`, `runs` (prepare, sample, evaluate), `curve` (metrics against training FLOPs),
`reproduction` with `quick` and `full`, and `cli` (with `export`, an adapter at half precision).
"""
