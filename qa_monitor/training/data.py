"""Loaders for the shared training datasets and the project's help-desk set, mapped to our three labels, with
deduplication, capped balanced sampling and fixed hash-based splits."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_monitor.errors import QAMonitorError
from qa_monitor.records import LABELS

SEED = 13
# Split by a salted hash of the normalised text: <70 train, 70-84 calibration, >=85 dev (percent).
TRAIN_MAX, CAL_MAX = 70, 85
# Help-desk train items: this percentage of scenarios (all replies to one customer message together) calibrates.
HELPDESK_CAL = 25
_NORM = re.compile(r"[^\w]+", re.UNICODE)
csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class Example:
    """One labelled text: None for a label the source says nothing about."""

    text: str
    lang: str
    source: str
    labels: dict[str, int | None] = field(default_factory=dict)
    split: str = ""
    group: str = ""
    customer: str = ""

    def label(self, name: str) -> int | None:
        """0/1, or None when this example does not speak to the label."""
        return self.labels.get(name)


def normalise_key(text: str) -> str:
    """The text reduced to lower-case word characters: two texts with the same key are duplicates."""
    return _NORM.sub(" ", text.lower()).strip()


def split_of(text: str, seed: int = SEED) -> str:
    """train / cal / dev for a text, fixed by a salted hash of its normalised form."""
    h = int(hashlib.sha256(f"{seed}:{normalise_key(text)}".encode()).hexdigest()[:8], 16) % 100
    return "train" if h < TRAIN_MAX else "cal" if h < CAL_MAX else "dev"


def helpdesk_split(group: str, seed: int = SEED) -> str:
    """train / cal for a help-desk scenario, fixed by a salted hash (its dev split is a separate file)."""
    h = int(hashlib.sha256(f"{seed}:helpdesk:{group}".encode()).hexdigest()[:8], 16) % 100
    return "cal" if h < HELPDESK_CAL else "train"


def _labels(**kw: int | None) -> dict[str, int | None]:
    return {name: kw.get(name) for name in LABELS}


def _read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def load_stanford_politeness(root: Path) -> list[Example]:
    """Requests; per community, bottom quartile -> condescending (impolite), top quartile -> fine; middle dropped."""
    out: list[Example] = []
    for name in ("wikipedia.annotated.csv", "stack-exchange.annotated.csv"):
        rows = _read_csv(root / "stanford_politeness" / name)
        scores = sorted(float(r["Normalized Score"]) for r in rows)
        if not scores:
            continue
        q1, q3 = scores[len(scores) // 4], scores[(3 * len(scores)) // 4]
        for r in rows:
            s = float(r["Normalized Score"])
            if s <= q1:
                out.append(Example(r["Request"], "en", "stanford_politeness", _labels(condescending=1)))
            elif s >= q3:
                out.append(Example(r["Request"], "en", "stanford_politeness", _labels(rude=0, condescending=0)))
    return out


def load_tydip(root: Path) -> list[Example]:
    """TyDiP English binary file (a subset of the Stanford corpus: deduplication drops most of it)."""
    rows = _read_csv(root / "tydip" / "data" / "binary" / "en_train_binary.csv")
    return [Example(r["sentence"], "en", "tydip",
                    _labels(condescending=0) if float(r["score"]) > 0 else _labels(condescending=1)) for r in rows]


def load_olid(root: Path) -> list[Example]:
    """OLID sub-task A: OFF -> rude."""
    path = root / "olid" / "OLIDv1.0" / "olid-training-v1.0.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Example(r["tweet"].replace("@USER", "").replace("URL", "").strip(), "en", "olid",
                    _labels(rude=int(r["subtask_a"] == "OFF"))) for r in rows]


def load_poleval(root: Path) -> list[Example]:
    """PolEval 2019 task 1: harmful -> rude (Polish)."""
    d = root / "poleval2019_cyberbullying_pl" / "task01"
    texts = (d / "training_set_clean_only_text.txt").read_text(encoding="utf-8").splitlines()
    tags = (d / "training_set_clean_only_tags.txt").read_text(encoding="utf-8").splitlines()
    if len(texts) != len(tags):
        raise QAMonitorError(f"{d}: text and tag files are not aligned ({len(texts)} vs {len(tags)} lines)")
    return [Example(t.replace("@anonymized_account", "").strip(), "pl", "poleval2019",
                    _labels(rude=int(g.strip() == "1"))) for t, g in zip(texts, tags, strict=True)]


def load_ru_toxic(root: Path) -> list[Example]:
    """2ch/Pikabu comments: toxic -> rude (Russian)."""
    rows = _read_csv(root / "ru_toxic_2ch_pikabu" / "labeled.csv")
    return [Example(r["comment"].strip(), "ru", "ru_toxic", _labels(rude=int(float(r["toxic"]) >= 0.5)))
            for r in rows]


def load_jigsaw(root: Path) -> list[Example]:
    """Jigsaw sample: toxic or insult -> rude."""
    rows = _read_csv(root / "jigsaw_toxic_sample_ibm" / "test_examples.csv")
    return [Example(r["comment_text"], "en", "jigsaw",
                    _labels(rude=int(r["toxic"] == "1" or r["insult"] == "1"))) for r in rows]


def load_onestop(root: Path) -> list[Example]:
    """Aligned advanced/elementary sentence pairs: the advanced wording -> unclear, the elementary -> clear."""
    text = (root / "onestopenglish" / "Sentence-Aligned" / "ADV-ELE.txt").read_text(encoding="utf-8",
                                                                                   errors="replace")
    out: list[Example] = []
    for block in text.split("*******"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        if len(lines) != 2 or normalise_key(lines[0]) == normalise_key(lines[1]):
            continue
        out.append(Example(lines[0], "en", "onestopenglish", _labels(unclear=1)))
        out.append(Example(lines[1], "en", "onestopenglish", _labels(unclear=0)))
    return out


def load_helpdesk(path: Path) -> list[Example]:
    """The project's help-desk replies in the eval format (labels per line, null = unknown)."""
    out: list[Example] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise QAMonitorError(f"{path}:{n}: invalid JSON ({e.msg})") from None
        labels = row.get("labels") or {}
        out.append(Example(str(row["text"]), str(row.get("lang") or "unknown"), "helpdesk",
                           _labels(**{k: (None if labels.get(k) is None else int(labels[k])) for k in LABELS}),
                           group=str(row.get("scenario") or row.get("id") or n),
                           customer=str(row.get("customer") or "")))
    return out


LOADERS: dict[str, Callable[[Path], list[Example]]] = {
    "stanford_politeness": load_stanford_politeness,
    "tydip": load_tydip,
    "olid": load_olid,
    "poleval2019": load_poleval,
    "ru_toxic": load_ru_toxic,
    "jigsaw": load_jigsaw,
    "onestopenglish": load_onestop,
}
# Per source, at most this many examples per (label, value) pair, drawn with a fixed seed: bounds embedding time
# and keeps one large tweet corpus from drowning the rest.
CAPS: dict[str, int] = {"olid": 4000, "poleval2019": 4000, "ru_toxic": 4000, "onestopenglish": 2000,
                        "stanford_politeness": 2700, "tydip": 1000, "jigsaw": 100}


def dedupe(examples: Iterable[Example]) -> list[Example]:
    """Keep the first example of each normalised text (sources are read in a fixed order)."""
    seen: set[str] = set()
    out: list[Example] = []
    for ex in examples:
        key = normalise_key(ex.text)
        if len(key) < 2 or key in seen:
            continue
        seen.add(key)
        out.append(ex)
    return out


def cap(examples: Sequence[Example], limit: int, seed: int = SEED) -> list[Example]:
    """At most `limit` examples per distinct label tuple, drawn with a fixed seed, original order kept."""
    groups: dict[tuple[int | None, ...], list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(tuple(ex.labels.get(name) for name in LABELS), []).append(i)
    rng = random.Random(seed)
    keep: set[int] = set()
    for idx in groups.values():
        keep.update(idx if len(idx) <= limit else rng.sample(idx, limit))
    return [ex for i, ex in enumerate(examples) if i in keep]


def in_sample(text: str, rate: float) -> bool:
    """True for a fixed share `rate` of texts, chosen by the sha1 of the text (the embedding cache's key)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) < rate * 2**32


def load_all(data_dir: Path, helpdesk_train: Path | None = None, seed: int = SEED,
             sample_rate: float = 1.0) -> list[Example]:
    """Every training source, deduplicated across sources, capped, each example with its fixed split.

    `sample_rate` < 1 keeps that hash-chosen share of the public datasets' examples (the help-desk set is always
    kept whole): embedding time on two cores is the bound on how much of them a retrain can afford.
    """
    if not data_dir.is_dir():
        raise QAMonitorError(f"dataset folder not found: {data_dir}")
    examples: list[Example] = []
    if helpdesk_train is not None and helpdesk_train.is_file():
        # Help-desk train items: a quarter of their scenarios calibrate; their dev split is a separate file.
        examples += [Example(e.text, e.lang, e.source, e.labels, helpdesk_split(e.group, seed), e.group, e.customer)
                     for e in load_helpdesk(helpdesk_train)]
    for name, loader in LOADERS.items():
        rows = [Example(e.text, e.lang, e.source, e.labels, split_of(e.text, seed)) for e in loader(data_dir)]
        examples += [e for e in cap(rows, CAPS.get(name, 10**9), seed) if in_sample(e.text, sample_rate)]
    return dedupe(examples)


def sample_weights(examples: Sequence[Example], label: str, share: float) -> np.ndarray:
    """Class-balanced within each source; the help-desk set scaled up to `share` of the total."""
    keys = [(e.source, e.label(label)) for e in examples]
    counts: dict[tuple[str, int | None], int] = {}
    per_source: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
        per_source[k[0]] = per_source.get(k[0], 0) + 1
    classes: dict[str, int] = {}
    for src, _ in counts:
        classes[src] = classes.get(src, 0) + 1
    w = np.array([per_source[s] / (classes[s] * counts[(s, v)]) for s, v in keys], dtype=np.float64)
    hd = np.array([e.source == "helpdesk" for e in examples])
    if hd.any() and (~hd).any():
        target = share / (1 - share) * w[~hd].sum()
        w[hd] *= target / w[hd].sum()
    return w * len(w) / w.sum()
