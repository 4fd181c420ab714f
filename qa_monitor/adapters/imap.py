"""IMAP mailboxes, read-only: folders are EXAMINEd and bodies fetched with BODY.PEEK[], so no flag ever changes."""

from __future__ import annotations

import contextlib
import os
import ssl
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from qa_monitor.adapters.base import Directory
from qa_monitor.adapters.email import MailAdapter, RawMail, _loc_key
from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.errors import ConfigError, SourceError
from qa_monitor.records import Batch, Cursor

_TLS_MODES = ("ssl", "starttls", "none")
_CONNECT_ATTEMPTS = 3


def _set_uid(folder: str, uid: int) -> Any:
    def advance(state: dict[str, Any]) -> None:
        state["folders"][folder]["uid"] = uid
    return advance


class ImapAdapter(MailAdapter):
    """One IMAP account, one or more folders; the cursor is {folder: {uidvalidity, uid}} plus the thread index."""

    name: ClassVar[str] = "imap"
    kind: ClassVar[str] = "email/imap"

    def __init__(self, *, source: SourceSpec, directory: Directory, pipeline: PipelineSpec) -> None:
        super().__init__(source=source, directory=directory, pipeline=pipeline)
        o = source.options
        where = f"source '{source.name}'"
        self.host = str(o.get("host") or "")
        self.username = str(o.get("username") or "")
        self.password_env = str(o.get("password_env") or "")
        self.tls = str(o.get("tls", "ssl"))
        if not self.host or not self.username or not self.password_env:
            raise ConfigError(f"{where}: options.host, options.username and options.password_env are required")
        if self.tls not in _TLS_MODES:
            raise ConfigError(f"{where}: options.tls must be one of {', '.join(_TLS_MODES)}, got {self.tls!r}")
        self.port = self._int_option("port", 993 if self.tls == "ssl" else 143)
        folders = o.get("folders", ["INBOX"])
        if not isinstance(folders, list) or not folders or not all(isinstance(f, str) and f for f in folders):
            raise ConfigError(f"{where}: options.folders must be a non-empty list of folder names")
        self.folders: list[str] = folders
        self.ca_file = o.get("ca_file")
        self._client: Any = None
        self._selected: tuple[str, int] | None = None

    def _connect(self) -> Any:
        password = os.environ.get(self.password_env)
        if password is None:
            raise ConfigError(f"source '{self.source.name}': environment variable {self.password_env} "
                              "(options.password_env) is not set")
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        for attempt in range(_CONNECT_ATTEMPTS):
            try:
                return self._login(context, password)
            except (ConnectionError, TimeoutError) as e:
                # A reset or timeout while connecting is usually transient (a busy server): try again.
                if attempt + 1 == _CONNECT_ATTEMPTS:
                    raise SourceError(f"source '{self.source.name}': cannot connect to {self.host}:{self.port} "
                                      f"({self.tls}) after {_CONNECT_ATTEMPTS} attempts: {e}") from None
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    def _login(self, context: ssl.SSLContext, password: str) -> Any:
        from imapclient import IMAPClient  # imported when used: a pipeline without IMAP never loads it

        try:
            client = IMAPClient(self.host, port=self.port, ssl=self.tls == "ssl", ssl_context=context, timeout=60)
            if self.tls == "starttls":
                client.starttls(context)
            client.normalise_times = False
            client.login(self.username, password)
        except (ConnectionError, TimeoutError):
            raise
        except (OSError, ssl.SSLError) as e:
            raise SourceError(f"source '{self.source.name}': cannot connect to {self.host}:{self.port} "
                              f"({self.tls}): {e}") from None
        except Exception as e:  # imapclient's LoginError and protocol errors
            raise SourceError(f"source '{self.source.name}': {self.host}:{self.port} refused the session: "
                              f"{type(e).__name__}") from None
        return client

    def fetch(self, *, since: Cursor | None) -> Iterator[Batch]:
        """Batches of new mail in each folder (by UID), with whole threads; nothing on the server changes."""
        self._client = self._connect()
        try:
            yield from super().fetch(since=since)
        finally:
            with contextlib.suppress(Exception):  # the session may already be gone; nothing to save
                self._client.logout()
            self._client, self._selected = None, None

    def _examine(self, folder: str) -> int:
        """Select a folder read-only (EXAMINE) and return its UIDVALIDITY."""
        try:
            info = self._client.select_folder(folder, readonly=True)
        except Exception as e:  # noqa: BLE001
            raise SourceError(f"source '{self.source.name}': cannot open folder {folder!r}: {e}") from None
        uidvalidity = int(info[b"UIDVALIDITY"])
        self._selected = (folder, uidvalidity)
        return uidvalidity

    def _scan(self, state: dict[str, Any]) -> Iterator[RawMail]:
        folders: dict[str, Any] = state.setdefault("folders", {})
        for folder in self.folders:
            uidvalidity = self._examine(folder)
            rec = folders.get(folder)
            if not rec or rec.get("uidvalidity") != uidvalidity:
                # New folder, or the server renumbered it: read it all again (upserts make that harmless).
                folders[folder] = {"uidvalidity": uidvalidity, "uid": 0}
            last = int(folders[folder]["uid"])
            uids = sorted(u for u in self._client.search(["UID", f"{last + 1}:*"]) if u > last)
            for i in range(0, len(uids), self.batch_size):
                chunk = uids[i:i + self.batch_size]
                meta = self._client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
                small = [u for u in chunk if int(meta.get(u, {}).get(b"RFC822.SIZE", 0)) <= self.max_bytes]
                bodies = self._client.fetch(small, ["BODY.PEEK[]"]) if small else {}
                for uid in chunk:
                    if uid not in meta:
                        continue  # expunged since the search
                    if uid not in bodies:  # over the size limit: fetched alone, kept, quarantined by the parser
                        bodies.update(self._client.fetch([uid], ["BODY.PEEK[]"]))
                    content = bodies.pop(uid, {}).get(b"BODY[]")
                    if content is None:
                        continue
                    when = meta[uid].get(b"INTERNALDATE")
                    fallback = (when if when.tzinfo else when.replace(tzinfo=UTC)) if isinstance(when, datetime) \
                        else None
                    yield RawMail(locator=[folder, uidvalidity, uid], content=bytes(content),
                                  ref=f"{folder}/{uidvalidity}/{uid}", fallback_date=fallback,
                                  advance=_set_uid(folder, uid))
                    if self._selected != (folder, uidvalidity):
                        self._examine(folder)  # loading earlier thread messages switched folders

    def _load(self, locators: Sequence[Any]) -> dict[str, bytes]:
        by_folder: dict[str, list[tuple[int, int]]] = {}
        for folder, uidvalidity, uid in locators:
            by_folder.setdefault(folder, []).append((int(uidvalidity), int(uid)))
        out: dict[str, bytes] = {}
        current = self._selected
        for folder, wanted in by_folder.items():
            try:
                uidvalidity = self._examine(folder)
            except SourceError:
                continue
            uids = [uid for v, uid in wanted if v == uidvalidity]
            if uids:
                for uid, data in self._client.fetch(uids, ["BODY.PEEK[]"]).items():
                    if b"BODY[]" in data:
                        out[_loc_key([folder, uidvalidity, uid])] = bytes(data[b"BODY[]"])
        if current and self._selected != current:
            self._examine(current[0])
        return out
