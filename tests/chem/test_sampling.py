"""Per-sample checks, and sampling through the shared generation path."""

from __future__ import annotations

from reprolab.chem import sampling as S
from reprolab.chem.models import load_chem_model
from reprolab.chem.prompts import Constraint, Prompt
from reprolab.chem.sampling import check_sample, sample_prompts
from reprolab.lm.generation import generate

PROMPT = Prompt((Constraint("hbd", "<=", 3), Constraint("mw", "<=", 100)), "test")


def test_check_sample():
    good = check_sample(0, PROMPT, "OCC\n")
    assert good.smiles == "CCO" and good.satisfied
    assert good.checks == {"<= 3 H-bond donors": True, "<= 100 molecular weight": True}
    heavy = check_sample(0, PROMPT, "CC(=O)Oc1ccccc1C(=O)O")
    assert not heavy.satisfied and heavy.checks["<= 100 molecular weight"] is False
    for text in ("C1CC", "", "CCO and more"):
        bad = check_sample(3, PROMPT, text)
        assert bad.smiles is None and not bad.satisfied and bad.prompt_id == 3


def test_sample_prompts_shape_and_seed(tiny_model_dir):
    model, tokenizer = load_chem_model(str(tiny_model_dir), "cpu")
    prompts = [PROMPT, Prompt((), "free")]
    samples = sample_prompts(model, tokenizer, prompts, 3, max_new_tokens=8, seed=1,
                             progress=False)
    assert [s.prompt_id for s in samples] == [0, 0, 0, 1, 1, 1]
    assert [s.kind for s in samples[::3]] == ["test", "free"]
    again = sample_prompts(model, tokenizer, prompts, 3, max_new_tokens=8, seed=1,
                           progress=False)
    assert [s.text for s in samples] == [s.text for s in again]
    assert all("\n" not in s.text for s in samples)
    chunked = sample_prompts(model, tokenizer, prompts, 5, max_new_tokens=4, rows=1,
                             progress=False)  # one row at a time
    assert [s.prompt_id for s in chunked] == [0] * 5 + [1] * 5


def test_segments_cut_large_n_and_group_small_n():
    prompts = [Prompt((), "a"), PROMPT, Prompt((), "b")]  # PROMPT's text is the longest
    assert S.plan_segments(prompts, 20, 1) == [([1], 8), ([1], 8), ([1], 4), ([0], 8),
                                               ([0], 8), ([0], 4), ([2], 8), ([2], 8), ([2], 4)]
    assert S.plan_segments(prompts, 3, 2) == [([1, 0, 2], 3)]
    assert S.plan_segments(prompts, 5, 2) == [([1, 0, 2], 5)]
    assert S.plan_segments(prompts, 7, 1) == [([1], 7), ([0], 7), ([2], 7)]


def test_sampling_into_a_file_resumes_after_a_crash(tiny_model_dir, tmp_path, monkeypatch):
    model, tokenizer = load_chem_model(str(tiny_model_dir), "cpu")
    prompts = [PROMPT, Prompt((), "free")]
    kwargs = dict(max_new_tokens=6, rows=1, seed=3, progress=False)
    fresh = sample_prompts(model, tokenizer, prompts, 12, **kwargs)
    path = tmp_path / "samples.jsonl"
    assert sample_prompts(model, tokenizer, prompts, 12, into=path, **kwargs) == fresh
    lines = path.read_text().splitlines()
    sizes = [len(ids) * count for ids, count in S.plan_segments(prompts, 12, 1)]
    assert len(lines) == 24 and sizes == [8, 4, 8, 4]
    path.write_text("\n".join(lines[:15]) + '\n{"prompt_id": 1, "ki')  # segment 3 half-written
    calls = []
    monkeypatch.setattr(S, "generate", lambda *a, **k: calls.append(a[2]) or generate(*a, **k))
    again = sample_prompts(model, tokenizer, prompts, 12, into=path, **kwargs)
    assert again == fresh and len(calls) == 2  # the two whole segments are kept, not redrawn
    assert len(path.read_text().splitlines()) == 24
    assert sample_prompts(model, tokenizer, prompts, 12, into=path, **kwargs) == fresh
    assert len(calls) == 2  # a complete file is read back
