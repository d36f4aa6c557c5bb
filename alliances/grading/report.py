"""The class report of a batch: ``report.html`` beside the CSVs, one page to read after grading.

For each problem set: the distribution of students' points (a histogram) and, for each exercise,
the share of students who got it right (full points) with the distribution of points as a table;
then the most frequent mistake messages of each exercise (every reason but "passed", most frequent
first: what to re-teach). Figures are PNG embedded in the page (no other file), drawn in the
house style of ``alliances.plots`` (colour-blind-safe palette), each with alt text.
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from pathlib import Path

REPORT = "report.html"
TOP = 5  # mistake messages per exercise


def _png(fig, alt: str) -> str:
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def _num(x) -> float:
    return float(x) if x not in ("", None) else 0.0


def _set_figures(name, totals, most, exercises, right):
    from .. import plots
    fig, (left, bars) = plots.figure(1, 2, figsize=(10, 3.6))
    from matplotlib.ticker import MaxNLocator
    bins = [b - 0.5 for b in range(int(most) + 2)] if most <= 20 else 20  # one bar per whole point
    left.hist(totals, bins=bins, color=plots.PALETTE[0], edgecolor="white")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    plots.finish(left, title=f"{name}: points per student", xlabel=f"points (of {most:g})",
                 ylabel="students", source="Source: this batch's grades.csv")
    shares = [100 * right[e] for e in exercises]
    bars.barh(exercises[::-1], shares[::-1], color=plots.PALETTE[1])
    bars.set_xlim(0, 100)
    plots.finish(bars, title=f"{name}: right answers", xlabel="students with full points (%)", ylabel="exercise",
                 source="Source: this batch's grades.csv")
    alt = (f"{name}: histogram of points per student (median {sorted(totals)[len(totals) // 2]:g} of {most:g}); "
           "share with full points per exercise: "
           + ", ".join(f"{e} {s:.0f}%" for e, s in zip(exercises, shares)) + ".")
    return _png(fig, alt)


def write(out_dir, rows) -> Path:
    """Write ``out_dir/report.html`` from the rows of grades.csv (dicts, as ``gradebook`` returns them)."""
    out = Path(out_dir)
    by_set: dict = {}
    for r in rows:
        by_set.setdefault(r["set"], []).append(r)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Class report</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
             "img{max-width:100%}</style></head><body>", "<h1>Class report</h1>",
             f"<p>{len({r['student'] for r in rows})} student(s), {len(by_set)} problem set(s). Points per student and "
             "per exercise, the share who got each exercise right, and the most frequent mistake messages "
             "(what to re-teach). Hand-graded points count once entered.</p>"]
    for name in sorted(by_set):
        got = by_set[name]
        exercises = list(dict.fromkeys(r["exercise"] for r in got if r["exercise"]))
        students = sorted({r["student"] for r in got})
        totals = [sum(_num(r["points"]) for r in got if r["student"] == s) for s in students]
        most = max((sum(_num(r["max_points"]) for r in got if r["student"] == s) for s in students), default=0)
        right, spread, mistakes = {}, {}, {}
        for e in exercises:
            mine = [r for r in got if r["exercise"] == e]
            right[e] = sum(r["points"] != "" and _num(r["points"]) >= _num(r["max_points"]) > 0 for r in mine) / len(mine)
            spread[e] = Counter("pending" if r["points"] == "" else f"{_num(r['points']):g}" for r in mine)
            mistakes[e] = Counter(r["reason"] for r in mine if r["reason"] != "passed").most_common(TOP)
        parts.append(f"<h2>{html.escape(name)}</h2>")
        if exercises:
            parts.append(_set_figures(name, totals, most, exercises, right))
        parts.append("<h3>Exercises</h3><table><tr><th>exercise</th><th>students</th><th>right (full points)</th>"
                     "<th>points: students</th></tr>")
        for e in exercises:
            spread_text = ", ".join(f"{k}: {v}" for k, v in sorted(spread[e].items(), key=lambda kv: kv[0]))
            parts.append(f"<tr><td>{html.escape(e)}</td><td>{sum(spread[e].values())}</td><td>{100 * right[e]:.0f}%</td>"
                         f"<td>{html.escape(spread_text)}</td></tr>")
        parts.append("</table><h3>Most frequent mistakes</h3>")
        for e in exercises:
            if not mistakes[e]:
                parts.append(f"<p>{html.escape(e)}: everyone passed.</p>")
                continue
            parts.append(f"<p>{html.escape(e)}:</p><ol>" + "".join(
                f"<li>{n} × {html.escape(reason)}</li>" for reason, n in mistakes[e]) + "</ol>")
    parts.append("</body></html>")
    path = out / REPORT
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
