"""The model card keeps the sections measured with `qa-monitor eval` when training rewrites it."""

from __future__ import annotations

from qa_monitor.training.card import kept_sections

CARD = """# Model card

## Dev metrics
| a | b |

## Real replies
Set: data/real_replies/ibm_agents.jsonl, measured on embedding-1.0@x.

| label | flagged |
|---|---|
| unclear | 1 |


## Licenses
- x
"""


def test_real_replies_section_is_kept_up_to_the_next_heading() -> None:
    kept = kept_sections(CARD)
    assert kept[0] == "" and kept[1] == "## Real replies"
    assert kept[-1] == "| unclear | 1 |"
    assert not any(line.startswith("## Licenses") or line.startswith("## Dev") for line in kept)


def test_no_section_no_lines() -> None:
    assert kept_sections("# Model card\n\n## Dev metrics\n") == []
    assert kept_sections("") == []
