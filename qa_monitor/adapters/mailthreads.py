"""E-mail threads from Message-ID / In-Reply-To / References, with a normalised-subject fallback.

The index lives in the adapter's cursor, so it survives runs: for every thread it keeps where each of its
messages can be read again, which lets a later batch that brings a reply re-emit the whole thread.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from qa_monitor.adapters.mime import ParsedMail

# Reply and forward prefixes in the five languages and the clients that write them (Outlook, Thunderbird, Gmail).
_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]\s*)?"
    r"(?:re|fwd?|fw|aw|wg|sv|vs|odp|pd|prz|przek|res|rv|enc|reenv|atb|pārs|pars|tr|ответ|отв|пересл|antw)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
SUBJECT_WINDOW = timedelta(days=60)
_FIRST_SWEEP = 1000
_RECENT_RANK = 100


def normalise_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (repeated, bracketed tags too), casefolded."""
    s = unicodedata.normalize("NFC", subject or "")
    while True:
        stripped = _PREFIX.sub("", s, count=1)
        if stripped == s:
            break
        s = stripped
    return re.sub(r"\s+", " ", s).strip().casefold()


def has_reply_prefix(subject: str) -> bool:
    """True when the subject starts with a reply or forward prefix."""
    return bool(_PREFIX.match(subject or ""))


@dataclass
class ThreadEntry:
    """One thread in the index: its messages (id -> locator), normalised subject and last activity."""

    messages: dict[str, Any]
    subject: str
    last: float


class ThreadIndex:
    """Message-id -> thread root, and each thread's message locators; serialised into the cursor."""

    def __init__(self, max_threads: int = 50_000, window_days: int = 90) -> None:
        self.max_threads = max_threads
        self.window = window_days * 86400.0
        self._sweep_at = _FIRST_SWEEP
        self.threads: dict[str, ThreadEntry] = {}
        self.root_of: dict[str, str] = {}
        self.by_subject: dict[str, str] = {}
        # Serialised entries, rebuilt only for threads changed since: the cursor is written after every batch.
        self._frozen: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_cursor(cls, data: Any, max_threads: int = 50_000, window_days: int = 90) -> ThreadIndex:
        """Rebuild the index from its cursor form (or an empty one)."""
        index = cls(max_threads, window_days)
        for root, entry in (data or {}).items():
            index._put(root, ThreadEntry(dict(entry["m"]), entry.get("s", ""), float(entry.get("t", 0))))
        index._sweep_at = max(_FIRST_SWEEP, len(index.threads) * 3 // 2)
        return index

    def to_cursor(self) -> dict[str, Any]:
        """The JSON-serialisable form kept in the cursor."""
        out = {}
        for root, e in self.threads.items():
            frozen = self._frozen.get(root)
            if frozen is None:
                frozen = self._frozen[root] = {"m": [[k, v] for k, v in e.messages.items()], "s": e.subject,
                                               "t": e.last}
            out[root] = frozen
        return out

    def _put(self, root: str, entry: ThreadEntry) -> None:
        self.threads[root] = entry
        for mid in entry.messages:
            self.root_of[mid] = root
        if entry.subject:
            current = self.by_subject.get(entry.subject)
            if current is None or self.threads[current].last <= entry.last:
                self.by_subject[entry.subject] = root

    def root_for(self, mail: ParsedMail) -> str:
        """The root message-id of the thread this message belongs to."""
        if mail.message_id in self.root_of:
            return self.root_of[mail.message_id]
        parents = mail.parent_ids
        for ref in reversed(parents):  # the nearest known ancestor wins (References may be truncated)
            if ref in self.root_of:
                return self.root_of[ref]
        if parents:
            return parents[0]
        if has_reply_prefix(mail.subject):
            subject = normalise_subject(mail.subject)
            root = self.by_subject.get(subject)
            if root and abs(mail.date.timestamp() - self.threads[root].last) <= SUBJECT_WINDOW.total_seconds():
                return root
        return mail.message_id

    def add(self, root: str, mail: ParsedMail, locator: Any) -> None:
        """Record a message in its thread; the latest locator wins (it is the one readable now)."""
        entry = self.threads.get(root)
        if entry is None:
            entry = ThreadEntry({}, "", 0.0)
            if len(self.threads) >= self.max_threads:
                self._evict_oldest()
        entry.messages[mail.message_id] = locator
        if not entry.subject or mail.message_id == root:
            entry.subject = normalise_subject(mail.subject)
        entry.last = max(entry.last, mail.date.timestamp())
        self._frozen.pop(root, None)
        self._put(root, entry)
        if len(self.threads) >= self._sweep_at:
            self._sweep()

    def _sweep(self) -> None:
        # Threads quiet for longer than the window are forgotten: the index (and the cursor it lives in) stays
        # the size of the recent traffic, not of the whole archive. A later reply still finds its root through
        # References, and the stored thread keeps its earlier messages.
        # "Now" is the activity of the 100th most recent thread, so a few wrong (future) Dates cannot make
        # every real thread look stale.
        lasts = sorted(e.last for e in self.threads.values())
        cutoff = lasts[-min(len(lasts), _RECENT_RANK)] - self.window
        for root in [r for r, e in self.threads.items() if e.last < cutoff]:
            self._drop(root)
        self._sweep_at = max(_FIRST_SWEEP, len(self.threads) * 3 // 2)

    def _evict_oldest(self) -> None:
        # The hard cap: the least recently active tenth goes at once (amortised).
        for root in sorted(self.threads, key=lambda r: self.threads[r].last)[:max(1, self.max_threads // 10)]:
            self._drop(root)

    def _drop(self, root: str) -> None:
        entry = self.threads.pop(root)
        self._frozen.pop(root, None)
        for mid in entry.messages:
            if self.root_of.get(mid) == root:
                del self.root_of[mid]
        if self.by_subject.get(entry.subject) == root:
            del self.by_subject[entry.subject]

    def locators(self, root: str) -> dict[str, Any]:
        """Message-id -> locator for every message of a thread known to the index."""
        entry = self.threads.get(root)
        return dict(entry.messages) if entry else {}

