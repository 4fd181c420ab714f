"""POST /calibration: thresholds per label and language from managers' verdicts."""

from __future__ import annotations

from fastapi import APIRouter

from qa_monitor.service import calibration
from qa_monitor.service.auth import AdminUser
from qa_monitor.service.errors import error_responses
from qa_monitor.service.routes.deps import StateDep
from qa_monitor.service.schemas import CalibrationIn, CalibrationOut

router = APIRouter(tags=["calibration"], responses=error_responses(401, 403, 422))


@router.post("/calibration", response_model=CalibrationOut)
def calibrate(body: CalibrationIn, user: AdminUser, state: StateDep) -> CalibrationOut:
    """Set thresholds where there are enough reviews (a new thresholds version) and report agreement."""
    result = calibration.calibrate(state.store, min_reviews=body.min_reviews, apply=body.apply)
    if result.version:
        calibration.reload_scorer(state)
    return result
