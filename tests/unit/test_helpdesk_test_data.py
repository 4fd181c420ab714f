"""The held-out help-desk test set: schema, evidence spans, duplicates, size and label mix per language."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_FILE = ROOT / "data" / "helpdesk_test" / "test.jsonl"
TRAIN_FILE = ROOT / "data" / "helpdesk" / "all.jsonl"
# Languages written so far; each must reach the minimum size and carry every label.
COMPLETE_LANGS = ("en", "es", "pl", "ru", "lv")
MIN_PER_LANG = 100
LABELS = ("rude", "condescending", "unclear")
KEYS = {"id", "text", "lang", "customer", "labels", "evidence", "source", "channel"}
CHANNELS = {"email", "chat", "call"}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with TEST_FILE.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_schema(records: list[dict[str, Any]]) -> None:
    for rec in records:
        assert set(rec) == KEYS, rec["id"]
        assert re.fullmatch(rf"ht-{rec['lang']}-\d{{4}}", rec["id"]), rec["id"]
        assert rec["lang"] in COMPLETE_LANGS, rec["id"]
        assert isinstance(rec["text"], str) and rec["text"].strip(), rec["id"]
        assert isinstance(rec["customer"], str) and rec["customer"].strip(), rec["id"]
        assert set(rec["labels"]) == set(LABELS), rec["id"]
        assert all(rec["labels"][label] in (0, 1) for label in LABELS), rec["id"]
        assert rec["source"] == "written-by-qa-monitor", rec["id"]
        assert rec["channel"] in CHANNELS, rec["id"]


def test_ids_unique(records: list[dict[str, Any]]) -> None:
    ids = [rec["id"] for rec in records]
    assert len(ids) == len(set(ids))


def test_evidence_is_substring_of_problem_replies_only(records: list[dict[str, Any]]) -> None:
    for rec in records:
        flagged = any(rec["labels"].values())
        if flagged:
            assert isinstance(rec["evidence"], str) and rec["evidence"].strip(), rec["id"]
            assert rec["evidence"] in rec["text"], rec["id"]
        else:
            assert rec["evidence"] is None, rec["id"]


def test_no_duplicate_texts(records: list[dict[str, Any]]) -> None:
    counts = Counter(_norm(rec["text"]) for rec in records)
    assert [text for text, n in counts.items() if n > 1] == []


def test_no_reply_shared_with_training_set(records: list[dict[str, Any]]) -> None:
    if not TRAIN_FILE.exists():
        pytest.skip("training set data/helpdesk/all.jsonl not present")
    with TRAIN_FILE.open(encoding="utf-8") as fh:
        train = {_norm(json.loads(line)["text"]) for line in fh if line.strip()}
    shared = [rec["id"] for rec in records if _norm(rec["text"]) in train]
    assert shared == []


@pytest.mark.parametrize("lang", COMPLETE_LANGS)
def test_size_and_label_mix_per_language(records: list[dict[str, Any]], lang: str) -> None:
    mine = [rec for rec in records if rec["lang"] == lang]
    assert len(mine) >= MIN_PER_LANG
    fine = sum(1 for rec in mine if not any(rec["labels"].values()))
    assert 0.35 <= fine / len(mine) <= 0.55
    for label in LABELS:
        assert sum(rec["labels"][label] for rec in mine) >= 0.15 * len(mine), label
    assert {rec["channel"] for rec in mine} == CHANNELS


def test_eval_reader_accepts_the_file(records: list[dict[str, Any]]) -> None:
    from qa_monitor.evaluation import read_eval_file

    items = read_eval_file(TEST_FILE)
    assert len(items) == len(records)
    by_id = {item.id: item for item in items}
    for rec in records:
        assert by_id[rec["id"]].labels == rec["labels"], rec["id"]
        assert by_id[rec["id"]].evidence == rec["evidence"], rec["id"]
