"""Small SVG charts for the report (sparklines, scatter plots), written as plain markup."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

INK = "#1f2933"
ACCENT = "#1d4ed8"
MUTED = "#52606d"
GRID = "#d9e2ec"


def _f(x: float) -> str:
    return f"{x:.1f}"


def sparkline(values: Sequence[float | None], label: str, width: int = 140, height: int = 32) -> str:
    """An inline SVG line over the values (None = no data: a gap); the last value is marked with a dot."""
    pad = 4
    known = [v for v in values if v is not None]
    top = max(known) if known and max(known) > 0 else 1.0
    n = max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * (width - 2 * pad) / n, height - pad - v / top * (height - 2 * pad)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(xy(i, v))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">',
             f'<title>{escape(label)}</title>',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="{GRID}"/>']
    for seg in segments:
        if len(seg) > 1:
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in seg)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{ACCENT}" stroke-width="1.5"/>')
        elif len(seg) == 1:
            parts.append(f'<circle cx="{_f(seg[0][0])}" cy="{_f(seg[0][1])}" r="1.5" fill="{ACCENT}"/>')
    if values and values[-1] is not None:
        x, y = xy(len(values) - 1, values[-1])
        parts.append(f'<circle class="last" cx="{_f(x)}" cy="{_f(y)}" r="2.5" fill="{ACCENT}"/>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Point:
    """One dot of a scatter plot."""

    x: float
    y: float
    label: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks = []
    v = start
    while v <= high + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def scatter(points: Sequence[Point], title: str, x_label: str, y_label: str, y_percent: bool = True,
            width: int = 460, height: int = 300) -> str:
    """An SVG scatter plot with axes, ticks, labelled dots and the least-squares line."""
    left, right, top, bottom = 56, 16, 28, 44
    xs = [p.x for p in points] or [0.0]
    ys = [p.y for p in points] or [0.0]
    xt = nice_ticks(0.0, max(xs) * 1.05)
    y_top = max(max(ys) * 1.05, 0.1 if y_percent else 1.0)
    yt = nice_ticks(0.0, min(y_top, 1.0) if y_percent else y_top)  # a rate never exceeds 100%
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    def fmt_y(v: float) -> str:
        return f"{v * 100:.0f}%" if y_percent else f"{v:g}"

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="scatter" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
           f'<title>{escape(title)}</title>',
           f'<text x="{left}" y="16" font-size="13" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for v in yt:
        out.append(f'<line x1="{left}" y1="{_f(py(v))}" x2="{width - right}" y2="{_f(py(v))}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{_f(py(v) + 4)}" font-size="11" text-anchor="end" '
                   f'fill="{MUTED}">{fmt_y(v)}</text>')
    for v in xt:
        out.append(f'<line x1="{_f(px(v))}" y1="{top + ph}" x2="{_f(px(v))}" y2="{top + ph + 4}" stroke="{MUTED}"/>')
        out.append(f'<text x="{_f(px(v))}" y="{top + ph + 16}" font-size="11" text-anchor="middle" '
                   f'fill="{MUTED}">{v:g}</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{width - right}" y2="{top + ph}" stroke="{MUTED}"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="{MUTED}"/>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 6}" font-size="12" text-anchor="middle" '
               f'fill="{INK}">{escape(x_label)}</text>')
    out.append(f'<text x="14" y="{top + ph / 2:.1f}" font-size="12" text-anchor="middle" fill="{INK}" '
               f'transform="rotate(-90 14 {top + ph / 2:.1f})">{escape(y_label)}</text>')
    fit = _least_squares(points)
    if fit:
        a, b = fit
        out.append(f'<line class="fit" x1="{_f(px(x0))}" y1="{_f(py(max(y0, min(y1, a + b * x0))))}" '
                   f'x2="{_f(px(x1))}" y2="{_f(py(max(y0, min(y1, a + b * x1))))}" stroke="{MUTED}" '
                   f'stroke-dasharray="4 3"/>')
    for p in points:
        out.append(f'<circle class="point" cx="{_f(px(p.x))}" cy="{_f(py(p.y))}" r="4.5" fill="{ACCENT}" '
                   f'fill-opacity="0.8"><title>{escape(p.label)}: {p.x:.2f}, {fmt_y(p.y)}</title></circle>')
        anchor = "end" if px(p.x) > left + pw * 0.8 else "start"
        dx = -7 if anchor == "end" else 7
        out.append(f'<text x="{_f(px(p.x) + dx)}" y="{_f(py(p.y) - 6)}" font-size="10" text-anchor="{anchor}" '
                   f'fill="{INK}">{escape(p.label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _least_squares(points: Sequence[Point]) -> tuple[float, float] | None:
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(p.x for p in points) / n
    my = sum(p.y for p in points) / n
    sxx = sum((p.x - mx) ** 2 for p in points)
    if sxx == 0:
        return None
    b = sum((p.x - mx) * (p.y - my) for p in points) / sxx
    return my - b * mx, b
