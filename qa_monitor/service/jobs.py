"""Background jobs: large webhook tickets are scored by one worker task; state lives in the `jobs` table. The worker
knows no job kind itself: the module that creates jobs of a kind registers how they run (`register_handler`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from sqlalchemy import select, update

from qa_monitor.service.auth import Principal
from qa_monitor.service.schemas import JobOut
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store, as_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobHandler:
    """How jobs of one kind run: `run(app state, params)` returns the job's result; `on_failure(app state, params)`
    undoes what a failed run leaves behind."""

    run: Callable[[Any, Mapping[str, Any]], dict[str, Any]]
    on_failure: Callable[[Any, Mapping[str, Any]], None] | None = None


HANDLERS: dict[str, JobHandler] = {}


def register_handler(kind: str, run: Callable[[Any, Mapping[str, Any]], dict[str, Any]],
                     on_failure: Callable[[Any, Mapping[str, Any]], None] | None = None) -> None:
    """Register (or replace) how the worker runs jobs of a kind."""
    HANDLERS[kind] = JobHandler(run, on_failure)


def create_job(store: Store, kind: str, params: dict[str, Any], created_by: int | None = None) -> str:
    """Record a queued job, queued at the request of user `created_by`, and return its id."""
    job_id = uuid.uuid4().hex
    with store.session() as s:
        s.add(t.JobRow(id=job_id, kind=kind, status="queued", params=params, created_by=created_by))
    return job_id


def get_job(store: Store, job_id: str, reader: Principal) -> JobOut | None:
    """A job's state, or None when there is no such job or the reader may not see it (only admins and the user
    whose request queued it may)."""
    with store.session() as s:
        j = s.get(t.JobRow, job_id)
        if j is None or not (reader.sees_all or j.created_by == reader.user_id):
            return None
        return JobOut(id=j.id, kind=j.kind, status=j.status, created_at=as_utc(j.created_at),
                      finished_at=as_utc(j.finished_at) if j.finished_at else None, result=j.result, error=j.error)


def _finish(store: Store, job_id: str, status: str, result: dict[str, Any] | None, error: str | None) -> None:
    with store.session() as s:
        s.execute(update(t.JobRow).where(t.JobRow.id == job_id)
                  .values(status=status, result=result, error=error, finished_at=t.utcnow()))


class JobWorker:
    """One asyncio task that runs queued jobs in a thread, one at a time; unfinished jobs resume on start."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the worker and requeue jobs a previous process left queued or running."""
        store: Store = self.app.state.store
        with store.session() as s:
            pending = list(s.scalars(select(t.JobRow.id).where(t.JobRow.status.in_(["queued", "running"]))
                                     .order_by(t.JobRow.created_at)))
        for job_id in pending:
            self.queue.put_nowait(job_id)
        self.task = asyncio.create_task(self._run(), name="qa-monitor-jobs")

    async def stop(self) -> None:
        """Stop the worker; a job cut short stays 'running' and is resumed by the next start."""
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def submit(self, job_id: str) -> None:
        """Queue a job created with `create_job`."""
        self.queue.put_nowait(job_id)

    async def join(self) -> None:
        """Wait until every queued job has run (tests, shutdown)."""
        await self.queue.join()

    async def _run(self) -> None:
        while True:
            job_id = await self.queue.get()
            try:
                await to_thread.run_sync(self.run_one, job_id)
            finally:
                self.queue.task_done()

    def run_one(self, job_id: str) -> None:
        """Run one job to completion, recording its result or its error."""
        store: Store = self.app.state.store
        with store.session() as s:
            job = s.get(t.JobRow, job_id)
            if job is None or job.status in ("done", "failed"):
                return
            job.status = "running"
            kind, params = job.kind, dict(job.params)
        handler = HANDLERS.get(kind)
        try:
            if handler is None:
                raise ValueError(f"unknown job kind {kind!r}")
            result = handler.run(self.app.state, params)
        except Exception as e:  # a job's failure is recorded on the job, never lost in the worker
            log.exception("job %s failed", job_id)
            _finish(store, job_id, "failed", None, f"{e.__class__.__name__}: {e}")
            if handler is not None and handler.on_failure is not None:
                handler.on_failure(self.app.state, params)
            return
        _finish(store, job_id, "done", result, None)
