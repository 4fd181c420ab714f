"""The job worker runs each job through the handler registered for its kind, and records what happened."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest

from qa_monitor.service import jobs
from qa_monitor.service.auth import Principal
from qa_monitor.storage.store import Store

ADMIN = Principal(user_id=1, name="admin", role="admin", teams=None)  # may read every job


@pytest.fixture
def worker(any_store: Store, monkeypatch: pytest.MonkeyPatch) -> jobs.JobWorker:
    monkeypatch.setattr(jobs, "HANDLERS", dict(jobs.HANDLERS))  # registrations made here end with the test
    return jobs.JobWorker(SimpleNamespace(state=SimpleNamespace(store=any_store)))


def test_a_registered_handler_runs_the_job_and_its_result_is_kept(worker: jobs.JobWorker) -> None:
    def echo(state: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"echo": params["x"], "own_state": state is worker.app.state}

    jobs.register_handler("echo", echo)
    job_id = jobs.create_job(worker.app.state.store, "echo", {"x": 7})
    worker.run_one(job_id)
    job = jobs.get_job(worker.app.state.store, job_id, ADMIN)
    assert job is not None and job.status == "done" and job.result == {"echo": 7, "own_state": True}
    assert job.finished_at is not None and job.error is None


def test_a_failed_job_is_recorded_and_its_handler_cleans_up(worker: jobs.JobWorker) -> None:
    cleaned: list[Any] = []

    def fail(state: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the ticket is gone")

    jobs.register_handler("fragile", fail, on_failure=lambda state, params: cleaned.append(params["x"]))
    job_id = jobs.create_job(worker.app.state.store, "fragile", {"x": "d-1"})
    worker.run_one(job_id)
    job = jobs.get_job(worker.app.state.store, job_id, ADMIN)
    assert job is not None and job.status == "failed" and job.error == "RuntimeError: the ticket is gone"
    assert cleaned == ["d-1"]
    worker.run_one(job_id)  # a finished job is not run again
    assert cleaned == ["d-1"]


def test_a_job_of_a_kind_nobody_registered_fails_naming_the_kind(worker: jobs.JobWorker) -> None:
    job_id = jobs.create_job(worker.app.state.store, "reindex", {})
    worker.run_one(job_id)
    job = jobs.get_job(worker.app.state.store, job_id, ADMIN)
    assert job is not None and job.status == "failed" and job.error == "ValueError: unknown job kind 'reindex'"
