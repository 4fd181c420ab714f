"""The weekly report rendered to CSV, JSON, HTML (with SVG charts) and PDF (WeasyPrint, from the same HTML)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from qa_monitor.errors import ConfigError
from qa_monitor.reports.charts import Point, scatter, sparkline
from qa_monitor.reports.weekly import MIN_SCORED, WeeklyReport

Format = Literal["csv", "json", "html", "pdf"]
FORMATS: tuple[Format, ...] = ("csv", "json", "html", "pdf")
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                               "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
CSV_HEADER = ("section", "key", "name", "metric", "value")


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or an en dash when unknown."""
    return "–" if value is None else f"{value * 100:.1f}%"


def points(change: float | None) -> str:
    """A change of a share in percentage points, signed."""
    return "–" if change is None else f"{change * 100:+.1f} pp"


def _trend_class(change: float | None) -> str:
    # More flags is worse: a rising rate is shown as a warning.
    if change is None or abs(change) < 1e-9:
        return ""
    return "up" if change > 0 else "down"


def _corr(r: float | None) -> str:
    return "not enough data" if r is None else f"{r:+.2f}"


def render_json(report: WeeklyReport) -> str:
    """The report as indented JSON."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


# A spreadsheet runs a cell starting with one of these as a formula (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a single quote, numbers stay."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """csv.writer whose every cell goes through `csv_cell`: names, phrases and message text come from outside."""

    def __init__(self, buf: io.StringIO) -> None:
        self._w = csv.writer(buf, lineterminator="\n")

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row of neutralised cells."""
        self._w.writerow([csv_cell(x) for x in row])


def render_csv(report: WeeklyReport) -> str:
    """The report's notes and numbers as one long table: section, key, name, metric, value."""
    buf = io.StringIO()
    w = SafeCsvWriter(buf)
    w.writerow(CSV_HEADER)
    for n, note in enumerate(report.notes, 1):
        w.writerow(("notes", str(n), "", "text", note))

    def num(v: float | int | None) -> str:
        return "" if v is None else (str(v) if isinstance(v, int) else f"{v:.6g}")

    for metric in ("interactions", "messages", "scored", "flagged", "flag_rate"):
        w.writerow(("totals", "all", "All", metric, num(getattr(report.totals, metric))))
    for dim, rows in report.volume.items():
        for v in rows:
            for metric in ("interactions", "messages", "scored", "flagged", "flag_rate"):
                w.writerow((f"volume_{dim}", v.key, v.name, metric, num(getattr(v, metric))))
    for lab in report.labels:
        for metric in ("scored", "flagged", "rate", "previous_rate", "change"):
            w.writerow(("labels", lab.label, lab.label, metric, num(getattr(lab, metric))))
        for wk, value in zip(lab.sparkline_weeks, lab.sparkline, strict=True):
            w.writerow(("label_weeks", lab.label, wk, "rate", num(value)))
    for section, agents in (("improved", report.improved), ("coaching", report.coaching)):
        for a in agents:
            for metric in ("scored", "flagged", "rate", "previous_rate", "change"):
                w.writerow((section, a.agent_id, a.name, metric, num(getattr(a, metric))))
            for e in a.examples:
                w.writerow((f"{section}_example", a.agent_id, e.label, "text", f"{e.before}[[{e.span}]]{e.after}"))
    for ph in report.phrases:
        w.writerow(("phrases", ph.label, ph.phrase, "count", ph.count))
        w.writerow(("phrases", ph.label, ph.phrase, "agents", ph.agents))
    for section, rows_ in (("reviews", [report.reviews]), ("reviews_label", report.reviews_by_label),
                           ("reviews_reviewer", report.reviews_by_reviewer)):
        for x in rows_:
            for metric in ("reviewed", "confirmed", "rate"):
                w.writerow((section, x.key, x.key, metric, num(getattr(x, metric))))
    for p in report.workload:
        for metric in ("messages", "agent_hours", "shifts", "per_hour", "per_shift", "scored", "flagged",
                       "flag_rate"):
            w.writerow(("workload", p.agent_id, p.name, metric, num(getattr(p, metric))))
    w.writerow(("workload_correlation", "per_hour", "Pearson r", "r", num(report.correlation_per_hour)))
    w.writerow(("workload_correlation", "per_shift", "Pearson r", "r", num(report.correlation_per_shift)))
    return buf.getvalue()


def _env() -> Environment:
    env = Environment(loader=PackageLoader("qa_monitor.reports", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(pct=pct, points=points, trend_class=_trend_class, corr=_corr)
    return env


def render_html(report: WeeklyReport, team_names: dict[str, str] | None = None) -> str:
    """The report as a standalone HTML page with inline CSS and SVG charts (no script, no external asset)."""
    names = team_names or {v.key: v.name for v in report.volume.get("team", [])}
    sparks = {x.label: Markup(sparkline(x.sparkline, f"{x.label} flag rate, last 12 weeks"))
              for x in report.labels}
    pts = [w for w in report.workload if w.flag_rate is not None]
    hour = scatter([Point(w.per_hour, w.flag_rate or 0.0, w.name) for w in pts],
                   "Messages per agent-hour vs flag rate", "messages per agent-hour", "flag rate")
    shift = scatter([Point(w.per_shift, w.flag_rate or 0.0, w.name) for w in pts],
                    "Messages per shift vs flag rate", "messages per shift", "flag rate")
    end_day = (datetime.fromisoformat(report.end) - timedelta(days=1)).date().isoformat()
    return _env().get_template("weekly.html").render(
        r=report, sparks=sparks, scatter_hour=Markup(hour), scatter_shift=Markup(shift), end_day=end_day,
        team_names=", ".join(names.get(x, x) for x in report.teams or []), min_scored=MIN_SCORED,
        team_name=lambda key: names.get(key, key) if key else "no team",
        dims=[("team", "team"), ("agent", "agent"), ("channel", "channel"), ("language", "language")])


def render_pdf(report: WeeklyReport) -> bytes:
    """The HTML report printed to PDF (A4) by WeasyPrint."""
    from weasyprint import HTML  # heavy (pango): imported only when a PDF is asked for

    pdf = HTML(string=render_html(report)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)


def render(report: WeeklyReport, fmt: str) -> bytes:
    """The report in one of csv, json, html, pdf."""
    if fmt == "csv":
        return render_csv(report).encode("utf-8")
    if fmt == "json":
        return render_json(report).encode("utf-8")
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    raise ConfigError(f"format '{fmt}': expected one of {', '.join(FORMATS)}")
