#!/usr/bin/env python3
"""demo/chart.py: step 8 of demo/run.sh, the latency chart.

    python3 demo/chart.py LATENCY.CSV OUT.PNG [TIMEZONE]

LATENCY.CSV has no header, one line per service and time slot:

    service,slot (YYYY-MM-DDTHH:MM:SS),p50 ms,p99 ms

as `psql -A -F, -t` writes it.  Draws p50 (solid) and p99 (dashed) per
service on a log scale and writes OUT.PNG.  TIMEZONE only labels the x axis.
"""

import csv
import sys
from collections import defaultdict
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # no display: write files only

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402


def read(path):
    series = defaultdict(lambda: ([], [], []))  # service -> (slots, p50s, p99s)
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row:
                continue
            service, slot, p50, p99 = row
            slots, p50s, p99s = series[service]
            slots.append(datetime.fromisoformat(slot))
            p50s.append(float(p50))
            p99s.append(float(p99))
    return series


def ms(value, _pos):
    return f"{value:g}"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: chart.py LATENCY.CSV OUT.PNG [TIMEZONE]")
    src, out = sys.argv[1], sys.argv[2]
    tz = sys.argv[3] if len(sys.argv) == 4 else "server time"

    series = read(src)
    if not series:
        sys.exit(f"chart.py: no data in {src}")
    # The busiest service first, as the query sorts them: the legend's order.
    order = list(series)

    fig, ax = plt.subplots(figsize=(11, 6), dpi=110)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, service in enumerate(order):
        slots, p50s, p99s = series[service]
        color = colors[i % len(colors)]
        ax.plot(slots, p99s, color=color, linewidth=1.2, linestyle="--",
                alpha=0.8, label=f"{service} p99")
        ax.plot(slots, p50s, color=color, linewidth=2.0,
                label=f"{service} p50")

    first = min(min(s[0]) for s in series.values())
    last = max(max(s[0]) for s in series.values())
    # Each point is the start of a slot; the chart covers up to the last end.
    slots = sorted({t for s in series.values() for t in s[0]})
    width = min((b - a for a, b in zip(slots, slots[1:])), default=None)
    per = f"per {width.total_seconds() / 60:g} minutes, " if width else ""
    end = last + width if width else last
    ax.set_title(f"Latency {per}{first:%Y-%m-%d %H:%M} to {end:%H:%M} ({tz})\n"
                 "p50 and p99 from logscore_merge of per-minute logscore_sketch",
                 fontsize=12)
    ax.set_xlabel(f"time ({tz})")
    ax.set_ylabel("latency, ms (log scale)")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(ms))
    ax.xaxis.set_major_locator(mdates.HourLocator())
    ax.xaxis.set_minor_locator(mdates.MinuteLocator(byminute=[15, 30, 45]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.set_xlim(first, last)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", axis="y", alpha=0.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main()
