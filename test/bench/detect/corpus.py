#!/usr/bin/python3
"""The labelled corpus of the detection benchmark (issue 14), generated.

48 series of 5,000 to 20,000 points, four of each of twelve kinds, sampled
every minute, five minutes or hour (five of them irregularly), made from a
fixed seed (the same numbers on every run of Debian 12's numpy).  They
stand in for the real series of the public benchmark the detector is judged
on (cloud CPU, ad-exchange prices, traffic speeds, tweet counts, machine
temperatures), which this harness does not use: autocorrelated noise with heavy-tailed innovations,
quantised readings, unlabelled benign outliers, and then the anomalies.

Labels are as NAB makes them: each anomaly is a point, its window is
10% of the series' length divided by the number of anomalies in the series,
centred on the point (clipped to the series).  One series in most kinds has
no anomaly at all: only false positives can be scored there.

    /usr/bin/python3 test/bench/detect/corpus.py            a summary
    /usr/bin/python3 test/bench/detect/corpus.py --csv F    series,kind,ts,value
"""

import argparse
import hashlib
import sys

import numpy as np

SEED = 14
START = np.datetime64("2024-01-01T00:00:00", "s")


class Series:
    """One series: name, kind, interval (s), ts (epoch seconds), values,
    the anomaly points and their windows as (first, last) row indices."""

    def __init__(self, name, kind, interval, ts, values, anomalies, note):
        self.name = name
        self.kind = kind
        self.interval = interval
        self.ts = ts
        self.values = values
        self.anomalies = sorted(anomalies)
        self.note = note
        self.windows = nab_windows(len(values), self.anomalies)

    def __len__(self):
        return len(self.values)


def nab_windows(n, anomalies):
    """NAB's labeller: a window of 10% of the length over the number of
    anomalies, centred on each, clipped to the series, merged if they touch."""
    if not anomalies:
        return []
    size = int(0.10 * n / len(anomalies))
    out = []
    for a in anomalies:
        lo, hi = max(0, a - size // 2), min(n - 1, a + size // 2)
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


# --- building blocks ---------------------------------------------------------


def ar1(rng, n, phi, scale, df=None):
    """AR(1) noise with unit-variance innovations (Student t of `df` degrees
    of freedom, scaled to unit variance, when given): real metrics are
    autocorrelated and their jumps are heavier than a Gaussian's."""
    if df is None:
        e = rng.standard_normal(n)
    else:
        e = rng.standard_t(df, n) * np.sqrt((df - 2) / df)
    x = np.empty(n)
    acc = 0.0
    k = np.sqrt(1 - phi * phi)
    for i in range(n):
        acc = phi * acc + k * e[i]
        x[i] = acc
    return x * scale


def hours(ts):
    return (ts % 86400) / 3600.0


def weekday(ts):
    # 2024-01-01 was a Monday: 0 = Monday .. 6 = Sunday
    return (ts // 86400) % 7


def daily_profile(ts, peak=14.0, sharp=1.0):
    """A working-day shape in [0, 1]: low at night, a broad afternoon peak."""
    h = hours(ts)
    p = 0.5 + 0.5 * np.cos(2 * np.pi * (h - peak) / 24)
    p = p + 0.25 * sharp * np.cos(4 * np.pi * (h - peak) / 24)
    return (p - p.min()) / max(np.ptp(p), 1e-9)


def benign_outliers(rng, n, rate, size, skip=()):
    """Unlabelled single-point blips, as real series have many of."""
    x = np.zeros(n)
    idx = rng.choice(n, int(rate * n), replace=False)
    for i in idx:
        if any(lo - 50 <= i <= hi + 50 for lo, hi in skip):
            continue
        x[i] = size * rng.choice([-1, 1]) * (1 + rng.exponential(0.5))
    return x


def place(rng, n, k, lo_frac=0.25, hi_frac=0.95):
    """k anomaly points after the probationary period, at least a window
    apart (so NAB's windows do not touch)."""
    if k == 0:
        return []
    size = int(0.10 * n / k)
    lo, hi = int(lo_frac * n) + size, int(hi_frac * n) - size
    for _ in range(1000):
        pts = sorted(int(p) for p in rng.integers(lo, hi, k))
        if all(b - a > 2 * size for a, b in zip(pts, pts[1:])):
            return pts
    raise RuntimeError("cannot place %d anomalies in %d points" % (k, n))


# --- the kinds ---------------------------------------------------------------
# Each maker gets (rng, n, interval, k) and returns (ts, values, anomalies,
# note); k anomalies (0 for a clean series).


def grid(n, interval, offset_days):
    t0 = int((START - np.datetime64("1970-01-01T00:00:00", "s")).astype(np.int64))
    return t0 + offset_days * 86400 + np.arange(n, dtype=np.int64) * interval


def k_daily(rng, n, interval, k, off):
    """Web traffic: a daily cycle, multiplicative noise; anomalies are
    outages (a drop to a fraction for an hour or two) or surges."""
    ts = grid(n, interval, off)
    base = 200 + 800 * daily_profile(ts, peak=rng.uniform(12, 16))
    v = base * np.exp(ar1(rng, n, 0.8, 0.08)) + ar1(rng, n, 0.3, 10)
    pts = place(rng, n, k)
    for p in pts:
        dur = max(3, int(rng.uniform(1, 2.5) * 3600 / interval))
        if rng.random() < 0.5:
            v[p:p + dur] *= rng.uniform(0.15, 0.4)
        else:
            v[p:p + dur] *= rng.uniform(1.8, 2.5)
    return ts, np.round(np.maximum(v, 0)), pts, "outage or surge of 1-2.5 h"


def k_weekly(rng, n, interval, k, off):
    """Business metric: daily and weekly cycles (weekends at 40-60%);
    anomalies: a weekday that looks like a Sunday, or a weekend that
    looks like a weekday."""
    ts = grid(n, interval, off)
    wd = weekday(ts)
    weekend = np.where(wd >= 5, rng.uniform(0.4, 0.6), 1.0)
    base = 50 + 100 * daily_profile(ts) * weekend
    v = base + ar1(rng, n, 0.9, 6, df=5)
    pts = []
    day = 86400 // interval
    for p in place(rng, n, k):
        p0 = p - (ts[p] % 86400) // interval + day // 3   # from 8 am on
        p1 = p0 + day // 2
        flip = np.where(wd[p0:p1] >= 5, 1 / rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6))
        v[p0:p1] = 50 + (v[p0:p1] - 50) * flip
        pts.append(int(p0))
    return ts, np.round(v, 2), pts, "a weekday like a weekend, or the reverse"


def k_trend(rng, n, interval, k, off):
    """A growing (or shrinking) metric with a daily cycle; anomalies are
    dips (lost traffic) or spikes of a few sigma that last minutes."""
    ts = grid(n, interval, off)
    slope = rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)
    v = 100 + slope * 40 * np.arange(n) / n + 10 * daily_profile(ts) + ar1(rng, n, 0.85, 3)
    pts = place(rng, n, k)
    for p in pts:
        dur = int(rng.integers(3, 12))
        v[p:p + dur] += rng.choice([-1, 1]) * rng.uniform(12, 20)
    return ts, np.round(v, 1), pts, "a dip or bump of 4-7 sigma for 3-12 points"


def k_heavy_tail(rng, n, interval, k, off):
    """Ad-exchange prices: log-normal level, t(2.5) innovations, many
    unlabelled spikes; anomalies are sustained price surges."""
    ts = grid(n, interval, off)
    # clipped: an unbounded t(2.5) walk in the exponent reaches 10^5
    lv = np.clip(ar1(rng, n, 0.7, 0.25, df=2.5), -1.0, 1.0)
    v = np.exp(np.log(0.8) + lv)
    v += benign_outliers(rng, n, 0.004, 1.0)
    pts = place(rng, n, k)
    for p in pts:
        dur = int(rng.integers(10, 40))
        v[p:p + dur] *= rng.uniform(2.5, 4.0)
    return ts, np.round(np.abs(v), 3), pts, "price x2.5-4 for 10-40 points"


def k_counter(rng, n, interval, k, off):
    """Tweet or error counts: mostly 0-3, benign small bursts; anomalies are
    bursts ten times as large that last a while."""
    ts = grid(n, interval, off)
    rate = 0.6 * np.exp(ar1(rng, n, 0.95, 0.5))
    burst = np.zeros(n)
    for i in rng.choice(n, n // 400, replace=False):
        burst[i:i + int(rng.integers(1, 4))] += rng.uniform(2, 6)
    pts = place(rng, n, k)
    for p in pts:
        burst[p:p + int(rng.integers(15, 60))] += rng.uniform(20, 60)
    v = rng.poisson(rate + burst).astype(float)
    return ts, v, pts, "a burst of 20-60 a point for 15-60 points"


def k_near_constant(rng, n, interval, k, off):
    """A gauge that barely moves (a queue length, a replica count, a
    temperature to 0.5 degree): one value almost always, the next step
    now and then, and in most series a reading noise far below the step
    (an averaged gauge: 17.0003, 16.9998), so that quartiles collapse;
    anomalies are moves of a few steps that stay a while."""
    ts = grid(n, interval, off)
    step = rng.choice([1.0, 0.5, 0.01])
    level = np.round(rng.uniform(10, 50) / step) * step
    jitter = (rng.random(n) < 0.02) * rng.choice([-1, 1], n) * step
    dither = rng.choice([0.0, 1e-4, 1e-3]) * step * rng.standard_normal(n) * (rng.random(n) < 0.5)
    v = level + jitter + dither
    pts = place(rng, n, k)
    for p in pts:
        v[p:p + int(rng.integers(5, 30))] += rng.choice([-1, 1]) * step * rng.integers(3, 6)
    return ts, np.round(v, 7), pts, "a move of 3-5 steps for 5-30 points"


def k_level_shift(rng, n, interval, k, off):
    """A metric whose level moves for good (a deploy, a config change):
    persistent steps of 2-4 sigma."""
    ts = grid(n, interval, off)
    v = 60 + ar1(rng, n, 0.9, 4, df=6)
    pts = place(rng, n, k)
    for p in pts:
        v[p:] += rng.choice([-1, 1]) * rng.uniform(8, 16)
    return ts, np.round(v, 2), pts, "a lasting step of 2-4 sigma"


def k_variance(rng, n, interval, k, off):
    """CPU of a service that starts thrashing: the level holds, the spread
    grows three to five times for a stretch."""
    ts = grid(n, interval, off)
    v = 35 + 5 * daily_profile(ts) + ar1(rng, n, 0.6, 2.0, df=8)
    pts = place(rng, n, k)
    for p in pts:
        dur = int(0.05 * n / max(k, 1))
        v[p:p + dur] = v[p:p + dur] + ar1(rng, dur, 0.3, rng.uniform(6, 10))
    return ts, np.clip(np.round(v, 1), 0, 100), pts, "spread x3-5 for a stretch"


def k_drift(rng, n, interval, k, off):
    """Machine temperature: a slowly wandering reading with a mild daily
    cycle; before a failure it creeps up over hours, then the machine
    stops and the reading falls.  The label is where the creep shows."""
    ts = grid(n, interval, off)
    v = 85 + 3 * daily_profile(ts, sharp=0.2) + ar1(rng, n, 0.995, 2.5) + ar1(rng, n, 0.5, 0.6)
    pts = place(rng, n, k)
    size = int(0.10 * n / max(k, 1))
    for p in pts:
        d0 = p - size // 2          # the creep starts at the window's start
        d1 = p + size // 4          # and fails a quarter window after the label
        r = np.arange(d1 - d0) / (d1 - d0)
        v[d0:d1] += rng.uniform(8, 14) * r ** 2
        down = int(rng.integers(20, 60))
        v[d1:d1 + down] = 30 + ar1(rng, down, 0.7, 2) + 40 * np.exp(-np.arange(down) / 5)
    return ts, np.round(v, 2), pts, "creep of 8-14 degrees, then a shutdown"


def k_pattern_break(rng, n, interval, k, off):
    """A daily pattern that breaks while staying in its usual range: the
    peak comes twelve hours late, or the day stays flat at its mean."""
    ts = grid(n, interval, off)
    peak = rng.uniform(10, 16)
    prof = daily_profile(ts, peak=peak)
    v = 20 + 60 * prof + ar1(rng, n, 0.8, 3)
    day = 86400 // interval
    pts = []
    for p in place(rng, n, k):
        p0 = p - (ts[p] % 86400) // interval    # midnight
        seg = slice(p0, p0 + day)
        if rng.random() < 0.5:
            alt = daily_profile(ts[seg], peak=peak + 12)
        else:
            alt = np.full(day, prof.mean())
        v[seg] = 20 + 60 * alt + ar1(rng, day, 0.8, 3)
        pts.append(int(p0 + day // 4))
    return ts, np.round(v, 2), pts, "one day's shape shifted by 12 h or flat"


def k_spike(rng, n, interval, k, off):
    """Isolated spikes: single points of 6-12 sigma in an otherwise quiet
    autocorrelated series."""
    ts = grid(n, interval, off)
    v = 40 + 4 * daily_profile(ts) + ar1(rng, n, 0.7, 1.5, df=6)
    pts = place(rng, n, k)
    for p in pts:
        v[p] += rng.choice([-1, 1]) * 1.5 * rng.uniform(6, 12)
    return ts, np.round(v, 2), pts, "one point of 6-12 sigma"


def k_gaps(rng, n, interval, k, off):
    """A daily-cycle metric with missing stretches (an agent down for hours
    or a day: no rows); anomalies are a level change after a gap or a dip
    somewhere else.  The gaps themselves are not anomalies."""
    full = int(n * 1.15)
    ts = grid(full, interval, off)
    v = 100 + 50 * daily_profile(ts) + ar1(rng, full, 0.85, 5, df=6)
    keep = np.ones(full, bool)
    day = 86400 // interval
    starts = sorted(rng.choice(np.arange(int(0.2 * full), int(0.9 * full)), 4, replace=False))
    for s in starts:
        keep[s:s + int(rng.uniform(0.1, 0.6) * day)] = False
    ts, v = ts[keep], v[keep]
    n = len(v)
    pts = place(rng, n, k)
    gaps = np.flatnonzero(np.diff(ts) > interval) + 1
    for j, p in enumerate(pts):
        if j == 0 and len(gaps):
            # the first anomaly sits on the gap nearest its slot: a level
            # change hidden behind the missing rows
            g = int(gaps[np.argmin(np.abs(gaps - p))])
            if all(abs(g - q) > 0.2 * n / k for q in pts[1:]) and g > 0.25 * n:
                p = g
                pts[0] = g
            v[p:p + int(day * rng.uniform(0.3, 1))] += rng.choice([-1, 1]) * rng.uniform(30, 50)
        else:
            v[p:p + int(rng.integers(5, 20))] -= rng.uniform(40, 60)
    return ts, np.round(v, 1), sorted(pts), "a shift after a gap, or a dip"


KINDS = [
    # kind, maker, (interval, n, anomalies) for its four series
    ("daily", k_daily, [(60, 10000, 2), (300, 8064, 1), (60, 14400, 3), (300, 12000, 0)]),
    ("weekly", k_weekly, [(300, 12096, 2), (3600, 8760, 3), (300, 16128, 1), (3600, 6000, 0)]),
    ("trend", k_trend, [(300, 9000, 2), (60, 12000, 3), (3600, 6000, 1), (300, 15000, 0)]),
    ("heavy_tail", k_heavy_tail, [(300, 8000, 2), (300, 16000, 3), (3600, 5500, 1), (300, 10000, 0)]),
    ("counter", k_counter, [(60, 12000, 2), (300, 9000, 1), (60, 20000, 3), (300, 7000, 0)]),
    ("near_constant", k_near_constant, [(60, 8000, 1), (300, 11000, 2), (3600, 6500, 2), (60, 9000, 0)]),
    ("level_shift", k_level_shift, [(300, 7000, 1), (60, 13000, 2), (3600, 9000, 3), (300, 5000, 1)]),
    ("variance", k_variance, [(300, 10000, 1), (60, 15000, 2), (300, 6000, 2), (3600, 8000, 0)]),
    ("drift", k_drift, [(300, 22000 // 2, 2), (300, 18000, 4), (60, 12000, 1), (300, 9000, 0)]),
    ("pattern_break", k_pattern_break, [(300, 8640, 1), (60, 14400, 2), (3600, 7200, 2), (300, 11520, 1)]),
    ("spike", k_spike, [(60, 7000, 3), (300, 12000, 2), (3600, 5000, 1), (60, 16000, 0)]),
    ("gaps", k_gaps, [(300, 9000, 2), (60, 12000, 2), (3600, 6000, 1), (300, 14000, 0)]),
]


# Series sampled irregularly, as polled sensors and some exporters are: each
# reading up to 30% of the interval early or late, and 3% of them missing.
IRREGULAR = {("daily", 1), ("heavy_tail", 2), ("level_shift", 1), ("spike", 1), ("drift", 2)}


def irregular(rng, ts, v, pts, interval):
    keep = rng.random(len(ts)) >= 0.03
    keep[pts] = True
    ts = ts + np.round(rng.uniform(-0.3, 0.3, len(ts)) * interval).astype(np.int64)
    new_index = np.cumsum(keep) - 1
    return ts[keep], v[keep], [int(new_index[p]) for p in pts]


def make_corpus():
    out = []
    for ki, (kind, maker, specs) in enumerate(KINDS):
        for j, (interval, n, k) in enumerate(specs):
            rng = np.random.default_rng([SEED, ki, j])
            ts, v, pts, note = maker(rng, n, interval, k, off=3 * ki + j)
            if (kind, j) in IRREGULAR:
                ts, v, pts = irregular(rng, np.asarray(ts, np.int64), np.asarray(v, float), pts, interval)
                note += "; irregular sampling, 3% of readings missing"
            name = "%s_%d_%s" % (kind, j + 1, {60: "1min", 300: "5min", 3600: "1h"}[interval])
            out.append(Series(name, kind, interval, np.asarray(ts, np.int64),
                              np.asarray(v, float), pts, note))
    return out


def fingerprint(corpus):
    """A short hash of every series' name, timestamps and values: the
    evaluator reloads the table when it differs."""
    h = hashlib.sha256()
    for s in corpus:
        h.update(s.name.encode())
        h.update(s.ts.tobytes())
        h.update(np.round(s.values, 6).tobytes())
    return h.hexdigest()[:16]


def iso(t):
    return str(np.datetime64(int(t), "s")).replace("T", " ") + "+00"


def write_csv(corpus, f):
    for s in corpus:
        for t, x in zip(s.ts, s.values):
            f.write("%s,%s,%s,%r\n" % (s.name, s.kind, iso(t), float(x)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", help="write series,kind,ts,value to this file ('-': stdout)")
    a = ap.parse_args()
    corpus = make_corpus()
    if a.csv:
        with (sys.stdout if a.csv == "-" else open(a.csv, "w")) as f:
            write_csv(corpus, f)
        return
    print("%-26s %-14s %6s %6s %3s  %s" % ("series", "kind", "rows", "step", "anom", "windows"))
    for s in corpus:
        print("%-26s %-14s %6d %5ds %3d  %s" % (s.name, s.kind, len(s), s.interval,
                                               len(s.anomalies), s.windows))
    print("%d series, %d rows, %d anomalies, %d without any; fingerprint %s" % (
        len(corpus), sum(len(s) for s in corpus), sum(len(s.anomalies) for s in corpus),
        sum(1 for s in corpus if not s.anomalies), fingerprint(corpus)))


if __name__ == "__main__":
    main()
