"""Shared machinery for adapters that read export files: file walking, resumable cursors, batching, quarantine."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

import ijson

from qa_monitor.adapters.base import UNIT_ERRORS, Directory, parse_unit
from qa_monitor.config import PipelineSpec, SourceSpec
from qa_monitor.errors import ParseError, SourceError
from qa_monitor.records import Batch, Cursor, Interaction, RawPayload, ticket_source

log = logging.getLogger(__name__)


class FileAdapter:
    """Base for file adapters: walks `options.path`, yields batches of parsed units with a resumable cursor.

    The cursor is `{"done": {file: fingerprint}, "file": current file, "fp": its fingerprint, "item": units done}`;
    a file whose fingerprint (size and mtime) changed is read again, which is harmless because stores upsert.

    Interaction ids are `<origin>:<native id>`. An adapter of a ticket system (`system`) keys on that system, as its
    webhook does, so the same ticket read by any source and sent by the webhook is one interaction;
    `options.account` names one of two accounts of the same system. Any other adapter keys on the source's name,
    which no other source shares.
    """

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    channel: ClassVar[str] = "chat"
    system: ClassVar[str | None] = None  # the ticket system whose native ids this adapter reads

    def __init__(self, *, source: SourceSpec, directory: Directory, pipeline: PipelineSpec) -> None:
        self.source = source
        self.directory = directory
        self.pipeline = pipeline
        opts = source.options
        if "path" not in opts:
            raise SourceError(f"source '{source.name}': options.path is required (a file or a folder)")
        base = Path(str(opts["path"])).expanduser()
        if not base.is_absolute() and pipeline.path is not None and not base.exists():
            base = pipeline.path.parent / base
        self.path = base
        self.batch_size = int(opts.get("batch_size", 200))
        if self.batch_size < 1:
            raise SourceError(f"source '{source.name}': options.batch_size must be at least 1")
        self.position: tuple[int, int] = (0, 0)  # bytes read so far, bytes in all files: for progress bars
        self.origin = self._origin(self.ticket_system())

    def ticket_system(self) -> str | None:
        """The ticket system whose native ids this source reads (its interactions are keyed on it), or None."""
        return self.system

    def _origin(self, system: str | None) -> str:
        """What interaction ids start with: the ticket system (and account), else the source's name."""
        account = self.source.options.get("account")
        if account is None:
            return ticket_source(system) if system else self.source.name
        if system is None:
            raise SourceError(f"source '{self.source.name}': options.account applies to ticket systems only "
                              f"(its interactions are keyed on the source's name)")
        if not isinstance(account, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,49}", account):
            raise SourceError(f"source '{self.source.name}': options.account must be 1-50 lower-case letters, "
                              f"digits, '-' or '_', starting with a letter or digit")
        return ticket_source(system, account)

    # --- what subclasses provide ---------------------------------------------------------------
    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """Split one open file into raw payloads (quarantined ones allowed); ParseError quarantines the file."""
        raise NotImplementedError

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """Interactions from one raw payload produced by `units`; raises ParseError with a readable reason."""
        raise NotImplementedError

    # --- the Adapter protocol ------------------------------------------------------------------
    def parse(self, raw: RawPayload) -> Sequence[Interaction]:
        """Parse one stored raw payload again: a unit, or a whole quarantined file split into units."""
        if raw.kind != self.file_kind:
            return self.parse_unit(raw)
        import io

        out: list[Interaction] = []
        try:
            for unit in self.units(io.BytesIO(raw.content), raw.ref):
                if unit.status == "quarantined":
                    raise ParseError(unit.reason or "unreadable part")
                out += self.parse_unit(unit)
        except (ijson.JSONError, ValueError) as e:
            raise ParseError(f"{raw.ref}: {json_error(e)}") from None
        return out

    @property
    def file_kind(self) -> str:
        """The raw payload kind for a whole file kept because it could not be split."""
        return f"{self.name}.file"

    def files(self) -> list[tuple[str, Path]]:
        """(relative name, path) of every input file, sorted by name; folders are read recursively."""
        if not self.path.exists():
            raise SourceError(f"source '{self.source.name}': {self.path} does not exist")
        if self.path.is_file():
            return [(self.path.name, self.path)]
        found = [p for p in self.path.rglob("*") if p.is_file() and not p.name.startswith(".")
                 and (not self.suffixes or p.suffix.lower() in self.suffixes)]
        return sorted(((p.relative_to(self.path).as_posix(), p) for p in found), key=lambda x: x[0])

    def fetch(self, *, since: Cursor | None) -> Iterator[Batch]:
        """Batches of at most `batch_size` units, each with the cursor after it."""
        done: dict[str, str] = dict((since or {}).get("done", {}))
        cur_file, cur_fp, cur_item = (since or {}).get("file"), (since or {}).get("fp"), (since or {}).get("item", 0)
        files = self.files()
        sizes = {rel: p.stat().st_size for rel, p in files}
        total = sum(sizes.values())
        read_before = 0
        for rel, path in files:
            st = path.stat()
            fp = f"{st.st_size}:{st.st_mtime_ns}"
            if done.get(rel) == fp:
                read_before += sizes[rel]
                continue
            skip = int(cur_item) if rel == cur_file and fp == cur_fp else 0
            pending_i: list[Interaction] = []
            pending_r: list[RawPayload] = []
            item = 0
            with path.open("rb") as fh:
                for raw in self._safe_units(fh, rel, path):
                    item += 1
                    if item <= skip:
                        continue
                    if raw.status == "parsed":
                        parsed, raw = parse_unit(raw, self.parse_unit)
                        pending_i += [_with_raw(i, raw.id) for i in parsed]
                    pending_r.append(raw)
                    if len(pending_r) >= self.batch_size:
                        self.position = (read_before + _tell(fh), total)
                        yield Batch(tuple(pending_i), tuple(pending_r),
                                    {"done": dict(done), "file": rel, "fp": fp, "item": item})
                        pending_i, pending_r = [], []
            done[rel] = fp
            read_before += sizes[rel]
            self.position = (read_before, total)
            yield Batch(tuple(pending_i), tuple(pending_r), {"done": dict(done), "file": None, "fp": None, "item": 0})

    def _safe_units(self, fh: IO[bytes], rel: str, path: Path) -> Iterator[RawPayload]:
        """The file's units; when the file itself breaks (invalid or truncated JSON), the whole file is quarantined."""
        try:
            yield from self.units(fh, rel)
        except (ijson.JSONError, *UNIT_ERRORS) as e:
            reason = f"{rel}: {json_error(e)}"
            log.warning("source %s: file quarantined: %s", self.source.name, rel)
            content = path.read_bytes()
            yield RawPayload(id=RawPayload.make_id(self.source.name, content), source=self.source.name,
                             kind=self.file_kind, ref=rel, content=content, status="quarantined", reason=reason)

    # --- helpers for subclasses ----------------------------------------------------------------
    def payload(self, kind: str, ref: str, content: bytes | Any) -> RawPayload:
        """A raw payload of this source; non-bytes content is stored as compact JSON."""
        if not isinstance(content, bytes):
            # a lone surrogate (JSON's "\ud800") can only sit inside a JSON string, where backslashreplace writes
            # it back as the same escape: the bytes are UTF-8 and read back to the same value
            content = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode(
                "utf-8", "backslashreplace")
        return RawPayload(id=RawPayload.make_id(self.source.name, content), source=self.source.name,
                          kind=kind, ref=ref, content=content)

    def quarantine(self, kind: str, ref: str, content: bytes | Any, reason: str) -> RawPayload:
        """A raw payload kept as received with the reason it could not be read."""
        return _replace_raw(self.payload(kind, ref, content), "quarantined", reason)

    def iid(self, native: str) -> str:
        """The interaction id for a native id: `<origin>:<native id>`."""
        return f"{self.origin}:{native}"


def _with_raw(it: Interaction, raw_id: str) -> Interaction:
    from dataclasses import replace

    return it if raw_id in it.raw_payload_ids else replace(it, raw_payload_ids=(*it.raw_payload_ids, raw_id))


def _replace_raw(raw: RawPayload, status: str, reason: str | None) -> RawPayload:
    from dataclasses import replace

    return replace(raw, status=status, reason=reason)  # type: ignore[arg-type]


def _tell(fh: IO[bytes]) -> int:
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0


def json_error(e: BaseException) -> str:
    """A readable one-line reason for a JSON (or text) decoding error."""
    if isinstance(e, json.JSONDecodeError):
        return f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
    if isinstance(e, ijson.IncompleteJSONError):
        text = str(e).strip().splitlines()[0] if str(e).strip() else "unexpected end of input"
        if "premature EOF" in text or "Incomplete" in text or not text:
            return f"truncated JSON (the file ends in the middle of a value): {text}"
        return f"invalid JSON: {text}"
    if isinstance(e, ijson.JSONError):
        return f"invalid JSON: {e}"
    if isinstance(e, UnicodeDecodeError):
        return f"not UTF-8 text ({e.reason} at byte {e.start})"
    if isinstance(e, RecursionError):
        return "nested too deeply to read"
    if isinstance(e, ParseError | ValueError):
        return str(e)
    return f"unexpected structure ({type(e).__name__}: {str(e)[:200]})"


# yajl, which streams the exports, stops at some JSON that Python's reader takes (an integer beyond 64 bits, a number
# beyond a float, NaN, an escaped lone low surrogate): a file it stops on is read again whole by Python's reader, when
# small enough to hold in memory, so that such a value quarantines its own unit rather than the rest of the file.
WHOLE_FILE_LIMIT = 64 * 1024 * 1024


def _read_whole(fh: IO[bytes], error: Exception) -> Any:
    """The file's JSON value read whole by Python's reader; else the streaming reader's `error` is raised."""
    fh.seek(0, 2)
    if fh.tell() > WHOLE_FILE_LIMIT:
        raise error
    fh.seek(0)
    try:
        return json.load(fh)
    except (ValueError, RecursionError):
        raise error from None  # invalid JSON indeed: the streaming reader says best where (truncated, ...)


def top_level_key(fh: IO[bytes], keys: Sequence[str]) -> str | None:
    """The first of `keys` present in a top-level JSON object, read as a stream; the file is rewound."""
    fh.seek(0)
    try:
        for prefix, event, value in ijson.parse(fh):
            if prefix == "" and event == "map_key" and value in keys:
                return str(value)
    except (ijson.JSONError, UnicodeDecodeError) as e:
        doc = _read_whole(fh, e)
        return next((k for k in doc if k in keys), None) if isinstance(doc, dict) else None
    finally:
        fh.seek(0)
    return None


def json_items(fh: IO[bytes], *keys: str) -> Iterator[Any]:
    """Stream the items of a top-level JSON array, or of the array under the first of `keys` present, or else the
    single top-level object itself."""
    head = fh.read(4096)
    fh.seek(0)
    first = head.lstrip()[:1]
    if first == b"[":
        path = "item"
    elif first != b"{":
        raise ParseError("not a JSON export: expected '[' or '{' at the start" if head.strip()
                         else "empty file")
    else:
        key = top_level_key(fh, keys) if keys else None
        path = f"{key}.item" if key else ""
    done = 0
    try:
        for item in ijson.items(fh, path, use_float=True):
            yield item
            done += 1
    except (ijson.JSONError, UnicodeDecodeError) as e:
        doc = _read_whole(fh, e)
        if path != "item" and path:
            doc = doc.get(path.removesuffix(".item")) if isinstance(doc, dict) else None
        items = [doc] if not path else doc if isinstance(doc, list) else []
        yield from items[done:]


def json_lines(fh: IO[bytes], ref: str) -> Iterator[tuple[int, bytes, Any | None, str | None]]:
    """(line number, raw line, value or None, error or None) for each non-blank line of a JSONL file."""
    for n, line in enumerate(fh, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            yield n, stripped, json.loads(stripped), None
        except json.JSONDecodeError as e:
            yield n, stripped, None, f"{ref} line {n}: invalid JSON at column {e.colno}: {e.msg}"
        except (ValueError, RecursionError) as e:  # not UTF-8, a number too long to read, nesting too deep
            yield n, stripped, None, f"{ref} line {n}: {json_error(e)}"


def parse_time(value: Any, what: str = "time") -> datetime:
    """A UTC datetime from unix seconds (or milliseconds) or an ISO 8601 string; naive means UTC. Fractions beyond
    microseconds (Zendesk sends nanoseconds) are cut, as Python 3.11's reader does."""
    if isinstance(value, bool) or value is None or value == "":
        raise ParseError(f"missing {what}")
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip())):
        try:
            x = float(value)  # OverflowError for an integer beyond any float
            if x > 1e11:  # milliseconds
                x /= 1000.0
            return datetime.fromtimestamp(x, UTC)
        except (OverflowError, OSError, ValueError):
            raise ParseError(f"{what} {str(value)[:40]} is out of range for a unix time") from None
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ParseError(f"{what} '{value[:40]}' is not an ISO 8601 date-time or unix time") from None
        try:
            # stored as UTC: SQLite keeps no offset, so a local time would read back shifted
            return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC, 9999-12-31T23:00-02:00 after 9999
            raise ParseError(f"{what} '{value[:40]}' is out of range once converted to UTC") from None
    raise ParseError(f"{what} has an unexpected type {type(value).__name__}")


def load_json(raw: RawPayload) -> Any:
    """The JSON value of a raw payload, or a ParseError naming where it broke."""
    try:
        return json.loads(raw.content)
    except (ValueError, RecursionError) as e:  # invalid JSON, not UTF-8, a number too long, nesting too deep
        raise ParseError(f"{raw.ref}: {json_error(e)}") from None
