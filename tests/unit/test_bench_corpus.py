"""The score benchmark's corpora: distinct messages in five languages, no sentence twice in a corpus."""

from __future__ import annotations

import pytest

from benchmarks import corpus


@pytest.mark.parametrize("name", sorted(corpus.CORPORA))
def test_kept_corpus_is_the_generated_one_and_passes_its_checks(name: str) -> None:
    rows = corpus.load(name)  # asserts distinct messages, five languages, no repeated sentence
    assert len(rows) == 1000
    assert rows == corpus.CORPORA[name]()


def test_realistic_is_mostly_fine_and_problem_heavy_mostly_not() -> None:
    realistic, heavy = corpus.load("realistic"), corpus.load("problem-heavy")
    assert 0.05 < sum(r["problem"] is not None for r in realistic) / len(realistic) < 0.15
    assert sum(r["problem"] is not None for r in heavy) / len(heavy) > 0.6
    assert {r["form"] for r in realistic} == {"email", "chat", "call"}
    assert max(int(str(r["sentences"])) for r in realistic) <= 8


def test_check_refuses_a_repeated_sentence() -> None:
    rows = [{"id": "a", "lang": lang, "text": f"Order {i} left today. Thanks for waiting."}
            for i, lang in enumerate(corpus.LANGS)]
    with pytest.raises(AssertionError, match="sentence repeated"):
        corpus.check(rows)
