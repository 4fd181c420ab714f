"""E-mail file adapters (mbox, Maildir, a folder of .eml) and the threading/batching they share with IMAP."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import mailbox
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from qa_monitor.adapters.base import UNIT_ERRORS, Directory, parse_unit
from qa_monitor.adapters.files import parse_time
from qa_monitor.adapters.mailthreads import ThreadIndex
from qa_monitor.adapters.mime import DEFAULT_MAX_MESSAGE_BYTES, ParsedMail, parse_mail
from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.errors import ConfigError, ParseError, SourceError
from qa_monitor.records import (
    MAX_INTERACTION_ID,
    Batch,
    Cursor,
    Interaction,
    Message,
    RawPayload,
    RawStatus,
    fit_for_store,
)

log = logging.getLogger(__name__)


@dataclass
class RawMail:
    """One message as read from the source, with where to find it again and how it moves the cursor."""

    locator: Any
    content: bytes
    ref: str
    advance: Callable[[dict[str, Any]], None]
    fallback_date: datetime | None = None
    error: str | None = None
    mail: ParsedMail | None = None  # set once parsed


def _loc_key(locator: Any) -> str:
    return json.dumps(locator, separators=(",", ":"))


def _bounded(value: str, limit: int) -> str:
    """The value itself when short enough for its column, else a stable hash of it."""
    return value if len(value) <= limit else \
        f"h-{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}"


class MailAdapter:
    """Shared by every e-mail adapter: raw payloads first, parsing, threading across batches and runs."""

    name: ClassVar[str] = "email"
    kind: ClassVar[str] = "email"

    def __init__(self, *, source: SourceSpec, directory: Directory, pipeline: PipelineSpec) -> None:
        self.source = source
        self.directory = directory
        self.pipeline = pipeline
        opts = source.options
        self.batch_size = self._int_option("batch_size", 200)
        self.max_bytes = self._int_option("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES)
        self.max_threads = self._int_option("thread_index_size", 50_000)
        self.window_days = self._int_option("thread_window_days", 90)
        self.options = opts

    def _int_option(self, key: str, default: int) -> int:
        value = self.source.options.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"source '{self.source.name}': options.{key} must be a positive integer, got {value!r}")
        return value

    # --- what each source provides ---------------------------------------------------------------
    def _scan(self, state: dict[str, Any]) -> Iterator[RawMail]:
        """New messages after the position in `state`, in source order."""
        raise NotImplementedError

    def _load(self, locators: Sequence[Any]) -> dict[str, bytes]:
        """Re-read earlier messages by locator (keyed by `_loc_key`); missing ones are left out."""
        raise NotImplementedError

    # --- the shared part -------------------------------------------------------------------------
    def fetch(self, *, since: Cursor | None) -> Iterator[Batch]:
        """Batches of whole threads with their raw payloads, each with the cursor after it."""
        state: dict[str, Any] = copy.deepcopy(dict(since or {}))
        index = ThreadIndex.from_cursor(state.pop("threads", None), self.max_threads, self.window_days)
        pending: list[RawMail] = []
        emitted = False
        for item in self._scan(state):
            pending.append(item)
            item.advance(state)
            if len(pending) >= self.batch_size:
                yield self._build(pending, index, state)
                pending, emitted = [], True
        if pending or not emitted:
            yield self._build(pending, index, state)

    def parse(self, raw: RawPayload) -> Sequence[Interaction]:
        """One stored message parsed on its own (for retrying quarantined payloads); raises ParseError."""
        return self._alone(parse_mail(raw.content, max_bytes=self.max_bytes), raw.id)

    def _alone(self, mail: ParsedMail, rid: str) -> list[Interaction]:
        """A message as an interaction of its own (none for an automatic one): what is parsed and checked for the
        store, so that a message the store cannot hold is quarantined alone, not with its thread."""
        if mail.skip_reason:
            return []
        root = mail.parent_ids[0] if mail.parent_ids else mail.message_id
        return [self._interaction(root, [(mail, rid)])]

    def _parse_item(self, item: RawMail, raw: RawPayload) -> list[Interaction]:
        if item.error:
            raise ParseError(item.error)
        item.mail = parse_mail(raw.content, max_bytes=self.max_bytes, fallback_date=item.fallback_date)
        return self._alone(item.mail, raw.id)

    def _build(self, items: list[RawMail], index: ThreadIndex, state: dict[str, Any]) -> Batch:
        raws: dict[str, RawPayload] = {}
        touched: dict[str, dict[str, tuple[ParsedMail, str]]] = {}
        for item in items:
            rid = RawPayload.make_id(self.source.name, item.content)
            _, raw = parse_unit(self._raw(rid, item, "parsed", None), functools.partial(self._parse_item, item))
            mail = item.mail
            if raw.status == "quarantined" or mail is None:
                raws[rid] = raw
                continue
            if mail.skip_reason:
                raws[rid] = replace(raw, reason=mail.skip_reason)
                continue
            raws.setdefault(rid, raw)
            root = index.root_for(mail)
            index.add(root, mail, item.locator)
            touched.setdefault(root, {}).setdefault(mail.message_id, (mail, rid))
        self._complete_threads(touched, index)
        interactions = tuple(self._interaction(root, list(msgs.values())) for root, msgs in touched.items())
        cursor = copy.deepcopy(state)
        cursor["threads"] = index.to_cursor()  # shares unchanged entries with earlier cursors; never mutated
        return Batch(interactions=interactions, raw=tuple(raws.values()), cursor=cursor)

    def _raw(self, rid: str, item: RawMail, status: RawStatus, reason: str | None) -> RawPayload:
        return RawPayload(id=rid, source=self.source.name, kind=self.kind, ref=item.ref, content=item.content,
                          status=status, reason=reason)

    def _complete_threads(self, touched: dict[str, dict[str, tuple[ParsedMail, str]]], index: ThreadIndex) -> None:
        """Add the earlier messages of every touched thread, re-read from the source, so it is emitted whole."""
        wanted: dict[str, tuple[str, str]] = {}
        for root, msgs in touched.items():
            for mid, loc in index.locators(root).items():
                if mid not in msgs:
                    wanted[_loc_key(loc)] = (root, mid)
        if not wanted:
            return
        loaded = self._load([json.loads(k) for k in wanted])
        for key, (root, mid) in wanted.items():
            content = loaded.get(key)
            if content is None:
                continue  # gone from the source; the stored thread keeps it
            rid = RawPayload.make_id(self.source.name, content)
            try:
                mail = parse_mail(content, max_bytes=self.max_bytes)
                self._alone(mail, rid)  # what the store cannot hold is left out, as it was when first read
            except UNIT_ERRORS:
                continue
            touched[root].setdefault(mid, (mail, rid))

    def _interaction(self, root: str, msgs: list[tuple[ParsedMail, str]]) -> Interaction:
        msgs = sorted(msgs, key=lambda x: (x[0].date, x[0].message_id))
        # Without its first message (retried alone, or its thread forgotten by the index) a thread's place
        # numbers start at the depth of its earliest message here, so they do not collide with stored ones.
        first_here = msgs[0][0]
        seq_start = 0 if any(m.message_id == root for m, _ in msgs) else len(first_here.parent_ids)
        # 150 keeps the ids stored so far; a long source name leaves less room under the store's limit
        native = _bounded(root, min(150, MAX_INTERACTION_ID - len(self.source.name) - 1))
        iid = f"{self.source.name}:{native}"
        messages = []
        for i, (mail, _rid) in enumerate(msgs):
            author = self.directory.participant(mail.from_addr, name=mail.from_name, email=mail.from_addr)
            meta: dict[str, Any] = {"message_id": mail.message_id}
            if mail.html_only:
                meta["html_only"] = True
            if mail.charset_note:
                meta["charset"] = mail.charset_note
            messages.append(Message(id=f"{iid}#{_bounded(mail.message_id, 290 - len(iid))}", interaction_id=iid,
                                    seq=seq_start + i, author=author, sent_at=mail.date, text=mail.text, meta=meta))
        first = next((m for m, _ in msgs if m.message_id == root), msgs[0][0])
        return fit_for_store(Interaction(id=iid, source=self.source.name, native_id=native, channel="email",
                                         started_at=msgs[0][0].date, messages=tuple(messages),
                                         subject=first.subject or None,
                                         raw_payload_ids=tuple(dict.fromkeys(r for _, r in msgs))))

    # --- helpers for file sources ----------------------------------------------------------------
    def _path(self) -> Path:
        value = self.options.get("path")
        if not value:
            raise ConfigError(f"source '{self.source.name}': options.path is required (a file or a folder)")
        path = Path(str(value))
        if not path.is_absolute() and self.pipeline.path is not None and not path.exists():
            path = self.pipeline.path.parent / path
        if not path.exists():
            raise SourceError(f"source '{self.source.name}': {path} does not exist")
        return path


def _files(path: Path, accept: Callable[[Path], bool]) -> list[tuple[str, Path]]:
    """(relative name, path) of the files under a folder (recursively, sorted by name), or the file itself."""
    if path.is_file():
        return [(path.name, path)]
    found = [p for p in path.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(path).parts)
             and accept(p)]
    return sorted(((p.relative_to(path).as_posix(), p) for p in found), key=lambda x: x[0])


# --- mbox ------------------------------------------------------------------------------------------
_FROM_DATE = re.compile(rb"^From \S+\s+(.*\d{1,2}:\d\d(?::\d\d)?\s+\d{4})\s*$")
_FROM_ESCAPED = re.compile(rb"^>(>*From )")
_HEAD_BYTES = 1024


def _from_line_date(line: bytes) -> datetime | None:
    m = _FROM_DATE.match(line.rstrip(b"\r\n"))
    if not m:
        return None
    try:
        return datetime.strptime(" ".join(m.group(1).decode("ascii", "replace").split()),
                                 "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def _is_separator(line: bytes, prev_blank: bool) -> bool:
    return line.startswith(b"From ") and (prev_blank or _FROM_DATE.match(line.rstrip(b"\r\n")) is not None)


def _finish(lines: list[bytes]) -> bytes:
    """A message's bytes from its mbox lines: mboxrd '>From ' unescaped, the separating blank line dropped."""
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(_FROM_ESCAPED.sub(rb"\1", ln) if ln.startswith(b">") else ln for ln in lines)


def iter_mbox(path: Path, start: int = 0) -> Iterator[tuple[int, int, bytes, datetime | None, bool]]:
    """(offset, end, message bytes, From_ line date, is_message) for each message from `start`, streamed.

    Text before the first From_ line at the start of a file comes out with is_message False: it is not an mbox
    message and is kept so it can be quarantined rather than lost.
    """
    with path.open("rb") as fh:
        fh.seek(start)
        pos = start
        msg_start: int | None = None
        lines: list[bytes] = []
        date: datetime | None = None
        prev_blank = True
        for line in fh:
            if _is_separator(line, prev_blank):
                if msg_start is not None:
                    yield msg_start, pos, _finish(lines), date, True
                elif lines and b"".join(lines).strip():
                    yield start, pos, b"".join(lines), None, False
                msg_start, lines, date = pos, [], _from_line_date(line)
            else:
                lines.append(line)
            prev_blank = line in (b"\n", b"\r\n")
            pos += len(line)
        if msg_start is not None:
            yield msg_start, pos, _finish(lines), date, True
        elif lines and b"".join(lines).strip():
            yield start, pos, b"".join(lines), None, False


def _read_at(path: Path, offset: int, end: int) -> bytes | None:
    with path.open("rb") as fh:
        fh.seek(offset)
        chunk = fh.read(end - offset)
    first, _, rest = chunk.partition(b"\n")
    if not first.startswith(b"From "):
        return None  # the file changed under us: this locator no longer points at a message
    return _finish(rest.splitlines(keepends=True))


def _set_offset(rel: str, end: int) -> Callable[[dict[str, Any]], None]:
    def advance(state: dict[str, Any]) -> None:
        state["files"][rel]["offset"] = end
    return advance


def _mark_done(key: str) -> Callable[[dict[str, Any]], None]:
    def advance(state: dict[str, Any]) -> None:
        state["done"].append(key)
    return advance


def _head(path: Path, n: int) -> str:
    with path.open("rb") as fh:
        return hashlib.sha256(fh.read(n)).hexdigest()[:16]


class MboxAdapter(MailAdapter):
    """An mbox file, or a folder of them; streamed, resumed from a per-file byte offset."""

    name: ClassVar[str] = "mbox"
    kind: ClassVar[str] = "email/mbox"

    def __init__(self, *, source: SourceSpec, directory: Directory, pipeline: PipelineSpec) -> None:
        super().__init__(source=source, directory=directory, pipeline=pipeline)
        self.position: tuple[int, int] = (0, 0)  # bytes read so far, bytes in all files: for progress bars

    def _scan(self, state: dict[str, Any]) -> Iterator[RawMail]:
        files: dict[str, Any] = state.setdefault("files", {})
        listing = _files(self._path(), lambda p: True)
        total = sum(p.stat().st_size for _, p in listing)
        read_before = 0
        for rel, path in listing:
            st = path.stat()
            self.position = (read_before, total)
            rec = files.get(rel)
            start = 0
            if rec and rec["size"] <= st.st_size and _head(path, rec["head_len"]) == rec["head"]:
                if rec["size"] == st.st_size and rec["mtime"] == st.st_mtime and rec["offset"] >= st.st_size:
                    read_before += st.st_size
                    continue  # unchanged since the last run
                start = rec["offset"]  # appended to: go on from where we stopped
            head_len = min(_HEAD_BYTES, st.st_size)
            base = {"size": st.st_size, "mtime": st.st_mtime, "head": _head(path, head_len), "head_len": head_len}
            files[rel] = {**base, "offset": start}
            read_any = False
            for offset, end, content, date, is_message in iter_mbox(path, start):
                read_any = True
                self.position = (read_before + end, total)
                yield RawMail(
                    locator=[rel, offset, end], content=content, ref=f"{rel}@{offset}", fallback_date=date,
                    advance=_set_offset(rel, end),
                    error=None if is_message else "not an mbox message: text before the first 'From ' line")
            if not read_any:
                files[rel]["offset"] = st.st_size  # empty, or only blank lines after the offset
            read_before += st.st_size
        self.position = (total, total)

    def _load(self, locators: Sequence[Any]) -> dict[str, bytes]:
        root = self._path()
        out: dict[str, bytes] = {}
        for loc in locators:
            rel, offset, end = loc
            path = root if root.is_file() else root / rel
            if path.is_file():
                content = _read_at(path, int(offset), int(end))
                if content is not None:
                    out[_loc_key(loc)] = content
        return out


# --- Maildir and .eml folders ----------------------------------------------------------------------
def _mtime_date(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


class _KeyedFolderAdapter(MailAdapter):
    """Sources whose messages are files with stable keys; the cursor keeps the keys already read."""

    def _entries(self) -> Iterator[tuple[str, Any, Callable[[], bytes], datetime | None]]:
        """(key, locator, read bytes, fallback date) for every message, in a stable order."""
        raise NotImplementedError

    def _scan(self, state: dict[str, Any]) -> Iterator[RawMail]:
        done = set(state.setdefault("done", []))
        for key, locator, read, fallback in self._entries():
            if key in done:
                continue
            try:
                content = read()
            except FileNotFoundError:
                continue  # moved or deleted between listing and reading: the next run lists it again
            yield RawMail(locator=locator, content=content, ref=key, fallback_date=fallback,
                          advance=_mark_done(key))


def _delivered(stamp: str) -> datetime | None:
    """The delivery time a Maildir key starts with (unix seconds), or None when it names no time."""
    try:
        return parse_time(stamp) if stamp.isascii() and stamp.isdigit() else None
    except ParseError:
        return None


_MAILDIR_SKIP = {"drafts", "trash", "junk", "spam", "deleted messages", "deleted items"}


class MaildirAdapter(_KeyedFolderAdapter):
    """A Maildir (cur/new) and its Maildir++ subfolders; a message's key survives flag renames."""

    name: ClassVar[str] = "maildir"
    kind: ClassVar[str] = "email/maildir"

    def _folders(self) -> list[tuple[str, Path]]:
        root = self._path()
        if not (root / "cur").is_dir() and not (root / "new").is_dir():
            raise SourceError(f"source '{self.source.name}': {root} is not a Maildir (no cur/ or new/ folder)")
        subs = [(p.name, p) for p in sorted(root.iterdir())
                if p.is_dir() and p.name.startswith(".") and (p / "cur").is_dir()]
        chosen = self.options.get("folders")
        if chosen is None:
            # Drafts were never sent and Trash/Junk hold what nobody answered: not conversations.
            return [("", root), *[(n, p) for n, p in subs if n.lower().lstrip(".") not in _MAILDIR_SKIP]]
        if not isinstance(chosen, list) or not all(isinstance(f, str) for f in chosen):
            raise ConfigError(f"source '{self.source.name}': options.folders must be a list of folder names "
                              '("INBOX" for the top level, ".Sent" or "Sent" for a Maildir++ subfolder)')
        known = {"INBOX": ("", root), **{n: (n, p) for n, p in subs}, **{n.lstrip("."): (n, p) for n, p in subs}}
        missing = [f for f in chosen if f not in known]
        if missing:
            raise SourceError(f"source '{self.source.name}': no Maildir folder {', '.join(missing)} under {root}")
        return [known[f] for f in chosen]

    def _entries(self) -> Iterator[tuple[str, Any, Callable[[], bytes], datetime | None]]:
        for folder, path in self._folders():
            box = mailbox.Maildir(str(path), factory=None, create=False)
            for key in sorted(k for k in box.iterkeys() if not k.startswith(".")):  # dot files are not messages
                yield (f"{folder}/{key}", [folder, key], functools.partial(box.get_bytes, key),
                       _delivered(key.split(".", 1)[0]))

    def _load(self, locators: Sequence[Any]) -> dict[str, bytes]:
        folders = dict(self._folders())  # locators name folders as listed: "" for the top level, ".Sent"
        out: dict[str, bytes] = {}
        for loc in locators:
            folder, key = loc
            if folder not in folders:
                continue
            try:
                out[_loc_key(loc)] = mailbox.Maildir(str(folders[folder]), factory=None, create=False).get_bytes(key)
            except KeyError:
                continue
        return out


class EmlFolderAdapter(_KeyedFolderAdapter):
    """A folder of .eml files (read recursively, sorted by name), or one .eml file."""

    name: ClassVar[str] = "eml"
    kind: ClassVar[str] = "email/eml"

    def _entries(self) -> Iterator[tuple[str, Any, Callable[[], bytes], datetime | None]]:
        for rel, path in _files(self._path(), lambda p: p.suffix.lower() == ".eml"):
            yield rel, rel, path.read_bytes, _mtime_date(path)

    def _load(self, locators: Sequence[Any]) -> dict[str, bytes]:
        root = self._path()
        out: dict[str, bytes] = {}
        for rel in locators:
            path = root if root.is_file() else root / str(rel)
            if path.is_file() and (root.is_file() or path.resolve().is_relative_to(root.resolve())):
                out[_loc_key(rel)] = path.read_bytes()
        return out
