"""The real-reply check set: unlabelled agent turns, personal data and handles removed, built deterministically."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from qa_monitor.evaluation import read_eval_file
from qa_monitor.redaction import Redactor

DATA = Path(__file__).resolve().parents[2] / "data" / "real_replies"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_replies_build", DATA / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows() -> list[dict[str, Any]]:
    with (DATA / "ibm_agents.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_file_is_an_unlabelled_eval_file_without_handles_or_personal_data() -> None:
    rows = _rows()
    items = read_eval_file(DATA / "ibm_agents.jsonl")
    assert len(items) == len(rows) >= 400
    assert all(v is None for it in items for v in it.labels.values())
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), key=lambda i: int(i.removeprefix("ibm-")))
    redactor = Redactor(["email", "phone"])
    for r in rows:
        assert set(r) == {"id", "text", "company", "source"}
        assert not re.match(r"\s*@", r["text"]), r["id"]
        assert not re.search(r"(?<![\w@])@(?!user\b)\w+", r["text"]), r["id"]
        assert not redactor.find(r["text"]), r["id"]
    folded = [" ".join(r["text"].casefold().split()) for r in rows]
    assert len(set(folded)) == len(folded)


def test_build_keeps_every_agent_turn_once_and_drops_customer_turns() -> None:
    build = _build_module()
    conversations = [
        {"dialogHeader": {"company": "BrandCare"},
         "dialogContent": [
             {"client": "someone", "message": "@BrandCare my app crashes, mail me at a.person@example.com",
              "tweet_ID": "5"},
             {"agent": "BrandCare", "message": "@someone @BrandCare Sorry! Which version? &amp; which OS? ^AB",
              "tweet_ID": "7"}],
         "agentURL": {"tweet_ID": "9", "url_utterance": "@someone Try this: https://example.com/help cc @other"}},
        {"dialogHeader": {"company": "BrandCare"},
         "dialogContent": [{"agent": "BrandCare", "message": "@x  sorry!  which version? & which OS? ^ab",
                            "tweet_ID": "3"}],
         "agentURL": {"tweet_ID": "4", "url_utterance": "@x Call us on +44 20 7946 0958 any time."}},
    ]
    rows = build.agent_turns(conversations)
    assert [r["id"] for r in rows] == ["ibm-3", "ibm-4", "ibm-9"]  # the later copy of the macro (7) is dropped
    assert rows[0]["text"] == "sorry!  which version? & which OS? ^ab"
    assert rows[1]["text"] == "Call us on [PHONE] any time."
    assert rows[2]["text"] == "Try this: https://example.com/help cc @user"
