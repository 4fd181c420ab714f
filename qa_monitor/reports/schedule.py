"""Running a pipeline file's [schedule]: build and send the weekly report on a cron schedule (APScheduler)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from qa_monitor.config import PipelineSpec, ScheduleSpec, Settings
from qa_monitor.errors import ConfigError
from qa_monitor.reports.delivery import DeliveryResult, deliver
from qa_monitor.reports.period import Week
from qa_monitor.storage.store import Store

log = logging.getLogger(__name__)


def schedule_of(pipeline: PipelineSpec) -> ScheduleSpec:
    """The pipeline's [schedule], or a ConfigError saying it is missing."""
    if pipeline.schedule is None:
        raise ConfigError(f"{pipeline.path}: no [schedule] table (cron, timezone, recipients) in the pipeline file")
    return pipeline.schedule


def zone(spec: ScheduleSpec, pipeline: PipelineSpec) -> ZoneInfo:
    """The schedule's time zone, or a ConfigError naming the key."""
    try:
        return ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{pipeline.path}: key 'schedule.timezone': unknown time zone '{spec.timezone}' "
                          "(expected an IANA name such as Europe/Riga)") from None


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday, 1 = Monday) in day names, as APScheduler counts from Monday."""
    out: list[str] = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        lo, _, hi = base.partition("-")
        if not (lo.isdigit() and (not hi or hi.isdigit()) and (not step or step.isdigit())):
            out.append(part)  # "*", "*/2" and names mean the same in both
            continue
        days = range(int(lo), int(hi or lo) + 1, int(step or 1))
        if any(d > 7 for d in days):
            raise ValueError(f"day of week '{part}' is out of range 0-7")
        out += [_DAY_NAMES[d] for d in days if _DAY_NAMES[d] not in out]
    return ",".join(out)


def trigger(spec: ScheduleSpec, pipeline: PipelineSpec) -> CronTrigger:
    """The schedule's cron expression as an APScheduler trigger in its time zone."""
    tz = zone(spec, pipeline)
    try:
        fields = spec.cron.split()
        if len(fields) != 5:
            raise ValueError(f"{len(fields)} fields")
        # CronTrigger.from_crontab would read day 1 as Tuesday (APScheduler counts weekdays from Monday = 0).
        minute, hour, day, month, weekday = fields
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_weekdays(weekday),
                           timezone=tz)
    except ValueError as e:
        raise ConfigError(f"{pipeline.path}: key 'schedule.cron': '{spec.cron}' is not a 5-field crontab "
                          f"expression ({e})") from None


def last_complete_week(now: datetime) -> Week:
    """The ISO week before the one `now` falls in (local date), i.e. the last complete week."""
    return Week.containing(now.date() - timedelta(days=7))


def run_once(store: Store, settings: Settings, pipeline: PipelineSpec, now: datetime | None = None,
             attempts: int = 4, backoff_s: float = 2.0) -> DeliveryResult:
    """Send the last complete week's report to the schedule's recipients now."""
    spec = schedule_of(pipeline)
    local_now = now or datetime.now(zone(spec, pipeline))
    return deliver(store, settings, spec, last_complete_week(local_now), attempts=attempts, backoff_s=backoff_s)


def run_forever(store: Store, settings: Settings, pipeline: PipelineSpec) -> None:
    """Block, sending the report each time the schedule's cron expression fires."""
    spec = schedule_of(pipeline)
    cron = trigger(spec, pipeline)
    scheduler = BlockingScheduler(timezone=zone(spec, pipeline))

    def job() -> None:
        result = run_once(store, settings, pipeline)
        if result.status != "sent":
            # The failure is recorded in report_deliveries; the scheduler keeps running for the next week.
            log.error("weekly report %s not delivered (delivery %s)", result.week, result.delivery_id)

    scheduler.add_job(job, cron, id="weekly-report", max_instances=1, coalesce=True, misfire_grace_time=3600)
    log.info("weekly report scheduled: next run %s", cron.get_next_fire_time(None, datetime.now(cron.timezone)))
    scheduler.start()
