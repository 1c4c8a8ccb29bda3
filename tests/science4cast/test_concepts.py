import pytest
from typer.testing import CliRunner

from reprolab.cli import app
from reprolab.core.errors import UserError
from reprolab.science4cast.concepts import (
    ENGLISH_STOPWORDS,
    build_concepts,
    candidate_concepts,
    normalise,
    passes_rules,
    rake_phrases,
    read_concepts,
    read_word_list,
    surface_forms,
)
from tests.science4cast.toy import write_paperlists


def test_normalise_lowercases_and_turns_hyphens_and_symbols_into_spaces():
    assert normalise("  Self-Attention (SA)-based  GANs!") == "self attention sa based gans"


@pytest.mark.parametrize(("concept", "forms"), [
    ("neural network", {"neural network", "neural networks"}),
    ("Neural Networks", {"neural network", "neural networks"}),
    ("policy", {"policy", "policies"}),
    ("gaussian process", {"gaussian process", "gaussian processes"}),
    ("bias", {"bias", "biases"}),
])
def test_surface_forms_vary_only_the_last_word(concept, forms):
    assert surface_forms(concept) == forms


def test_read_concepts_keeps_line_numbers_and_duplicates_with_crlf(tmp_path):
    path = tmp_path / "concepts.txt"
    path.write_bytes(b"deep learning\r\ngraph\r\ndeep learning\r\n")
    assert read_concepts(path) == ["deep learning", "graph", "deep learning"]
    path.write_text("a\n\nb\n")
    with pytest.raises(UserError, match="line 2: empty concept"):
        read_concepts(path)


def test_stoplist_holds_nltk_english_function_words():
    assert len(ENGLISH_STOPWORDS) == 179
    assert {"i", "ourselves", "that'll", "should've", "ain", "mightn't", "wouldn't"} <= \
        ENGLISH_STOPWORDS


def test_rake_splits_at_stopwords_and_single_marks_and_scores_word_degree():
    text = "We propose a deep belief network for speech recognition, with dropout."
    # degree: deep, belief, network 3 each (one 3-word phrase); speech, recognition 2 each
    assert rake_phrases(text) == {"deep belief network": 9.0, "speech recognition": 4.0}
    # single words are no phrases at min_words 2; at 1 they score their own length, 1
    assert rake_phrases("Dropout helps.", min_words=1) == {"dropout helps": 4.0}
    assert rake_phrases("Dropout and noise.", min_words=1) == {"dropout": 1.0, "noise": 1.0}


def test_rake_counts_repeated_words_in_degree_and_phrases_once():
    text = "Graph neural networks and graph kernels; graph neural networks."
    # graph: 3 (graph neural networks) + 2 (graph kernels); repeats of a phrase count once
    assert rake_phrases(text) == {"graph neural networks": 11.0, "graph kernels": 7.0}


@pytest.mark.parametrize(("min_score", "kept"), [
    (3.9, ["deep belief network", "speech recognition"]),
    (4.0, ["deep belief network"]),  # a score must be above the floor
    (9.0, []),
])
def test_candidates_need_a_score_above_min_score(min_score, kept):
    text = "A deep belief network for speech recognition."
    assert candidate_concepts(text, min_score=min_score) == kept


@pytest.mark.parametrize("text", [
    "We tune the learning rate $\\alpha$ of it.",  # "$\\" and "$" stay inside the phrase
    "As in Smith et al. we train.",
    "Code at https://github.com/lab now.",
    "The loss ~~ baseline gap.",
    "Matrix A^{-1} inversion.",
])
def test_forbidden_strings_drop_the_phrase(text):
    assert candidate_concepts(text) == []
    assert candidate_concepts(text, forbidden=()) != []


def test_hyphens_newlines_and_the_last_word_are_normalised():
    text = "Self-Supervised\nGraph Neural Networks for Link Predictions."
    assert candidate_concepts(text) == ["self supervised graph neural network",
                                        "link prediction"]
    text = "Multivariate time series; low rank matrices; policies; local minima."
    assert candidate_concepts(text) == ["multivariate time series", "low rank matrix",
                                        "local minimum"]


def _papers(phrase: str, n: int) -> list[str]:
    return [f"We show {phrase}. And {phrase} again."] * n  # twice, counted once


@pytest.mark.parametrize(("phrase", "papers", "kept"), [
    ("speech recognition", 5, False), ("speech recognition", 6, True),
    ("deep belief network", 2, False), ("deep belief network", 3, True),
])
def test_thresholds_count_papers_by_phrase_length(phrase, papers, kept):
    assert build_concepts(_papers(phrase, papers)) == ([phrase] if kept else [])


def test_build_concepts_lists_long_phrases_first_then_by_count():
    texts = _papers("speech recognition", 8) + _papers("policy gradients", 7) + \
        _papers("deep belief network", 3) + _papers("graph neural network", 4)
    assert build_concepts(texts) == ["graph neural network", "deep belief network",
                                     "speech recognition", "policy gradient"]
    assert build_concepts(texts, min_papers_two=8, min_papers_long=4) == [
        "graph neural network", "speech recognition"]


@pytest.mark.parametrize(("concept", "rules", "kept"), [
    ("layer 2 network", {}, False),  # a numeric word
    ("model x ray", {}, False),  # a single character
    ("highly accurate classifier", {}, False),  # first word in -ly
    ("early stopping", {}, False),
    ("second order method", {}, True),
    ("second moment estimate", {}, False),  # "second" only with "order"
    ("higher order derivative", {}, True),
    ("higher accuracy", {}, False),
    ("deep belief network", {}, True),
    ("deep belief network", {"nogo_words": {"belief"}}, False),
    ("deep belief network", {"nogo_first": {"deep"}}, False),
    ("network deep belief", {"nogo_first": {"deep"}}, True),
    ("deep belief network", {"nogo_last": {"network"}}, False),
    ("network deep belief", {"nogo_last": {"network"}}, True),
    ("second moment estimate", {"requires": {}}, True),
    ("early stopping", {"nogo_first_suffixes": ()}, True),
])
def test_reduction_rules(concept, rules, kept):
    assert passes_rules(concept, **rules) is kept


def test_build_concepts_applies_the_lists_after_counting():
    texts = _papers("speech recognition", 6) + _papers("deep belief network", 3)
    assert build_concepts(texts, nogo_last={"recognition"}) == ["deep belief network"]
    assert build_concepts(texts, nogo_words={"belief"}, nogo_first={"speech"}) == []


def test_read_word_list(tmp_path):
    path = tmp_path / "nogo.txt"
    path.write_text("Paper\n\n  novel \n")
    assert read_word_list(path) == {"paper", "novel"}
    path.write_text("paper\nstate of\n")
    with pytest.raises(UserError, match="line 2: 'state of' is not one word"):
        read_word_list(path)


def test_concepts_verb_writes_one_concept_per_line(tmp_path):
    records = [{"title": "Graph neural networks", "abstract": "We show graph neural networks "
                "for link prediction and speech recognition."}] * 6
    corpus = write_paperlists(tmp_path / "corpus", {2020: records})
    (tmp_path / "first.txt").write_text("speech\n")
    out = tmp_path / "lists" / "concepts.txt"
    result = CliRunner().invoke(app, ["science4cast", "concepts", "--source", str(corpus),
                                      "--out", str(out), "--nogo-first",
                                      str(tmp_path / "first.txt")])
    assert result.exit_code == 0, result.output
    assert out.read_text() == "graph neural network\nlink prediction\n"
    assert read_concepts(out) == ["graph neural network", "link prediction"]
