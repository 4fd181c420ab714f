"""The Adapter interface, the registry of adapters, and the Directory that resolves who is an agent."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import ClassVar, Protocol

from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.errors import ConfigError, ParseError
from qa_monitor.records import Batch, Cursor, Interaction, Participant, RawPayload, fit_for_store

log = logging.getLogger(__name__)


class Directory:
    """Resolves e-mail addresses, chat handles and speaker names to configured agents."""

    def __init__(self, spec: PipelineSpec | None) -> None:
        """The pipeline's agents and agent domains; without a pipeline nobody is known and roles come from hints."""
        agents = spec.agents if spec is not None else []
        self.domains = {d.lower().lstrip("@") for d in spec.agent_domains} if spec is not None else set()
        self.by_email = {e.lower(): a.id for a in agents for e in a.emails}
        self.by_handle = {h.casefold(): a.id for a in agents for h in a.handles}
        self.names = {a.id: a.name for a in agents}
        self.by_name = {a.name.casefold(): a.id for a in agents}

    def agent_for(self, *, email: str | None = None, handle: str | None = None,
                  name: str | None = None) -> str | None:
        """The configured agent id for any of the identifiers given, or None."""
        if email and (a := self.by_email.get(email.strip().lower())):
            return a
        if handle and (a := self.by_handle.get(handle.strip().casefold())):
            return a
        if name and (a := self.by_name.get(name.strip().casefold()) or self.by_handle.get(name.strip().casefold())):
            return a
        return None

    def is_agent_address(self, email: str) -> bool:
        """True for a configured agent address or an address at an agent domain."""
        e = email.strip().lower()
        return e in self.by_email or e.rsplit("@", 1)[-1] in self.domains

    def participant(self, pid: str, *, name: str | None = None, email: str | None = None,
                    handle: str | None = None, role_hint: str | None = None) -> Participant:
        """A Participant with its role resolved: a known agent, an agent domain, the source's hint, else customer."""
        agent = self.agent_for(email=email, handle=handle, name=name)
        if agent:
            return Participant(id=pid, role="agent", name=name or self.names.get(agent), agent_id=agent)
        if email and self.is_agent_address(email):
            return Participant(id=pid, role="agent", name=name)
        if role_hint in ("agent", "customer", "system"):
            return Participant(id=pid, role=role_hint, name=name)  # type: ignore[arg-type]
        return Participant(id=pid, role="customer", name=name)


class Adapter(Protocol):
    """Reads one source and yields batches; `fetch` resumes after `since` and a re-run is harmless."""

    name: ClassVar[str]

    def fetch(self, *, since: Cursor | None) -> Iterator[Batch]:
        """Batches of interactions with their raw payloads and the cursor after them."""
        ...

    def parse(self, raw: RawPayload) -> Sequence[Interaction]:
        """Parse one stored raw payload again (used to retry quarantined payloads); raises ParseError."""
        ...


# What parsing arbitrary input raises, besides our ParseError: ValueError (UnicodeError and JSONDecodeError among
# them, dates out of range), ArithmeticError (OverflowError: timedelta, datetime.astimezone, float of a huge int),
# LookupError (KeyError, IndexError), TypeError and AttributeError (a value of an unexpected type), RecursionError
# (nesting deeper than Python follows), OSError (datetime.fromtimestamp on some platforms).
UNIT_ERRORS: tuple[type[BaseException], ...] = (ParseError, ValueError, ArithmeticError, LookupError, TypeError,
                                                AttributeError, RecursionError, OSError)


def unit_error(ref: str, error: BaseException) -> str:
    """The quarantine reason for an error raised while reading one unit of input."""
    if isinstance(error, ParseError):
        return str(error)
    if isinstance(error, RecursionError):
        return f"{ref}: nested too deeply to read"
    return f"{ref}: unexpected structure ({type(error).__name__}: {str(error)[:200]})"


def parse_unit(raw: RawPayload, parse: Callable[[RawPayload], Sequence[Interaction]]
               ) -> tuple[list[Interaction], RawPayload]:
    """One unit's interactions, fit for the store, and its payload: quarantined with the reason when parsing it
    failed or it holds what the store cannot keep, skipped when it has no messages. Never raises for bad input."""
    try:
        items = [fit_for_store(i) for i in parse(raw)]
    except UNIT_ERRORS as e:
        log.info("source %s: quarantined payload %s (%s)", raw.source, raw.id, type(e).__name__)
        return [], replace(raw, status="quarantined", reason=unit_error(raw.ref, e))
    if not items:
        return [], replace(raw, status="skipped", reason="no messages")
    return items, raw


# adapter name -> "module:Class"; imported only when a pipeline uses it.
REGISTRY: dict[str, str] = {}


def register(name: str, target: str) -> None:
    """Register an adapter class by dotted path."""
    REGISTRY[name] = target


def build_adapter(source: SourceSpec, spec: PipelineSpec) -> Adapter:
    """Instantiate the adapter a source names, with the pipeline's directory; unknown names are a ConfigError."""
    from qa_monitor import adapters  # noqa: F401  (fills REGISTRY)

    target = REGISTRY.get(source.adapter)
    if not target:
        raise ConfigError(f"source '{source.name}': unknown adapter '{source.adapter}' "
                          f"(known: {', '.join(sorted(REGISTRY))})")
    module, cls = target.split(":")
    adapter_cls = getattr(importlib.import_module(module), cls)
    return adapter_cls(source=source, directory=Directory(spec), pipeline=spec)
