"""Rebuild train.jsonl and dev.jsonl from all.jsonl: validate every item, then split by scenario group.

Usage: python data/helpdesk/split.py            # validate and (re)write train.jsonl, dev.jsonl and dev2.jsonl
       python data/helpdesk/split.py --check    # validate and fail if the split files are out of date

The split is by scenario (the same tag in several languages is one group), so replies to the same customer
situation never straddle train and dev. Groups are shuffled with a fixed seed and taken into dev while every
language they touch stays at or under DEV_SHARE of its items.

Items numbered from LATER_ROUND_FROM on (hd-xx-2001 and later) were written after the encoder's LoRA adapters were
trained on the first round's train split, in new situations. The first round alone makes train and dev as before, so
the dev split (and the figures reported on it) stays what it was. Of the later scenarios, a fixed half (by a hash of
the tag) joins train and the other half is dev2.jsonl: a second dev set whose situations and writing share nothing
with the first round, so it shows how the models carry over to replies they were not written alongside.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 20261126
DEV_SHARE = 0.30
LANGS = ("en", "es", "pl", "ru", "lv")
LABELS = ("rude", "condescending", "unclear")
SOURCE = "written-by-qa-monitor"
ID_RE = re.compile(r"^hd-(en|es|pl|ru|lv)-\d{4}$")
LATER_ROUND_FROM = 2001
KEYS = {"id", "text", "lang", "customer", "labels", "evidence", "source", "scenario", "hard_negative"}


def load(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file into a list of records."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def validate(records: list[dict[str, Any]]) -> list[str]:
    """Return every schema or consistency problem found in the records (empty when all is well)."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    for rec in records:
        rid = rec.get("id", "?")
        if set(rec) != KEYS:
            problems.append(f"{rid}: keys {sorted(set(rec) ^ KEYS)} differ from the schema")
            continue
        if not isinstance(rid, str) or not ID_RE.match(rid):
            problems.append(f"{rid}: malformed id")
        elif rid.split("-")[1] != rec["lang"]:
            problems.append(f"{rid}: id does not match lang {rec['lang']!r}")
        if rid in seen_ids:
            problems.append(f"{rid}: duplicate id")
        seen_ids.add(rid)
        if rec["lang"] not in LANGS:
            problems.append(f"{rid}: unknown lang {rec['lang']!r}")
        for key in ("text", "customer", "scenario"):
            if not isinstance(rec[key], str) or not rec[key].strip():
                problems.append(f"{rid}: {key} must be a non-empty string")
        if rec["text"] in seen_texts:
            problems.append(f"{rid}: duplicate text")
        seen_texts.add(rec["text"])
        if rec["source"] != SOURCE:
            problems.append(f"{rid}: source must be {SOURCE!r}")
        labels = rec["labels"]
        if not isinstance(labels, dict) or set(labels) != set(LABELS) or any(labels[k] not in (0, 1) for k in LABELS):
            problems.append(f"{rid}: labels must map {LABELS} to 0 or 1")
            continue
        flagged = any(labels.values())
        evidence = rec["evidence"]
        if flagged:
            if not isinstance(evidence, str) or not evidence:
                problems.append(f"{rid}: a labelled reply needs evidence")
            elif evidence not in rec["text"]:
                problems.append(f"{rid}: evidence is not a substring of text")
        elif evidence is not None:
            problems.append(f"{rid}: a fine reply must have evidence null")
        if not isinstance(rec["hard_negative"], bool) or (rec["hard_negative"] and flagged):
            problems.append(f"{rid}: hard_negative must be a bool and only true on fine replies")
    return problems


def split(records: list[dict[str, Any]], seed: int = SEED
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Split records into (train, dev, dev2) by scenario group: the first round into train and dev, keeping each
    language's dev share at most DEV_SHARE; later rounds into train and dev2 by half."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    lang_total: Counter[str] = Counter()
    for rec in records:
        if not first_round(rec):
            continue
        groups[rec["scenario"]][rec["lang"]] += 1
        lang_total[rec["lang"]] += 1
    target = {lang: DEV_SHARE * n for lang, n in lang_total.items()}
    order = sorted(groups)
    random.Random(seed).shuffle(order)
    dev_count: Counter[str] = Counter()
    dev_groups: set[str] = set()
    for name in order:
        counts = groups[name]
        if all(dev_count[lang] + n <= target[lang] for lang, n in counts.items()):
            dev_groups.add(name)
            dev_count.update(counts)
    train = [r for r in records if r["scenario"] not in dev_groups and not later_dev(r)]
    dev = [r for r in records if r["scenario"] in dev_groups]
    dev2 = [r for r in records if later_dev(r)]
    return train, dev, dev2


def first_round(rec: dict[str, Any]) -> bool:
    """True for the items written before the LoRA adapters were trained (numbered below LATER_ROUND_FROM)."""
    return int(str(rec["id"]).rsplit("-", 1)[1]) < LATER_ROUND_FROM


def later_dev(rec: dict[str, Any]) -> bool:
    """True for the later-round items whose scenario falls in dev2 (a fixed half, by a hash of the tag)."""
    return not first_round(rec) and hashlib.sha256(f"{SEED}:{rec['scenario']}".encode()).digest()[0] % 2 == 1


def _dumps(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str]) -> int:
    """Validate all.jsonl and write (or, with --check, verify) train.jsonl and dev.jsonl."""
    records = load(HERE / "all.jsonl")
    problems = validate(records)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    train, dev, dev2 = split(records)
    outputs = {HERE / "train.jsonl": _dumps(train), HERE / "dev.jsonl": _dumps(dev), HERE / "dev2.jsonl": _dumps(dev2)}
    if "--check" in argv:
        stale = [p.name for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python data/helpdesk/split.py", file=sys.stderr)
            return 1
    else:
        for path, text in outputs.items():
            path.write_text(text, encoding="utf-8")
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    for name, part in (("train", train), ("dev", dev), ("dev2", dev2)):
        for rec in part:
            per_lang[rec["lang"]][name] += 1
    for lang in sorted(per_lang):
        print(f"{lang}: train {per_lang[lang]['train']}, dev {per_lang[lang]['dev']}, dev2 {per_lang[lang]['dev2']}")
    print(f"total: train {len(train)}, dev {len(dev)}, dev2 {len(dev2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
