"""The cascade's first stage: static token vectors and heads, its threshold, and its place in the embedding
detector (fake encoder, hand-built vectors; no model)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from qa_monitor.detectors.embedding import EmbeddingDetector
from qa_monitor.detectors.first_stage import FIRST_STAGE_FILE, FirstStage, cascade
from qa_monitor.errors import ModelError
from qa_monitor.training.first_stage import pass_threshold
from tests.unit.test_embedding_detector import FakeEncoder, _analysis, _heads

# token ids: 1 = "fine" word, 2 = "faq" (a bad word), anything else has no static vector
VOCAB = {"fine": 1, "faq": 2, "obviously": 2}


class TokenEncoder(FakeEncoder):
    """The fake encoder with the token ids the first stage reads."""

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [[VOCAB.get(w.strip(".,").lower(), 99) for w in t.split()] for t in texts]


def _stage(encoder: str = "fake", threshold: float = 0.5) -> FirstStage:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)  # rows of token 1 and token 2
    weights = np.array([[0.0, 8.0], [0.0, 0.0], [0.0, 0.0]], dtype=np.float32)  # rude head fires on token 2
    return FirstStage("fs-test", encoder, np.array([1, 2]), vectors, weights, np.array([-4.0, -4.0, -4.0]),
                      threshold)


def test_scores_rank_bad_words_above_fine_ones_and_pass_unknown_text() -> None:
    s = _stage().scores([[1, 1], [1, 2], [99, 98]])
    assert s[1] > 0.5 > s[0]
    assert s[2] == 1.0  # no known token: the transformer decides


def test_pass_threshold_keeps_the_share_of_flagged_messages() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(2000)
    flagged = rng.random(2000) < 0.4
    t = pass_threshold(scores, flagged, keep=0.995)
    assert (scores[flagged] >= t).mean() >= 0.995
    assert (scores[flagged] >= t).sum() < flagged.sum()  # the highest such threshold lets a few through


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    _stage().save(tmp_path / FIRST_STAGE_FILE)
    back = FirstStage.load(tmp_path / FIRST_STAGE_FILE)
    assert back.version == "fs-test" and back.threshold == 0.5
    np.testing.assert_allclose(back.scores([[1, 2], [1]]), _stage().scores([[1, 2], [1]]), atol=1e-3)


def test_cascade_runs_only_the_passed_messages() -> None:
    seen: list[list[int]] = []

    def run(idx: list[int]) -> list[str]:
        seen.append(idx)
        return [f"scored {i}" for i in idx]

    out = cascade(_stage(), TokenEncoder(), ["fine fine", "read the faq", "fine"], run, lambda: "skipped")
    assert out == ["skipped", "scored 1", "skipped"] and seen == [[1]]


def test_detector_skips_the_transformer_for_messages_the_first_stage_clears(tmp_path: Path) -> None:
    _stage().save(tmp_path / FIRST_STAGE_FILE)
    enc = TokenEncoder()
    det = EmbeddingDetector({}, tmp_path, encoder=enc, heads=_heads())
    det.load()
    out = det.detect([_analysis("m1", ["Fine fine."]), _analysis("m2", ["Read the FAQ.", "Fine."])])
    assert out[0] == []
    assert not any("Fine fine" in t for t in enc.encoded)
    rude = [f for f in out[1] if f.label == "rude"]
    assert rude and rude[0].evidence == "Read the FAQ."
    assert det.artifacts == "test-heads+fs-test"


def test_detector_without_a_first_stage_scores_every_message(tmp_path: Path) -> None:
    det = EmbeddingDetector({}, tmp_path, encoder=TokenEncoder(), heads=_heads())
    det.load()
    out = det.detect([_analysis("m1", ["Fine fine."])])
    assert len(out[0]) == 3 and det.artifacts == "test-heads"


def test_first_stage_of_another_encoder_is_refused(tmp_path: Path) -> None:
    _stage(encoder="other").save(tmp_path / FIRST_STAGE_FILE)
    det = EmbeddingDetector({}, tmp_path, encoder=TokenEncoder(), heads=_heads())
    with pytest.raises(ModelError, match="distilled from the encoder other"):
        det.load()


def test_distil_gives_a_row_per_used_token_and_weighs_frequent_tokens_down() -> None:
    from transformers import BertConfig, BertModel

    from qa_monitor.training.first_stage import distil

    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                 intermediate_size=32)).eval()
    ids = [[5, 7, 7, 7], [7, 9], [7, 11, 5]]
    vocab, vectors = distil(model, ids, bos=0, eos=2, batch=2)
    assert vocab.tolist() == [5, 7, 9, 11]
    assert vectors.shape[0] == 4 and vectors.shape[1] <= 16
    norms = np.linalg.norm(vectors, axis=1)
    assert norms[1] < norms[[0, 2, 3]].min()  # token 7 is the most frequent: SIF weighs it least
