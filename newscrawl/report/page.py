"""The run report as one self-contained HTML page: styles, script and charts inline, nothing fetched."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from html import escape

from newscrawl.report import charts
from newscrawl.report.data import Report

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:1100px;
padding:12px;color:#222;background:#fff}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:24px 0 4px;border-bottom:1px solid #ccc}
h3{font-size:14px;margin:12px 0 2px}.meta{color:#555;margin:2px 0}
nav a{margin-right:10px}nav select{margin-left:6px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;white-space:nowrap}
.wide{overflow-x:auto}.badge{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-weight:600}
tr.bad td{background:#fff6ec}.why{margin:0;padding-left:16px}.advice{font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:8px 16px}
figure{margin:0}figcaption{font-weight:600;font-size:13px}
svg.chart{width:100%;height:auto;display:block;background:#fcfcfc}
svg .axis{stroke:#999;stroke-width:1}svg .tick{font-size:10px;fill:#555}svg .bar{fill:#4a7fb5}
svg .series{fill:none;stroke-width:1.6}svg .threshold{stroke-dasharray:5 4;stroke-width:1.2}
.legend{font-size:12px;color:#444}.key{margin-right:10px;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;margin-right:3px;vertical-align:-1px}
.empty{color:#777;font-style:italic}
@media (max-width:600px){body{font-size:13px;padding:6px}.grid{grid-template-columns:1fr}td,th{padding:3px}
#last-runs thead{display:none}#last-runs tr{display:block;padding:4px 0;border-bottom:1px solid #ddd}
#last-runs td{display:inline-block;border:none;padding:1px 4px}#last-runs td.what,#last-runs td.advice{display:block}
#last-runs td.n::before{content:attr(data-label);color:#666}}
@media print{nav{display:none}body{max-width:none}section.portal,figure,table{break-inside:avoid}
tr.bad td{background:none}a{color:inherit;text-decoration:none}}
"""

# Progressive: without JavaScript every portal shows and the links above jump to them; with it, a list picks one.
SCRIPT = """
(function(){var nav=document.getElementById('portals');if(!nav)return;
var s=document.createElement('select');s.id='portal-filter';s.setAttribute('aria-label','show one portal');
var all=document.createElement('option');all.value='';all.textContent='all portals';s.appendChild(all);
var sections=document.querySelectorAll('section.portal');
sections.forEach(function(x){var o=document.createElement('option');o.value=x.dataset.portal;
o.textContent=x.dataset.portal;s.appendChild(o);});
s.addEventListener('change',function(){sections.forEach(function(x){
x.hidden=!!s.value&&x.dataset.portal!==s.value;});});nav.appendChild(s);})();
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; img-src data:"


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max((now - moment).total_seconds(), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"


def badge(outcome: str) -> str:
    return (f'<span class="badge" data-outcome="{escape(outcome)}" '
            f'style="background:{charts.OUTCOME_COLOURS.get(outcome, "#000")}">{escape(outcome)}</span>')


def attention_table(report: Report, tz) -> str:
    rows = []
    for run in report.attention():
        bad = run.outcome != "ok"
        why = "".join(f"<li>{escape(line)}</li>" for line in run.why)
        rows.append(
            f'<tr class="{"bad" if bad else "ok"}" data-portal="{escape(run.spider)}">'
            f'<td><a href="#portal-{escape(run.spider)}">{escape(run.spider)}</a></td><td>{badge(run.outcome)}</td>'
            f'<td>{run.started_at.astimezone(tz):%Y-%m-%d %H:%M} ({_ago(run.finished_at or run.started_at, report.generated_at)})</td>'
            f'<td class="n" data-label="stored ">{run.items_stored}</td>'
            f'<td class="n" data-label="exit ">{run.exit_code if run.exit_code is not None else "-"}</td>'
            f'<td class="what">{f"<ul class=why>{why}</ul>" if why else ""}</td>'
            f'<td class="advice">{escape(run.advice) if bad else ""}</td></tr>'
        )
    if not rows:
        return '<p class="empty">No run recorded in crawl_runs.</p>'
    return ('<div class="wide"><table id="last-runs"><thead><tr><th>portal</th><th>outcome</th><th>started</th>'
            '<th>stored</th><th>exit</th><th>what happened</th><th>what to do</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def _figure(caption: str, svg: str, extra: str = "") -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}{extra}</figure>"


def portal_section(report: Report, portal: str, tz) -> str:
    runs = report.runs.get(portal, [])
    counts = {}
    for run in runs:
        counts[run.outcome] = counts.get(run.outcome, 0) + 1
    summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "none"
    figures = [_figure("Articles first stored per day",
                       charts.day_bars(portal, report.days, report.stored_per_day[portal], f"{portal}: articles stored per day"))]
    if runs:
        axis = charts.TimeAxis(report.start, report.generated_at)
        cov, fb = report.coverage_fields, report.fallback_fields
        th = report.thresholds
        figures += [
            _figure("Runs and their outcome", charts.timeline(portal, runs, axis, tz, f"{portal}: runs"),
                    charts.outcome_legend(sorted(counts))),
            _figure("Field coverage per run", charts.run_lines(
                "coverage", portal, runs, axis, tz, {f: [r.coverage.get(f) for r in runs] for f in cov},
                f"{portal}: field coverage", th.min_coverage, share=True), charts.legend(cov, set(th.min_coverage))),
            _figure("Fields from the generic extractor (fallback) per run", charts.run_lines(
                "fallback", portal, runs, axis, tz, {f: [r.fallback.get(f) for r in runs] for f in fb},
                f"{portal}: fallback share", th.max_fallback, share=True), charts.legend(fb, set(th.max_fallback))),
            _figure("Errors and HTTP failures per run", charts.run_lines(
                "errors", portal, runs, axis, tz, {
                    "errors logged": [r.errors for r in runs], "HTTP 4xx/5xx": [r.http_failures for r in runs],
                    "no answer": [r.download_errors for r in runs]}, f"{portal}: errors"),
                charts.legend(["errors logged", "HTTP 4xx/5xx", "no answer"])),
            _figure("Listing depth and requests skipped (incremental)", charts.run_lines(
                "listing", portal, runs, axis, tz, {
                    "list pages read": [r.list_pages for r in runs],
                    "known articles skipped": [r.requests_skipped for r in runs]}, f"{portal}: listing"),
                charts.legend(["list pages read", "known articles skipped"])),
        ]
    else:
        figures.append('<p class="empty">No run of this portal started in the window.</p>')
    return (f'<section class="portal" id="portal-{escape(portal)}" data-portal="{escape(portal)}">'
            f"<h2>{escape(portal)}</h2><p class=meta>{report.stored_total[portal]} articles stored in all; "
            f"{sum(report.stored_per_day[portal])} first stored in the window; runs in the window: {escape(summary)}</p>"
            f'<div class="grid">{"".join(figures)}</div></section>')


def clusters_section(report: Report) -> str:
    out = ['<section id="clusters"><h2>Near-duplicate clusters across portals</h2>']
    if not report.cluster_count:
        out.append('<p class="empty">No near-duplicate stored in the window.</p></section>')
        return "".join(out)
    pairs = sorted(report.syndication.items(), key=lambda kv: (-kv[1], kv[0]))
    out.append("<h3>Who syndicates whom (first stored by → also stored by, articles)</h3>"
               '<div class="wide"><table id="syndication"><thead><tr><th>first stored by</th><th>also stored by</th>'
               "<th>articles</th></tr></thead><tbody>")
    out += [f'<tr><td>{escape(a)}</td><td>{escape(b)}</td><td class="n">{n}</td></tr>' for (a, b), n in pairs]
    out.append(f"</tbody></table></div><h3>The largest clusters ({len(report.clusters)} of {report.cluster_count})</h3>"
               '<div class="wide"><table id="cluster-list"><thead><tr><th>copies</th><th>portals</th><th>first stored</th>'
               "</tr></thead><tbody>")
    for cluster in report.clusters:
        title = cluster.title or (cluster.copies[0][2] if cluster.copies else "")
        out.append(f'<tr data-copies="{len(cluster.copies)}"><td class="n">{len(cluster.copies)}</td>'
                   f'<td>{escape(", ".join(cluster.portals))}</td><td>{escape(title or "")}<br>'
                   f'<small>{escape(cluster.url)}</small></td></tr>')
    out.append("</tbody></table></div></section>")
    return "".join(out)


def render(report: Report) -> str:
    tz = report.tz
    first, last = report.days[0], report.days[-1]
    links = "".join(f'<a href="#portal-{escape(p)}">{escape(p)}</a>' for p in report.portals)
    body = [
        "<header><h1>newscrawl run report</h1>",
        f'<p class="meta" id="database">Database: <code>{escape(report.database)}</code></p>',
        f'<p class="meta">Window: {first} .. {last} ({len(report.days)} days, {escape(str(report.tz))}); generated '
        f"{report.generated_at.astimezone(tz):%Y-%m-%d %H:%M %Z}; {len(report.portals)} portal(s)</p></header>",
        f'<nav id="portals">{links}<a href="#clusters">near-duplicates</a></nav>',
        '<section id="attention"><h2>Last run of each portal</h2>', attention_table(report, tz), "</section>",
        *(portal_section(report, p, tz) for p in report.portals),
        clusters_section(report),
    ]
    if not report.portals:
        body.insert(4, '<p class="empty">Nothing stored and no run recorded in this window.</p>')
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>newscrawl report {last}</title><style>{STYLE}</style></head><body>"
        + "".join(body) + f"<script>{SCRIPT}</script></body></html>\n"
    )
