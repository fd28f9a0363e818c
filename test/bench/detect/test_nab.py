#!/usr/bin/python3
"""Checks of the NAB scorer (nab.py) on hand-made cases; the harness runs
it before it scores anything:  /usr/bin/python3 test/bench/detect/test_nab.py"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nab  # noqa: E402

failures = 0


def check(what, got, want, tol=1e-9):
    global failures
    ok = abs(got - want) <= tol if not (math.isinf(want) or math.isinf(got)) else got == want
    print("%s %s: got %.6f, want %.6f" % ("ok  " if ok else "FAIL", what, got, want))
    failures += not ok


def run(labels, scores, profile="standard"):
    sw = nab.Sweep(labels, scores)
    th, raw = sw.best(profile)
    null, perfect = labels.null_perfect(profile)
    return th, raw, nab.normalised(raw, null, perfect)


S = nab.scaled_sigmoid

# The sigmoid as the paper gives it: S(-1) = 0.98661, S(-0.5) = 0.84828,
# S(0) = 0, S(1) = -0.98661, -1 from 3 on.
check("S(-1)", float(S(-1.0)), 0.98661, 1e-5)
check("S(-0.5)", float(S(-0.5)), 0.84828, 1e-5)
check("S(0)", float(S(0.0)), 0.0)
check("S(1)", float(S(1.0)), -0.98661, 1e-5)
check("S(3)", float(S(3.0)), -1.0)

# One series of 1,000 rows: probation 150 rows; one window, rows 400-499.
one = nab.Labels([(1000, [(400, 499)])])
check("probation of 1,000 rows", nab.probation_rows(1000), 150)
check("probation of 20,000 rows (capped)", nab.probation_rows(20000), 750)


def at(*rows, n=1000):
    x = np.zeros(n)
    x[list(rows)] = 1.0
    return x


for prof in nab.PROFILES:
    # a detector firing on the window's first row only is perfect
    check("perfect = 100 (%s)" % prof, run(one, at(400), prof)[2], 100.0)
    # a constant score is the null detector
    check("constant = 0 (%s)" % prof, run(one, np.full(1000, 0.5), prof)[2], 0.0)
    # a detector whose only detection is in probation scores the null
    check("probation ignored (%s)" % prof, run(one, at(10), prof)[2], 0.0)

# Firing everywhere: the window is caught on its first row, but 750 other
# rows are false positives.
raw = nab.score_at(one, np.ones(1000), 1.0, "standard")[0]["raw"]
fp_before = 250 * -0.11                      # rows 150-399, before any window
fp_after = 0.11 * float(nab.scaled_sigmoid(np.arange(1, 501) / 99.0).sum())
check("everywhere, raw", raw, 1.0 + fp_before + fp_after)
check("everywhere is negative", float(raw < -1.0), 1.0)
check("everywhere, normalised < 0", float(nab.normalised(raw, *one.null_perfect("standard")) < 0), 1.0)

# Halfway into the window: S(-(499 - 450 + 1) / 100) / S(-1).
half = float(S(-0.5)) / float(S(-1.0))
check("detection at mid-window", nab.score_at(one, at(450), 1.0, "standard")[0]["raw"], half)
# only the first detection in a window counts
check("first of two detections", nab.score_at(one, at(450, 480), 1.0, "standard")[0]["raw"], half)
# the window's last row is worth S(-1/100) / S(-1), close to 0 but positive
check("last row of the window", nab.score_at(one, at(499), 1.0, "standard")[0]["raw"],
      float(S(-0.01)) / float(S(-1.0)))
# a false positive just after the window: -1 (missed) + 0.11 * S(1/99)
check("FP right after the window", nab.score_at(one, at(500), 1.0, "standard")[0]["raw"],
      -1.0 + 0.11 * float(S(1 / 99.0)))
# far after the window (>= 3 widths): the full A_FP
check("FP far after the window", nab.score_at(one, at(900), 1.0, "reward_low_FP_rate")[0]["raw"],
      -1.0 - 0.22)
# before any window: the full A_FP
check("FP before the window", nab.score_at(one, at(200), 1.0, "standard")[0]["raw"], -1.11)
# reward_low_FN_rate charges a miss twice
check("miss under low-FN", nab.score_at(one, np.zeros(1000), 1.0, "reward_low_FN_rate")[0]["raw"], -2.0)

# The optimiser finds the threshold that keeps the window's detection and
# drops a false positive scored lower; with the false positive scored
# higher, it still takes both (0.86 - 0.11 > -1).
x = np.zeros(1000)
x[450], x[800] = 0.9, 0.5
th, raw, norm = run(one, x)
check("optimised threshold", th, 0.9)
check("optimised score", norm, 100.0 * (half + 1.0) / 2.0)
x[450], x[800] = 0.5, 0.9
th, raw, _ = run(one, x)
check("threshold taking both", th, 0.5)
check("score taking both", raw, half - 0.11)
# NaN scores (SQL NULL) are never detections
x = np.full(1000, np.nan)
x[400] = 1.0
check("NULL is no detection", run(one, x)[2], 100.0)

# Two series, one without a window: its false positives count, and the
# normalisation uses the corpus's windows only.
two = nab.Labels([(1000, [(400, 499)]), (2000, [])])
y = np.zeros(3000)
y[400] = 1.0
y[1000 + 1000] = 1.0         # a false positive in the clean series
check("two series, raw", nab.score_at(two, y, 1.0, "standard")[1]["raw"], -0.11)
th, raw, norm = run(two, y)
check("two series, normalised", norm, 100.0 * (1.0 - 0.11 + 1.0) / 2.0)

# The sweep agrees with scoring each threshold directly, on random scores
# over a corpus with several windows per series.
rng = np.random.default_rng(1)
lab = nab.Labels([(3000, [(600, 700), (1500, 1650), (2500, 2600)]), (1200, [(100, 300), (900, 999)]),
                  (2500, [])])
z = np.round(rng.random(lab.rows), 2)
z[rng.random(lab.rows) < 0.05] = np.nan
sw = nab.Sweep(lab, z)
worst = 0.0
for prof in nab.PROFILES:
    p = nab.PROFILES[prof]
    for j in sw.ends[::7]:
        t = sw.thresholds[j]
        direct = sum(r["raw"] for r in nab.score_at(lab, z, t, prof))
        swept = (-p["fn"] * lab.total_windows + p["tp"] * sw.cum_tp[j] + p["fn"] * sw.cum_first[j]
                 + p["fp"] * sw.cum_fp[j])
        worst = max(worst, abs(direct - swept))
check("sweep = direct scoring, largest difference", worst, 0.0, 1e-9)
check("window 100-300 of series 2 is scored from its first row (probation 180)",
      float(lab.scorable[3000 + 180] and not lab.scorable[3000 + 179]), 1.0)

print("%d failed" % failures)
sys.exit(1 if failures else 0)
