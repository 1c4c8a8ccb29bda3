"""Prompt bands, template, random training prompts and the evaluation split."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from reprolab.chem import prompts as P
from reprolab.chem.properties import properties

MOLECULES = ["CC(=O)Oc1ccccc1C(=O)O", "C=CC(=O)Nc1ccc(cc1)C(=O)N1CCOCC1", "C1CCCCCCCCCCC1",
             "CCN(CC)CCOC(=O)c1ccc(N)cc1", "O=C(O)CCc1ccc(O)cc1", "CC(C)Cc1ccc(cc1)C(C)C(=O)O"]


@pytest.mark.parametrize("prop, value, text", [
    ("hbd", 2, "<= 3 H-bond donors"), ("hbd", 6, "<= 7 H-bond donors"),
    ("hbd", 9, "> 7 H-bond donors"), ("mw", 500.0, "<= 500 molecular weight"),
    ("fsp3", 0.45, "> 0.4 fraction sp3"), ("fsp3", 0.61, "> 0.6 fraction sp3"),
])
def test_tightest_band(prop, value, text):
    assert P.tightest_band(prop, value).text() == text


def test_no_sp3_band_below_the_lowest():
    assert P.tightest_band("fsp3", 0.4) is None


def test_template_and_empty_prompt():
    prompt = P.Prompt((P.Constraint("hbd", "<=", 5), P.Constraint("hba", "==", 4)))
    assert prompt.input == ("Output a SMILES string for a drug-like molecule with the following "
                            "properties: <= 5 H-bond donors, exactly 4 H-bond acceptors:")
    assert prompt.text.endswith(f"### Input:\n{prompt.input}\n\n### Response:\n")
    assert P.INSTRUCTION in prompt.text
    assert P.Prompt(()).input == "Output a SMILES string for a drug-like molecule."


def test_training_prompts_are_true_of_their_molecule():
    rng = np.random.default_rng(0)
    stated = set()
    for smiles in MOLECULES * 10:
        mol = Chem.MolFromSmiles(smiles)
        row = properties(mol)
        prompt = P.training_prompt(row, rng)
        assert all(prompt.check(row, mol).values()), prompt.input
        stated |= {c.prop for c in prompt.constraints}
    assert stated == set(P.FLAGS)  # every flag occurs


def test_p_flag_zero_states_nothing():
    row = properties(Chem.MolFromSmiles("CCO"))
    assert P.training_prompt(row, np.random.default_rng(0), p_flag=0).constraints == ()


def test_checks_fail_where_they_should():
    aspirin = Chem.MolFromSmiles(MOLECULES[0])
    row = properties(aspirin)
    prompt = P.Prompt((P.Constraint("hba", "==", 4), P.Constraint("brics", "has", "C1CCNCC1"),
                       P.Constraint("logp", "<=", 3), P.Constraint("macrocycle", "has", True)))
    assert list(prompt.check(row, aspirin).values()) == [False, False, True, False]


def test_evaluation_set_and_stable_split():
    rows = [properties(Chem.MolFromSmiles(s)) for s in MOLECULES]
    prompts = P.evaluation_prompts(rows, n_substructures=3, n_formulas=2)
    kinds = [p.kind for p in prompts]
    assert len(P.band_prompts()) == 31  # 5 + 6 + 5 + 5 + 3 + 4 bands, 3 sp3 thresholds
    assert kinds.count("hba exact") == 11 and kinds.count("warhead") == 16
    assert kinds.count("substructure") == 3 and kinds.count("formula") == 2
    seen, held = P.split_prompts(prompts, 0.3)
    assert len(seen) + len(held) == len(prompts) and 0.15 < len(held) / len(prompts) < 0.45
    assert not {"rule of 5", "rule of 3", "macrocycle"} & {p.kind for p in held}
    assert [P.is_held_out(p, 0.3) for p in prompts[5:]] == [p in held for p in prompts[5:]]
