"""Reading a pipeline file's [schedule]: crontab fields, time zones, the week a run reports on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qa_monitor.config import PipelineSpec, ScheduleSpec, load_pipeline
from qa_monitor.errors import ConfigError
from qa_monitor.reports.schedule import crontab_weekdays, last_complete_week, trigger
from tests.support.report_seed import at


def pipeline(**schedule: Any) -> PipelineSpec:
    spec = {"cron": "0 7 * * 1", "timezone": "Europe/Riga", "recipients": ["lead@example.org"], **schedule}
    return PipelineSpec(name="t", schedule=ScheduleSpec(**spec))


def test_last_complete_week() -> None:
    assert last_complete_week(at(23, 5)).label == "2026-W47"     # Monday of W48
    assert last_complete_week(at(22, 23)).label == "2026-W46"    # Sunday of W47: W47 is not over yet


def test_bad_schedule_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('name = "t"\n[schedule]\ncron = "every monday"\nrecipients = ["a@b.c"]\n', encoding="utf-8")
    spec = load_pipeline(path)
    with pytest.raises(ConfigError, match="schedule.cron"):
        trigger(spec.schedule, spec)  # type: ignore[arg-type]
    bad_tz = pipeline(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="unknown time zone"):
        trigger(bad_tz.schedule, bad_tz)  # type: ignore[arg-type]
    # Every Monday 07:00 in Riga is 05:00 UTC in winter.
    cron = trigger(pipeline().schedule, pipeline())  # type: ignore[arg-type]
    nxt = cron.get_next_fire_time(None, at(20, 12))
    assert nxt is not None and nxt.astimezone(at(1, 0).tzinfo) == at(23, 5)


@pytest.mark.parametrize(("field", "names"), [
    ("1", "mon"), ("0", "sun"), ("7", "sun"), ("1-5", "mon,tue,wed,thu,fri"), ("0,6", "sun,sat"),
    ("1-5/2", "mon,wed,fri"), ("*", "*"), ("mon-fri", "mon-fri")])
def test_crontab_weekdays(field: str, names: str) -> None:
    assert crontab_weekdays(field) == names
