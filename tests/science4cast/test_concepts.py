import pytest

from reprolab.core.errors import UserError
from reprolab.science4cast.concepts import (
    build_concepts,
    normalise,
    rake_phrases,
    read_concepts,
    surface_forms,
)


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


def test_rake_splits_at_stopwords_and_punctuation():
    text = "We propose a deep belief network for speech recognition, with dropout."
    assert rake_phrases(text) == ["deep belief network", "speech recognition"]


def test_build_concepts_counts_papers_and_drops_blacklisted_words():
    texts = ["Deep belief networks for speech recognition."] * 3 + \
            ["A deep belief network and a large model."] * 2
    assert build_concepts(texts, min_papers=3) == ["deep belief network", "speech recognition"]
    assert build_concepts(texts, min_papers=2, blacklist=["speech"]) == [
        "deep belief network", "large model"]
