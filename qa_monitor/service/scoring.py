"""The service's use of the scoring engine: load it once, and what of an interaction it scores."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from qa_monitor.config import PipelineSpec, Settings
from qa_monitor.errors import QAMonitorError
from qa_monitor.records import Interaction, MessageScore, agent_contexts
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)


class ScorerLike(Protocol):
    """What the service needs of `qa_monitor.scoring.engine.Scorer`."""

    model_version: str
    threshold_version: str

    def score(self, items: Sequence[Any]) -> list[MessageScore]:
        """One MessageScore per item (ScoreInput-shaped), same order."""
        ...


def load_scorer(settings: Settings, pipeline: PipelineSpec | None, store: Store) -> ScorerLike | None:
    """The engine's Scorer loaded once, or None (logged) when the engine or its model files are missing."""
    from qa_monitor.scoring.engine import Scorer

    try:
        scorer = Scorer.from_settings(settings, pipeline, store)
        scorer.load()
    except QAMonitorError as e:
        log.error("scorer could not be loaded: %s", e)
        return None
    return scorer


def score_inputs(interaction: Interaction) -> list[Any]:
    """ScoreInputs for the customer-facing agent messages of one interaction, with the customer's turns before."""
    from qa_monitor.nlp.analysis import ScoreInput

    shown = [m for m in sorted(interaction.messages, key=lambda m: m.seq) if not m.internal]
    contexts = agent_contexts((m.id, m.author.role, m.text) for m in shown)
    return [ScoreInput(message_id=m.id, text=m.text, customer=contexts[m.id], language=m.language)
            for m in shown if m.id in contexts]
