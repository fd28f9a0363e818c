#!/usr/bin/env python3
"""demo/incident_chart.py: step 10 of demo/run.sh, the incident chart.

    python3 demo/incident_chart.py INCIDENT.CSV OUT.PNG SERVICE [TIMEZONE]

INCIDENT.CSV has no header, one line per minute of SERVICE:

    minute (YYYY-MM-DDTHH:MM:SS),p50 ms,z (empty when NULL),alert state

as `psql -A -F, -t` writes it.  Draws the minute medians on a log scale and
the z-scores against the baseline below them, with the minutes whose alert
state is not ok shaded, and writes OUT.PNG.  TIMEZONE only labels the x axis.
"""

import csv
import sys
from datetime import datetime, timedelta

import matplotlib

matplotlib.use("Agg")  # no display: write files only

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

SHADES = {"warning": "#f5b041", "critical": "#e74c3c"}
MINUTE = timedelta(minutes=1)


def read(path):
    minutes, p50s, zs, states = [], [], [], []
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row:
                continue
            minute, p50, z, state = row
            minutes.append(datetime.fromisoformat(minute))
            p50s.append(float(p50))
            zs.append(float(z) if z else float("nan"))
            states.append(state)
    return minutes, p50s, zs, states


def episodes(minutes, states):
    """(start, end, state) for each run of minutes in the same state, not ok"""
    runs = []
    for minute, state in zip(minutes, states):
        if state == "ok":
            continue
        if runs and runs[-1][2] == state and runs[-1][1] == minute:
            runs[-1][1] = minute + MINUTE
        else:
            runs.append([minute, minute + MINUTE, state])
    return runs


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: incident_chart.py INCIDENT.CSV OUT.PNG SERVICE [TIMEZONE]")
    src, out, service = sys.argv[1:4]
    tz = sys.argv[4] if len(sys.argv) == 5 else "server time"
    minutes, p50s, zs, states = read(src)
    if not minutes:
        sys.exit(f"incident_chart.py: no data in {src}")

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), dpi=110, sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    for ax in (top, bottom):
        for start, end, state in episodes(minutes, states):
            ax.axvspan(start, end, color=SHADES.get(state, "grey"), alpha=0.25, linewidth=0)

    top.plot(minutes, p50s, color="#1f4e79", linewidth=1.4)
    top.set_yscale("log")
    # a decade or so of range: label 1, 2 and 5 of each decade, not only 10^n
    top.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    top.yaxis.set_minor_formatter(NullFormatter())
    top.set_ylabel("p50 latency, ms (log scale)")
    top.set_title(f"{service}: minute medians, scored against the baseline, with alert states\n"
                  "logscore_anomaly(p50, baseline sketch) and logscore_alert_state(z) OVER (ORDER BY minute)",
                  fontsize=12)
    top.legend(handles=[Patch(color=SHADES[s], alpha=0.4, label=f"alert state {s}") for s in SHADES],
               loc="upper left", frameon=False)

    bottom.plot(minutes, zs, color="#444444", linewidth=1.0, marker=".", markersize=3)
    for level, style in ((3, ":"), (5, "--")):
        bottom.axhline(level, color="#c0392b", linestyle=style, linewidth=0.9)
    bottom.axhline(2, color="#27ae60", linestyle=":", linewidth=0.9)
    bottom.set_yscale("symlog", linthresh=5)
    bottom.set_ylabel("z against the baseline\n(symlog; 2 clear, 3 warning, 5 critical)")
    bottom.set_xlabel(f"time ({tz})")
    bottom.xaxis.set_major_locator(mdates.MinuteLocator(byminute=[0, 30]))
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    bottom.set_xlim(minutes[0], minutes[-1] + MINUTE)
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main()
