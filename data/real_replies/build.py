"""Build ibm_agents.jsonl: the agent turns of the IBM Twitter customer-care conversations, for `qa-monitor eval`.

Usage (from the repository root):
       python data/real_replies/build.py [--source ../shared/datasets/ibm_twitter_customer_care/dev.json]
       python data/real_replies/build.py --check     # fail if ibm_agents.jsonl differs from a fresh build

Every agent turn is kept (the turns inside `dialogContent` and the final `agentURL.url_utterance`); customer turns
are dropped. Only what the check needs is written: the tweet id, the brand account and the reply text with the
Twitter handles at its start removed, other handles replaced by "@user", and e-mail addresses and phone numbers
replaced by placeholders. Duplicate texts (brand macros sent to several customers) are kept once, the earliest
tweet id winning, and lines are ordered by tweet id, so the file is the same on every run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from qa_monitor.redaction import Redactor

HERE = Path(__file__).resolve().parent
OUT = HERE / "ibm_agents.jsonl"
DEFAULT_SOURCE = Path("../shared/datasets/ibm_twitter_customer_care/dev.json")  # as `qa-monitor train --data-dir`
_LEADING_HANDLES = re.compile(r"^(?:\s*@\w+)+\s*")
_HANDLE = re.compile(r"(?<![\w@])@\w+")


def clean(text: str, redactor: Redactor) -> str:
    """The reply without the handles it is addressed to, other handles and personal data replaced."""
    text = _LEADING_HANDLES.sub("", text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    text = _HANDLE.sub("@user", text)
    return redactor.redact(text)[0].strip()


def agent_turns(conversations: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One record per distinct agent reply, ordered by tweet id."""
    redactor = Redactor(["email", "phone"])
    raw: list[tuple[int, str, str]] = []
    for conv in conversations:
        company = conv["dialogHeader"]["company"]
        for turn in conv["dialogContent"]:
            if "agent" in turn:
                raw.append((int(turn["tweet_ID"]), company, turn["message"]))
        url = conv.get("agentURL") or {}
        if url.get("url_utterance"):
            raw.append((int(url["tweet_ID"]), company, url["url_utterance"]))
    seen: set[str] = set()
    out = []
    for tweet_id, company, message in sorted(raw):
        text = clean(message, redactor)
        key = " ".join(text.casefold().split())
        if not text or key in seen:
            continue
        seen.add(key)
        out.append({"id": f"ibm-{tweet_id}", "text": text, "company": company, "source": "ibm-twitter-customer-care"})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true", help="fail if the file is not a fresh build")
    args = parser.parse_args()
    rows = agent_turns(json.loads(args.source.read_text(encoding="utf-8")))
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.check:
        if OUT.read_text(encoding="utf-8") != body:
            print(f"{OUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{OUT.name}: {len(rows)} replies, current")
        return 0
    OUT.write_text(body, encoding="utf-8")
    print(f"wrote {len(rows)} replies to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
