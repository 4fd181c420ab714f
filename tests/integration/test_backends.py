"""The transformers and Detoxify backends on tiny random-weight checkpoints built here: loading and label mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence

torch = pytest.importorskip("torch", reason="the torch backends need torch (install the `train` extra)")
transformers = pytest.importorskip("transformers", reason="the torch backends need transformers (`train` extra)")

pytestmark = pytest.mark.integration

WORDS = ["read", "the", "faq", "thanks", "for", "waiting", "not", "our", "problem", "hola", "gracias", "."]


def _tokenizer(directory: Path) -> Any:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = transformers.BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                          cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(str(directory))
    return fast


def _tiny_config(classes: list[str]) -> Any:
    return transformers.BertConfig(vocab_size=len(WORDS) + 5, hidden_size=16, num_hidden_layers=1,
                                   num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                                   num_labels=len(classes), id2label=dict(enumerate(classes)),
                                   label2id={c: i for i, c in enumerate(classes)})


def _analysis() -> Analysis:
    text = "Thanks for waiting. Not our problem. Read the FAQ."
    return Analysis(message_id="m1", text=text, language="en",
                    sentences=(Sentence(0, 19, "Thanks for waiting."), Sentence(20, 36, "Not our problem."),
                               Sentence(37, 50, "Read the FAQ.")))


def _expected(model: Any, tok: Any, sentences: list[str], column: int, activation: str) -> tuple[float, int]:
    with torch.inference_mode():
        logits = model(**tok(sentences, padding=True, return_tensors="pt")).logits
    p = torch.sigmoid(logits) if activation == "sigmoid" else torch.softmax(logits, dim=-1)
    col = p[:, column].numpy()
    return float(col.max()), int(np.argmax(col))


def test_transformers_backend_maps_classes_to_labels(tmp_path: Path) -> None:
    from qa_monitor.detectors.backends.transformers import TransformersDetector

    torch.manual_seed(0)
    model_dir = tmp_path / "models" / "tiny-clf"
    classes = ["neutral", "toxic", "patronising"]
    model = transformers.BertForSequenceClassification(_tiny_config(classes)).eval()
    model.save_pretrained(str(model_dir))
    tok = _tokenizer(model_dir)
    det = TransformersDetector({"path": "tiny-clf", "label_map": {"toxic": "rude", "patronising": "condescending"}},
                               tmp_path / "models")
    det.load()
    a = _analysis()
    (found,) = det.detect([a])
    by = {f.label: f for f in found}
    assert set(by) == {"rude", "condescending"}
    sents = [s.text for s in a.sentences]
    for label, column in (("rude", 1), ("condescending", 2)):
        score, best = _expected(model, tok, sents, column, "softmax")
        assert by[label].score == pytest.approx(score, abs=1e-4)
        assert (by[label].start, by[label].end) == (a.sentences[best].start, a.sentences[best].end)
        assert by[label].detector == "transformers" and 0.0 <= by[label].score <= 1.0


def test_transformers_backend_rejects_unknown_classes(tmp_path: Path) -> None:
    from qa_monitor.detectors.backends.transformers import TransformersDetector

    model_dir = tmp_path / "clf"
    transformers.BertForSequenceClassification(_tiny_config(["a", "b"])).save_pretrained(str(model_dir))
    _tokenizer(model_dir)
    det = TransformersDetector({"path": str(model_dir), "label_map": {"toxic": "rude"}}, tmp_path)
    with pytest.raises(ConfigError, match="model's classes are a, b"):
        det.load()
    with pytest.raises(ConfigError, match="must be one of"):
        TransformersDetector({"path": str(model_dir), "label_map": {"a": "mean"}}, tmp_path).load()
    with pytest.raises(ModelError, match="no config.json"):
        TransformersDetector({"path": str(tmp_path / "none"), "label_map": {"a": "rude"}}, tmp_path).load()


def _detoxify_checkpoint(tmp_path: Path) -> tuple[Path, Path, Any, Any]:
    torch.manual_seed(1)
    config_dir = tmp_path / "bert-config"
    classes = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
    cfg = _tiny_config(classes)
    cfg.save_pretrained(str(config_dir))
    tok = _tokenizer(config_dir)
    model = transformers.BertForSequenceClassification(cfg).eval()
    ckpt = tmp_path / "toxic_tiny.ckpt"
    torch.save({"config": {"arch": {"args": {"model_type": "bert-base-uncased",
                                             "model_name": "BertForSequenceClassification",
                                             "tokenizer_name": "BertTokenizerFast", "num_classes": len(classes)}},
                           "dataset": {"args": {"classes": classes}}},
                "state_dict": model.state_dict()}, str(ckpt))
    return ckpt, config_dir, model, tok


def test_detoxify_backend_loads_a_local_checkpoint(tmp_path: Path) -> None:
    from qa_monitor.detectors.backends.detoxify import DetoxifyDetector

    ckpt, config_dir, model, tok = _detoxify_checkpoint(tmp_path)
    det = DetoxifyDetector({"checkpoint": str(ckpt), "config_dir": str(config_dir)}, tmp_path)
    det.load()
    # Detoxify's own renaming of the Jigsaw classes
    assert det.classes[:3] == ["toxicity", "severe_toxicity", "obscene"] and det.classes[5] == "identity_attack"
    a = _analysis()
    (found,) = det.detect([a])
    assert [f.label for f in found] == ["rude"]              # toxicity and insult both map to rude: the best wins
    sents = [s.text for s in a.sentences]
    tox, tox_i = _expected(model, tok, sents, 0, "sigmoid")
    ins, ins_i = _expected(model, tok, sents, 4, "sigmoid")
    score, best = (tox, tox_i) if tox >= ins else (ins, ins_i)
    assert found[0].score == pytest.approx(score, abs=1e-4)
    assert found[0].start == a.sentences[best].start and found[0].detector_version.endswith("toxic_tiny")


def test_detoxify_backend_errors(tmp_path: Path) -> None:
    from qa_monitor.detectors.backends.detoxify import DetoxifyDetector

    with pytest.raises(ConfigError, match="option checkpoint is required"):
        DetoxifyDetector({"config_dir": "x"}, tmp_path)
    with pytest.raises(ModelError, match="checkpoint not found"):
        DetoxifyDetector({"checkpoint": "missing.ckpt", "config_dir": "x"}, tmp_path).load()
    bad = tmp_path / "bad.ckpt"
    torch.save({"state_dict": {}}, str(bad))
    with pytest.raises(ModelError, match="lacks the config and state_dict"):
        DetoxifyDetector({"checkpoint": str(bad), "config_dir": "x"}, tmp_path).load()
    ckpt, config_dir, _, _ = _detoxify_checkpoint(tmp_path)
    with pytest.raises(ConfigError, match="label_map names class 'toxic'"):
        DetoxifyDetector({"checkpoint": str(ckpt), "config_dir": str(config_dir), "label_map": {"toxic": "rude"}},
                         tmp_path).load()


def test_model_versions_name_the_loaded_checkpoint_and_mapping(tmp_path: Path) -> None:
    from qa_monitor.detectors.backends.detoxify import DetoxifyDetector
    from qa_monitor.detectors.backends.transformers import TransformersDetector
    from qa_monitor.scoring.engine import Scorer
    from qa_monitor.scoring.thresholds import Thresholds

    model_dir = tmp_path / "clf"
    classes = ["neutral", "toxic", "patronising"]
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(_tiny_config(classes)).save_pretrained(str(model_dir))
    _tokenizer(model_dir)

    def loaded(label_map: dict[str, str]) -> str:
        det = TransformersDetector({"path": str(model_dir), "label_map": label_map}, tmp_path)
        assert det.artifacts == ""
        det.load()
        return det.artifacts

    first = loaded({"toxic": "rude"})
    assert first == loaded({"toxic": "rude"})                       # the same files and mapping: the same
    assert first != loaded({"toxic": "rude", "patronising": "condescending"})
    torch.manual_seed(5)                                            # retrained weights under the same name
    transformers.BertForSequenceClassification(_tiny_config(classes)).save_pretrained(str(model_dir))
    assert first != loaded({"toxic": "rude"})

    ckpt, config_dir, _, _ = _detoxify_checkpoint(tmp_path)
    det = DetoxifyDetector({"checkpoint": str(ckpt), "config_dir": str(config_dir)}, tmp_path)
    scorer = Scorer([det], Thresholds())
    scorer.load()
    assert det.artifacts and scorer.model_version.startswith("detoxify-1.0@")


def test_the_detoxify_package_cannot_load_a_checkpoint_offline(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the backend reads Detoxify's checkpoint format itself: `Detoxify(checkpoint=...,
    huggingface_config_path=...)` still fetches the config of the checkpoint's model_type ("bert-base-uncased")
    from the hub first. When this test fails, the package loads offline and the backend can use it."""
    detoxify = pytest.importorskip("detoxify", reason="the detoxify package is not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ckpt, config_dir, _, _ = _detoxify_checkpoint(tmp_path)
    with pytest.raises(OSError, match="huggingface.co"):
        detoxify.Detoxify("original", checkpoint=str(ckpt), huggingface_config_path=str(config_dir))
