"""GET /jobs/{job_id}: the state of a background scoring job."""

from __future__ import annotations

from fastapi import APIRouter

from qa_monitor.service.auth import WebhookUser
from qa_monitor.service.errors import ApiError, error_responses
from qa_monitor.service.jobs import get_job
from qa_monitor.service.routes.deps import JobIdPath, StoreDep
from qa_monitor.service.schemas import JobOut

router = APIRouter(tags=["jobs"], responses=error_responses(401, 403, 404, 422))


@router.get("/jobs/{job_id}", response_model=JobOut)
def read_job(store: StoreDep, user: WebhookUser, job_id: JobIdPath) -> JobOut:
    """A job's status, and its result (the scores) once done; readable by whoever queued it, and admins."""
    job = get_job(store, job_id, user)
    if job is None:
        raise ApiError(404, "not_found", f"no job '{job_id}'")
    return job
