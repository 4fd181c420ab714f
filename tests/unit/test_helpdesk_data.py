"""The hand-written help-desk set: schema, evidence spans, no leakage between splits, label balance."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "helpdesk"
# Languages complete in the set; each must reach the minimum size and label mix below.
COMPLETE_LANGS = ("en", "es", "pl", "ru", "lv")
MIN_PER_LANG = 150
LABELS = ("rude", "condescending", "unclear")


def _split_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("helpdesk_split", DATA / "split.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def split_mod() -> ModuleType:
    return _split_module()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return _load("all.jsonl")


def test_schema_and_evidence_are_valid(split_mod: ModuleType, records: list[dict[str, Any]]) -> None:
    assert split_mod.validate(records) == []
    for rec in records:
        if any(rec["labels"].values()):
            assert rec["evidence"] in rec["text"], rec["id"]
        else:
            assert rec["evidence"] is None, rec["id"]


def test_validate_catches_broken_items(split_mod: ModuleType, records: list[dict[str, Any]]) -> None:
    flagged = next(r for r in records if r["labels"]["rude"])
    fine = next(r for r in records if not any(r["labels"].values()))
    bad_span = dict(flagged, evidence=flagged["evidence"] + " (not in the reply)")
    fine_with_span = dict(fine, evidence=fine["text"][:10])
    missing_key = {k: v for k, v in fine.items() if k != "customer"}
    bad_label = dict(fine, labels={"rude": 2, "condescending": 0, "unclear": 0})
    for broken in (bad_span, fine_with_span, missing_key, bad_label):
        assert split_mod.validate([broken]), broken["id"]
    assert any("duplicate text" in p for p in split_mod.validate([fine, dict(fine, id="hd-en-9999")]))


def test_no_duplicate_texts(records: list[dict[str, Any]]) -> None:
    texts = Counter(r["text"].strip().casefold() for r in records)
    assert [t for t, n in texts.items() if n > 1] == []


def test_split_files_match_the_rebuild(split_mod: ModuleType, records: list[dict[str, Any]]) -> None:
    train, dev, dev2 = split_mod.split(records)
    assert _load("train.jsonl") == train
    assert _load("dev.jsonl") == dev
    assert _load("dev2.jsonl") == dev2
    assert len(train) + len(dev) + len(dev2) == len(records)


def test_later_rounds_leave_dev_as_it_was_and_split_into_train_and_dev2(split_mod: ModuleType,
                                                                        records: list[dict[str, Any]]) -> None:
    first = [r for r in records if split_mod.first_round(r)]
    later = [r for r in records if not split_mod.first_round(r)]
    train, dev, dev2 = split_mod.split(records)
    assert split_mod.split(first)[1] == dev and split_mod.split(first)[2] == []  # later rounds move nothing in dev
    assert all(split_mod.first_round(r) for r in dev) and not any(split_mod.first_round(r) for r in dev2)
    later_train = {r["scenario"] for r in train if not split_mod.first_round(r)}
    assert later_train and later_train.isdisjoint({r["scenario"] for r in dev2})
    assert len(later_train) + len({r["scenario"] for r in dev2}) == len({r["scenario"] for r in later})


def test_no_scenario_in_two_splits() -> None:
    train = {r["scenario"] for r in _load("train.jsonl")}
    dev = {r["scenario"] for r in _load("dev.jsonl")}
    dev2 = {r["scenario"] for r in _load("dev2.jsonl")}
    assert train & dev == set() and train & dev2 == set() and dev & dev2 == set()


def test_customer_message_belongs_to_one_scenario(records: list[dict[str, Any]]) -> None:
    scenarios: dict[str, set[str]] = {}
    for rec in records:
        scenarios.setdefault(rec["customer"], set()).add(rec["scenario"])
    assert {c[:40]: s for c, s in scenarios.items() if len(s) > 1} == {}


def test_split_share_per_language(split_mod: ModuleType) -> None:
    train = Counter(r["lang"] for r in _load("train.jsonl") if split_mod.first_round(r))
    dev = Counter(r["lang"] for r in _load("dev.jsonl"))
    for lang in COMPLETE_LANGS:
        share = dev[lang] / (train[lang] + dev[lang])
        assert 0.2 <= share <= 0.32, (lang, share)


@pytest.mark.parametrize("lang", COMPLETE_LANGS)
def test_label_balance_per_language(records: list[dict[str, Any]], lang: str) -> None:
    items = [r for r in records if r["lang"] == lang]
    assert len(items) >= MIN_PER_LANG
    fine = [r for r in items if not any(r["labels"].values())]
    assert 0.35 <= len(fine) / len(items) <= 0.5
    assert sum(r["hard_negative"] for r in fine) >= len(fine) / 3
    for label in LABELS:
        share = sum(r["labels"][label] for r in items) / len(items)
        assert 0.15 <= share <= 0.3, (label, share)


@pytest.mark.parametrize("lang", COMPLETE_LANGS)
def test_dev_split_has_every_label(lang: str) -> None:
    dev = [r for r in _load("dev.jsonl") if r["lang"] == lang]
    assert sum(not any(r["labels"].values()) for r in dev) >= 10
    for label in LABELS:
        assert sum(r["labels"][label] for r in dev) >= 5, label
