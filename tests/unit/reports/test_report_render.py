"""The weekly report rendered to CSV, JSON and HTML from the hand-counted help desk."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from qa_monitor.errors import ConfigError
from qa_monitor.reports.charts import Point, nice_ticks, scatter, sparkline
from qa_monitor.reports.period import Week
from qa_monitor.reports.render import csv_cell, render, render_csv, render_html
from qa_monitor.reports.weekly import build_weekly
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store

W47 = Week.parse("2026-W47")


def test_csv_holds_the_numbers(report_store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(build_weekly(report_store, W47)))))
    got = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert got[("totals", "all", "messages")] == "13"
    assert got[("volume_team", "t1", "messages")] == "11"
    assert got[("workload", "a1", "agent_hours")] == "4"
    assert got[("workload", "a1", "shifts")] == "3"
    assert got[("reviews", "all", "confirmed")] == "2"
    assert float(got[("labels", "rude", "rate")]) == pytest.approx(4 / 13, rel=1e-5)
    assert ("label_weeks", "unclear", "rate") in got


def test_json_round_trips(report_store: Store) -> None:
    data = json.loads(render(build_weekly(report_store, W47), "json"))
    assert data["week"] == "2026-W47" and data["totals"]["flagged"] == 6
    assert [a["agent_id"] for a in data["coaching"]] == ["a3", "a2"]


def test_html_has_charts_highlights_and_no_personal_data(report_store: Store) -> None:
    html = render_html(build_weekly(report_store, W47))
    assert html.count('class="sparkline"') == 3
    assert len(re.findall(r'<circle class="point"', html)) == 6     # 3 agents x 2 scatter plots
    assert "<mark>Read the FAQ.</mark>" in html
    assert "billing@example.com" not in html and "[EMAIL]" in html
    assert "Try instead: Try a kinder way" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_an_empty_week_says_so_and_names_the_latest_week_with_data(report_store: Store) -> None:
    report = build_weekly(report_store, Week.parse("2026-W50"))
    note = "No agent messages in 2026-W50. The latest week with agent messages is 2026-W47."
    assert f'<p class="notice" role="note">{note}</p>' in render_html(report)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert (rows[0]["section"], rows[0]["value"]) == ("notes", note)
    data = json.loads(render(report, "json"))
    assert data["notes"] == [note] and data["latest_data_week"] == "2026-W47"


def test_unknown_format(report_store: Store) -> None:
    with pytest.raises(ConfigError, match="expected one of csv, json, html, pdf"):
        render(build_weekly(report_store, W47), "xlsx")


def test_sparkline_gaps_and_last_point() -> None:
    svg = sparkline([None, 0.1, 0.2, None, 0.4], "rude")
    assert svg.count("<polyline") == 1          # 0.1-0.2 drawn as a line, 0.4 alone after the gap
    assert 'class="last"' in svg
    assert 'class="last"' not in sparkline([0.1, None], "x")


def test_scatter_points_and_ticks() -> None:
    svg = scatter([Point(1, 0.2, "A & B"), Point(2, 0.4, "C"), Point(3, 0.5, "D")], "t", "x", "y")
    assert svg.count('<circle class="point"') == 3 and "A &amp; B" in svg and 'class="fit"' in svg
    assert nice_ticks(0, 2.1) == [0, 0.5, 1.0, 1.5, 2.0, 2.5]


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("-", "'-"), ("Anna", "Anna"),
    ("a=b", "a=b"), ("", ""), (None, ""),
    # numbers are numbers, negative ones too: the report's changes are negative whenever a rate falls
    ("-0.120879", "-0.120879"), ("-4", "-4"), ("+5", "+5"), ("-1e-05", "-1e-05"), (-0.4, "-0.4"), (7, "7"),
])
def test_csv_cell_neutralises_formulas_but_not_numbers(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_cells_from_names_and_messages_are_never_formulas(report_store: Store) -> None:
    with report_store.session() as s:
        s.get(t.AgentRow, "a1").name = '=HYPERLINK("http://example.com","x")'  # type: ignore[union-attr]
        s.get(t.AgentRow, "a2").name = "+1+1"  # type: ignore[union-attr]
        s.get(t.AgentRow, "a3").name = "\tDmitri"  # type: ignore[union-attr]
        s.get(t.TeamRow, "t1").name = "-2+3"  # type: ignore[union-attr]
        s.scalars(select(t.UserRow).where(t.UserRow.name == "john")).one().name = "@john"
        # same length as before, so the finding's offsets still hold
        s.scalars(select(t.MessageRow).where(t.MessageRow.text == "Just read the  FAQ!")).one().text = \
            "=ust read the  FAQ!"
    text = render_csv(build_weekly(report_store, W47))
    rows = list(csv.reader(io.StringIO(text)))
    cells = {c for r in rows for c in r}
    assert {"'=HYPERLINK(\"http://example.com\",\"x\")", "'+1+1", "'\tDmitri", "'-2+3", "'@john",
            "'=ust [[read the  FAQ!]]"} <= cells
    number = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) or number.fullmatch(c) for c in cells)
    got = {(r[0], r[1], r[3]): r[4] for r in rows[1:]}
    assert float(got[("labels", "rude", "change")]) == pytest.approx(4 / 13 - 3 / 7, abs=1e-5)
