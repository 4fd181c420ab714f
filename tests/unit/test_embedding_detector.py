"""EmbeddingDetector with a fake encoder and hand-built heads and analyses (no model)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa_monitor.detectors.base import Detector
from qa_monitor.detectors.embedding import EmbeddingDetector
from qa_monitor.detectors.heads import HEADS_FILE, Head, Heads
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence

DIM = 384
WORDS = {"faq": 0, "obviously": 1, "jargon": 2}


class FakeEncoder:
    """Bag of words: dimension 0/1/2 count the marker words, the rest a stable hash of the text (small)."""

    name = "fake"
    dim = DIM

    def __init__(self) -> None:
        self.calls = 0
        self.encoded: list[str] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for w in text.lower().replace(".", " ").replace(",", " ").split():
            if w in WORDS:
                v[WORDS[w]] += 1.0
        seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
        v[3:] = np.random.default_rng(seed).normal(0, 0.01, DIM - 3)
        return v

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def encode_segments(self, texts: Sequence[str], segments: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, list[np.ndarray]]:
        self.calls += 1
        return self.encode(texts), [self.encode(list(s)) for s in segments]


class ContextEncoder(FakeEncoder):
    """Read in context, every sentence takes on the whole message's words, as a real encoder's states do."""

    def encode_segments(self, texts: Sequence[str], segments: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, list[np.ndarray]]:
        self.calls += 1
        msgs = np.stack([self._vec(t) for t in texts])
        return msgs, [np.stack([msgs[i] + 0.1 * (j + 1) * (msgs[i] > 0.5) for j in range(len(s))])
                      for i, s in enumerate(segments)]


def _heads() -> Heads:
    def head(i: int) -> Head:
        w = np.zeros(DIM, dtype=np.float32)
        w[i] = 4.0
        return Head(w, -2.0)

    return Heads("test-heads", "fake", {"rude": head(0), "condescending": head(1), "unclear": head(2)})


def _analysis(mid: str, sentences: list[str], lang: str = "en") -> Analysis:
    text, sents, pos = "", [], 0
    for s in sentences:
        if text:
            text += " "
            pos += 1
        sents.append(Sentence(pos, pos + len(s), s))
        text += s
        pos += len(s)
    return Analysis(message_id=mid, text=text, language=lang, sentences=tuple(sents))


def test_best_sentence_is_the_span_with_calibrated_score() -> None:
    det = EmbeddingDetector({}, Path("unused"), encoder=FakeEncoder(), heads=_heads())
    assert isinstance(det, Detector)
    a = _analysis("m1", ["Thanks for writing in.", "Read the FAQ.", "Bye."])
    (found,) = det.detect([a])
    by = {f.label: f for f in found}
    assert set(by) == {"rude", "condescending", "unclear"}
    rude = by["rude"]
    assert a.text[rude.start:rude.end] == "Read the FAQ."
    assert rude.score == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-3)
    assert "model score 0.88" in rude.explanation and rude.suggestion
    assert by["condescending"].score < 0.5 and by["condescending"].suggestion is None
    assert all(0.0 <= f.score <= 1.0 for f in found)
    assert rude.detector == "embedding" and rude.detector_version.endswith("test-heads")


def test_unclear_scored_on_the_whole_message_and_batches_align() -> None:
    enc = FakeEncoder()
    det = EmbeddingDetector({"min_score": 0.3}, Path("unused"), encoder=enc, heads=_heads())
    batch = [_analysis("a", ["All set."]),
             _analysis("b", ["Jargon here.", "More jargon there."], lang="lv"),
             _analysis("c", ["Obviously you need to restart."], lang="es")]
    out = det.detect(batch)
    assert enc.calls == 1 and len(out) == 3
    assert out[0] == []                                   # nothing reaches min_score
    unclear = next(f for f in out[1] if f.label == "unclear")
    # message vector counts "jargon" twice: 4*2-2 = 6 -> 0.9975; each sentence alone only 0.88
    assert unclear.score == pytest.approx(1 / (1 + np.exp(-6.0)), abs=1e-3)
    assert [f.label for f in out[2]] == ["condescending"] and out[2][0].message_id == "c"
    assert out[2][0].explanation.startswith("The message")   # single sentence: the whole message


def test_message_without_sentences_uses_the_whole_text() -> None:
    det = EmbeddingDetector({}, Path("unused"), encoder=FakeEncoder(), heads=_heads())
    a = Analysis(message_id="x", text="  read the faq  ", language="unknown")
    (found,) = det.detect([a])
    f = next(f for f in found if f.label == "rude")
    assert a.text[f.start:f.end] == "read the faq"
    assert det.detect([]) == []


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown option"):
        EmbeddingDetector({"treshold": 1}, tmp_path)
    with pytest.raises(ConfigError, match="encoder must be"):
        EmbeddingDetector({"encoder": "gpu"}, tmp_path)


def test_heads_file_round_trip_and_availability(tmp_path: Path) -> None:
    assert not EmbeddingDetector.available(tmp_path)
    with pytest.raises(ModelError, match="run `qa-monitor train`"):
        EmbeddingDetector({}, tmp_path, encoder=FakeEncoder()).load()
    _heads().save(tmp_path / HEADS_FILE)
    assert EmbeddingDetector.available(tmp_path)
    det = EmbeddingDetector({}, tmp_path, encoder=FakeEncoder())
    det.load()
    (found,) = det.detect([_analysis("m", ["Read the FAQ."])])
    assert next(f for f in found if f.label == "rude").score == pytest.approx(0.8808, abs=1e-3)


def test_corrupt_heads_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / HEADS_FILE).write_text('{"version": "x"}', encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read embedding heads"):
        EmbeddingDetector({}, tmp_path, encoder=FakeEncoder()).load()


def test_the_span_shown_is_the_sentence_that_scores_highest_on_its_own() -> None:
    enc = ContextEncoder()
    det = EmbeddingDetector({}, Path("unused"), encoder=enc, heads=_heads())
    flagged = _analysis("m", ["Read the FAQ.", "We are closing this ticket.", "Bye."])
    fine = _analysis("f", ["Thanks for waiting.", "Your refund is on its way."])
    found, calm = det.detect([flagged, fine])
    rude = next(f for f in found if f.label == "rude")
    # in context the last sentence scores highest; read alone, only the first carries "faq"
    assert flagged.text[rude.start:rude.end] == "Read the FAQ."
    # the score is still the in-context one: 4 * (1 + 0.3) - 2
    assert rude.score == pytest.approx(1 / (1 + np.exp(-3.2)), abs=1e-3)
    # only the sentences of the message that may be flagged were encoded again; the fine reply cost nothing extra
    assert enc.encoded == [s.text for s in flagged.sentences]
    assert all(f.score < 0.2 for f in calm)


def test_every_sentence_that_reaches_the_threshold_on_its_own_is_shown() -> None:
    det = EmbeddingDetector({}, Path("unused"), encoder=ContextEncoder(), heads=_heads())
    a = _analysis("m", ["Read the FAQ.", "We are closing this ticket.", "The FAQ FAQ answers it.",
                        "Jargon and jargon."])
    (found,) = det.detect([a])
    rude = [f for f in found if f.label == "rude"]
    # the worst sentence on its own first, with the message's score; the other rude sentence with its own score
    assert [a.text[f.start:f.end] for f in rude] == ["The FAQ FAQ answers it.", "Read the FAQ."]
    assert rude[1].score == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-3)
    assert rude[1].score < rude[0].score
    assert rude[1].explanation.startswith("This sentence")
    # unclarity is the whole reply's: one span, even though a sentence reaches the threshold alone
    assert len([f for f in found if f.label == "unclear"]) == 1
    # a sentence never scores above its message
    assert all(f.score <= max(g.score for g in found if g.label == f.label) for f in found)


def test_the_scorer_thresholds_decide_which_messages_are_located_again() -> None:
    from qa_monitor.nlp.analysis import ScoreInput
    from qa_monitor.nlp.analyzer import Analyzer
    from qa_monitor.nlp.language import LanguageGuess, LanguageIdentifier
    from qa_monitor.scoring.engine import Scorer
    from qa_monitor.scoring.thresholds import Thresholds

    class English(LanguageIdentifier):
        def load(self) -> None:
            return None

        def identify(self, text: str, context: str = "") -> LanguageGuess:
            return LanguageGuess("en", 1.0, None)

    text = "Read the FAQ. We are closing this ticket. Bye."
    for rude_threshold, relocated in ((0.5, True), (0.99, False)):
        enc = ContextEncoder()
        det = EmbeddingDetector({}, Path("unused"), encoder=enc, heads=_heads())
        scorer = Scorer([det], Thresholds("t", {label: {"*": rude_threshold if label == "rude" else 0.99}
                                                for label in ("rude", "condescending", "unclear")}),
                        Analyzer(English()))
        (score,) = scorer.score([ScoreInput("m", text)])
        rude = next(f for f in score.findings if f.label == "rude")
        # below its threshold the finding keeps the in-context sentence and costs no second encoding
        assert (text[rude.start:rude.end] == "Read the FAQ.") is relocated
        assert bool(enc.encoded) is relocated
