"""Compare a candidate's `qa-monitor eval --format json` output with the baseline's under the quality rule.

The rule: no language's rude-or-condescending or unclear ROC-AUC falls by more than 0.005, and no language's span
(evidence) overlap for any label by more than 0.01. Prints every change and exits 1 when the rule fails.
Usage: python benchmarks/quality_gate.py BASELINE.json CANDIDATE.json [BASELINE2.json CANDIDATE2.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

AUC_LABELS = ("rude|condescending", "unclear")
MAX_AUC_DROP = 0.005
MAX_OVERLAP_DROP = 0.01


def rows(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The eval rows of a file by (label, language)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(r["label"], r["lang"]): r for r in data["rows"]}


def compare(base: Path, cand: Path) -> list[str]:
    """One line per row that breaks the rule (printing every checked change)."""
    failures = []
    b, c = rows(base), rows(cand)
    for key in sorted(b):
        label, lang = key
        old, new = b[key], c.get(key)
        if new is None:
            failures.append(f"{cand.name}: {label} {lang} missing")
            continue
        checks = [("evidence_overlap", MAX_OVERLAP_DROP)]
        if label in AUC_LABELS:
            checks.append(("roc_auc", MAX_AUC_DROP))
        for metric, limit in checks:
            if old[metric] is None or new[metric] is None:
                continue
            delta = new[metric] - old[metric]
            bad = delta < -limit - 1e-9
            print(f"{cand.name:28} {label:19} {lang:3} {metric:16} {old[metric]:.4f} -> {new[metric]:.4f} "
                  f"({delta:+.4f}){'  FAIL' if bad else ''}")
            if bad:
                failures.append(f"{cand.name}: {label} {lang} {metric} {delta:+.4f}")
    return failures


def main() -> None:
    """Check each (baseline, candidate) pair given."""
    args = [Path(a) for a in sys.argv[1:]]
    if not args or len(args) % 2:
        raise SystemExit(__doc__)
    failures = [f for i in range(0, len(args), 2) for f in compare(args[i], args[i + 1])]
    print("\n".join(["rule holds"] if not failures else ["rule FAILS:", *failures]))
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
