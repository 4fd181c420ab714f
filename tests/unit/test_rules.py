"""The helpers the rule-based detectors share: data files, regexes, sentences, quotes and score combination."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_monitor.detectors.rules import clip, combine, compile_regex, read_rules_file, sentence_at
from qa_monitor.errors import ModelError
from qa_monitor.nlp.segment import segment


def test_combine_is_a_capped_noisy_or_of_the_boosts() -> None:
    assert combine(0.6, [], 0.99) == 0.6
    assert combine(0.6, [0.5], 0.99) == 0.8  # 1 - 0.4 * 0.5
    assert combine(0.6, [0.5, 0.5], 0.95) == 0.9
    assert combine(0.9, [0.9, 0.9], 0.95) == 0.95


def test_a_bad_data_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "en.toml"
    bad.write_text("language = ", encoding="utf-8")
    with pytest.raises(ModelError, match=r"en\.toml: cannot read marker file"):
        read_rules_file(bad, "marker file")
    with pytest.raises(ModelError, match=r"cues\.vague: invalid regular expression"):
        compile_regex("(unclosed", "en.toml: cues.vague")


def test_sentence_at_falls_back_to_the_whole_text() -> None:
    text = "First one. Second one."
    sentences = segment(text, "en")
    assert sentence_at(sentences, text.index("Second"), text).text == "Second one."
    assert sentence_at((), 3, text).text == text


def test_clip_keeps_one_line_within_the_limit() -> None:
    assert clip("a\n  b") == "a b"
    assert clip("x" * 100, 10) == "x" * 9 + "…"
