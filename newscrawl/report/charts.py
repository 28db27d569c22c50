"""Inline SVG charts for the run report: bars per day, a run timeline, lines per run with thresholds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

WIDTH, HEIGHT = 640, 170
LEFT, RIGHT, TOP, BOTTOM = 66, 8, 10, 22
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
OUTCOME_COLOURS = {
    "ok": "#2ca02c", "alarm": "#ff7f0e", "unreachable": "#7f7f7f", "spooled": "#1f77b4", "failed": "#d62728",
    "not_stored": "#8b0000", "usage": "#9467bd", "errors": "#e377c2", "unfinished": "#bcbd22",
}


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _svg(kind: str, portal: str, title: str, body: list[str], height: int = HEIGHT, top: float | None = None) -> str:
    # data-max, data-y0, data-y1: the value at the top of the y axis and the axis' ends, to read values back.
    scale = f'data-max="{top:g}" data-y0="{height - BOTTOM}" data-y1="{TOP}" ' if top is not None else ""
    return (f'<svg class="chart" data-chart="{kind}" data-portal="{escape(portal)}" {scale}viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def _frame(height: int, top_label: str, bottom_label: str = "0") -> list[str]:
    bottom = height - BOTTOM
    return [
        f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{escape(top_label)}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{bottom}" text-anchor="end">{escape(bottom_label)}</text>',
    ]


def _x_labels(height: int, labels: list[str]) -> list[str]:
    """Labels spread along the x axis: first at the left, last at the right."""
    if not labels:
        return []
    span = WIDTH - RIGHT - LEFT
    out = []
    for i, label in enumerate(labels):
        x = LEFT + span * (i / (len(labels) - 1) if len(labels) > 1 else 0)
        anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        out.append(f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}">{escape(label)}</text>')
    return out


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def day_bars(portal: str, days: list[date], counts: list[int], title: str) -> str:
    """One bar per local day (a day without articles is a bar of height 0, so gaps show)."""
    top = _nice_max(max(counts, default=0))
    bottom = HEIGHT - BOTTOM
    span = (WIDTH - RIGHT - LEFT) / max(len(days), 1)
    body = _frame(HEIGHT, f"{top:g}")
    for i, (day, count) in enumerate(zip(days, counts)):
        h = (bottom - TOP) * count / top
        body.append(
            f'<rect class="bar" data-day="{day.isoformat()}" data-value="{count}" x="{LEFT + i * span + 0.5:.1f}" '
            f'y="{bottom - h:.1f}" width="{max(span - 1, 0.5):.1f}" height="{h:.1f}">'
            f'<title>{day.isoformat()}: {count} stored</title></rect>'
        )
    labels = [days[0].isoformat(), days[-1].isoformat()] if days else []
    return _svg("stored-per-day", portal, title, body + _x_labels(HEIGHT, labels), top=top)


class TimeAxis:
    """Maps a UTC time in [start, end] to an x coordinate."""

    def __init__(self, start: datetime, end: datetime):
        self.start, self.end = start, end
        self.seconds = max((end - start).total_seconds(), 1.0)

    def x(self, moment: datetime) -> float:
        share = min(max((moment - self.start).total_seconds() / self.seconds, 0.0), 1.0)
        return LEFT + (WIDTH - RIGHT - LEFT) * share

    def labels(self, tz, count: int = 4) -> list[str]:
        step = self.seconds / (count - 1)
        return [(self.start + timedelta(seconds=step * i)).astimezone(tz).strftime("%m-%d %H:%M") for i in range(count)]


def timeline(portal: str, runs: list, axis: TimeAxis, tz, title: str) -> str:
    """One mark per run at its start, on the lane of its outcome; the mark's tooltip says what happened."""
    present = {r.outcome for r in runs}
    lanes = [o for o in OUTCOME_COLOURS if o in present] + sorted(present - set(OUTCOME_COLOURS))
    row = {lane: i for i, lane in enumerate(lanes)}
    lane_height = 16
    height = TOP + BOTTOM + lane_height * max(len(lanes), 1)
    body = [f'<line class="axis" x1="{LEFT}" y1="{height - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{height - BOTTOM}"/>']
    for i, lane in enumerate(lanes):
        body.append(f'<text class="tick" x="{LEFT - 4}" y="{TOP + lane_height * i + 11}" text-anchor="end">'
                    f'{escape(lane)}</text>')
    for run in runs:
        y = TOP + lane_height * row[run.outcome] + 2
        tip = f"{run.started_at.astimezone(tz):%Y-%m-%d %H:%M} {run.outcome}: {run.items_stored} stored"
        if run.why:
            tip += " - " + "; ".join(run.why)
        if run.scrapyd_job:
            tip += f" (Scrapyd job {run.scrapyd_job})"
        body.append(
            f'<rect class="run" data-outcome="{escape(run.outcome)}" data-run="{run.id}" x="{axis.x(run.started_at) - 1.5:.1f}" '
            f'y="{y}" width="3" height="{lane_height - 4}" fill="{OUTCOME_COLOURS.get(run.outcome, "#000")}">'
            f'<title>{escape(tip)}</title></rect>'
        )
    return _svg("runs", portal, title, body + _x_labels(height, axis.labels(tz)), height)


def run_lines(kind: str, portal: str, runs: list, axis: TimeAxis, tz, series: dict[str, list], title: str,
              thresholds: dict[str, float] | None = None, share: bool = False) -> str:
    """One line per series over the runs (a run without a value is left out of that line), thresholds dashed.

    ``series`` maps a name to one value (or None) per run, in the order of ``runs``.
    """
    values = [v for vs in series.values() for v in vs if v is not None]
    top = 1.0 if share else _nice_max(max(values, default=0))
    bottom = HEIGHT - BOTTOM
    body = _frame(HEIGHT, "100%" if share else f"{top:g}", "0%" if share else "0")

    def y(value: float) -> float:
        return bottom - (bottom - TOP) * min(value / top, 1.0)

    xs = [axis.x(run.started_at) for run in runs]
    for i, (name, vs) in enumerate(series.items()):
        points = [(x, y(v)) for x, v in zip(xs, vs) if v is not None]
        text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        body.append(f'<polyline class="series" data-series="{escape(name)}" data-points="{len(points)}" '
                    f'stroke="{colour(i)}" points="{text}"><title>{escape(name)}</title></polyline>')
        if len(points) == 1:  # a line of one point would not show
            body.append(f'<circle class="dot" data-series="{escape(name)}" cx="{points[0][0]:.1f}" cy="{points[0][1]:.1f}" '
                        f'r="2.5" fill="{colour(i)}"/>')
    for i, (name, vs) in enumerate(series.items()):
        limit = (thresholds or {}).get(name)
        if limit is not None:
            body.append(f'<line class="threshold" data-series="{escape(name)}" data-value="{limit:g}" x1="{LEFT}" '
                        f'y1="{y(limit):.1f}" x2="{WIDTH - RIGHT}" y2="{y(limit):.1f}" stroke="{colour(i)}">'
                        f'<title>{escape(name)}: threshold {limit:.0%}</title></line>')
    return _svg(kind, portal, title, body + _x_labels(HEIGHT, axis.labels(tz)), top=top)


def legend(names: list[str], dashed: set[str] = frozenset()) -> str:
    """The colours of ``run_lines``' series, as HTML next to the chart."""
    items = [f'<span class="key"><i style="background:{colour(i)}"></i>{escape(name)}'
             f'{" (dashed: threshold)" if name in dashed else ""}</span>' for i, name in enumerate(names)]
    return f'<div class="legend">{"".join(items)}</div>'


def outcome_legend(outcomes: list[str]) -> str:
    items = [f'<span class="key"><i style="background:{OUTCOME_COLOURS.get(o, "#000")}"></i>{escape(o)}</span>'
             for o in outcomes]
    return f'<div class="legend">{"".join(items)}</div>'
