"""The NAB score (Lavin & Ahmad 2015), as numenta/NAB's sweeper computes it.

Written from the published rules and NAB's nab/sweeper.py, nab/optimizer.py
and config/profiles.json (read, not copied):

- The first min(floor(15% of the rows), 750) rows of a series are its
  probationary period: not scored at all (NAB's getProbationPeriod caps
  15% at 15% of 5,000 rows).
- A detection is a row whose score is >= the threshold.
- Inside a labelled window of width w (rows), the row at index i (the
  window's last row being r) is worth A_TP * S(-(r - i + 1) / w) / S(-1),
  S(x) = 2 / (1 + e^(5x)) - 1: the window's first row is worth A_TP, its
  last ~0.  Only the window's best, i.e. first, detection counts; a window
  without one costs A_FN.
- Outside a window a detection costs A_FP * S(d / (w_prev - 1)), d its
  distance in rows after the end of the preceding window of width w_prev
  (S is -1 from 3 on), or A_FP in full before the first window.
- Profiles (A_TP, A_FP, A_FN): standard (1, 0.11, 1), reward_low_FP_rate
  (1, 0.22, 1), reward_low_FN_rate (1, 0.11, 2).
- One threshold per detector and profile, the one that maximises the raw
  score summed over the whole corpus; every distinct score is tried.
- Normalised: 100 * (raw - null) / (perfect - null), null being the best a
  constant score does (no detection at all: -A_FN per window) and perfect
  A_TP per window (every window caught on its first scored row).
"""

import math

import numpy as np

PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATION_FRACTION = 0.15


def probation_rows(n):
    return min(math.floor(PROBATION_FRACTION * n), PROBATION_FRACTION * 5000)


def scaled_sigmoid(x):
    x = np.asarray(x, float)
    with np.errstate(over="ignore"):
        s = 2.0 / (1.0 + np.exp(5.0 * x)) - 1.0
    return np.where(x >= 3.0, -1.0, s)


MAX_TP = float(scaled_sigmoid(-1.0))


class Labels:
    """The scoring geometry of a corpus, independent of any detector.

    series: a list of (n_rows, windows), windows as (first, last) row
    indices, in order.  Rows are the concatenation of the series' rows in
    that order; a detector's scores come as one array over them."""

    def __init__(self, series):
        win, u, sid, scorable = [], [], [], []
        self.n_windows = []     # per series: windows with a scored row
        self.offsets = [0]
        wid = 0
        for si, (n, windows) in enumerate(series):
            prob = probation_rows(n)
            w_of = np.full(n, -1, np.int64)
            val = np.full(n, -1.0)           # before any window: -1
            prev_end, prev_w = None, None
            idx = np.arange(n)
            counted = 0
            bounds = list(windows) + [(n, n)]
            for (lo, hi), (nlo, _) in zip(bounds[:-1], bounds[1:]):
                w = hi - lo + 1
                inside = slice(lo, hi + 1)
                if (idx[inside] >= prob).any():
                    w_of[inside] = wid
                    wid += 1
                    counted += 1
                else:
                    w_of[inside] = -2        # wholly probationary: never scored
                val[inside] = scaled_sigmoid(-(hi - idx[inside] + 1) / w) / MAX_TP
                after = slice(hi + 1, nlo)
                val[after] = scaled_sigmoid(np.abs(idx[after] - hi) / float(w - 1)) if w > 1 else -1.0
            keep = idx >= prob
            win.append(w_of)
            u.append(val)
            sid.append(np.full(n, si, np.int64))
            scorable.append(keep & (w_of != -2))
            self.n_windows.append(counted)
            self.offsets.append(self.offsets[-1] + n)
        self.window = np.concatenate(win)
        self.u = np.concatenate(u)
        self.series = np.concatenate(sid)
        self.scorable = np.concatenate(scorable)
        self.total_windows = int(sum(self.n_windows))
        self.rows = self.offsets[-1]

    def null_perfect(self, profile, series_mask=None):
        p = PROFILES[profile]
        w = self.total_windows if series_mask is None else int(
            sum(n for n, m in zip(self.n_windows, series_mask) if m))
        return -p["fn"] * w, p["tp"] * w


class Sweep:
    """Every threshold's raw score for one detector's scores, in one pass
    (as NAB's sweeper: rows sorted by score, highest first, each one
    turning into a detection in turn)."""

    def __init__(self, labels, scores):
        scores = np.asarray(scores, float)
        if scores.shape != (labels.rows,):
            raise ValueError("%d scores for %d rows" % (scores.shape[0], labels.rows))
        keep = labels.scorable & ~np.isnan(scores)
        s = scores[keep]
        w = labels.window[keep]
        u = labels.u[keep]
        order = np.argsort(-s, kind="stable")
        s, w, u = s[order], w[order], u[order]
        m = len(s)
        tp_part = np.zeros(m)       # times A_TP
        first = np.zeros(m)         # times A_FN (a window's first detection)
        fp_part = np.where(w < 0, u, 0.0)   # times A_FP
        inw = np.flatnonzero(w >= 0)
        if len(inw):
            # running best of each window, in sort order: sort the window
            # rows by (window, position), a cumulative max with an offset
            # per window so that each window starts afresh
            g = inw[np.lexsort((inw, w[inw]))]
            gw = w[g]
            big = 4.0 * gw
            cm = np.maximum.accumulate(u[g] + big) - big
            starts = np.r_[True, gw[1:] != gw[:-1]]
            prev = np.r_[0.0, cm[:-1]]
            tp_part[g] = np.where(starts, cm, cm - prev)
            first[g] = starts
        self.thresholds = s
        self.cum_tp = np.cumsum(tp_part)
        self.cum_first = np.cumsum(first)
        self.cum_fp = np.cumsum(fp_part)
        # the last row of each run of equal scores: a threshold takes them all
        self.ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True]) if m else np.array([], np.int64)
        self.labels = labels

    def best(self, profile):
        """(threshold, raw score): the corpus-wide optimum; +inf means
        no detection at all.  Ties go to the higher threshold."""
        p = PROFILES[profile]
        base = -p["fn"] * self.labels.total_windows
        e = self.ends
        raw = base + p["tp"] * self.cum_tp[e] + p["fn"] * self.cum_first[e] + p["fp"] * self.cum_fp[e]
        if len(raw) == 0 or raw.max() <= base:
            return math.inf, base
        j = int(np.argmax(raw))
        return float(self.thresholds[e[j]]), float(raw[j])


def score_at(labels, scores, threshold, profile):
    """Per series at one threshold, directly (no sweep): a list of dicts
    with raw, tp (windows caught), fn (windows missed), fp (detections
    outside windows).  The test checks it against Sweep."""
    p = PROFILES[profile]
    scores = np.asarray(scores, float)
    with np.errstate(invalid="ignore"):
        det = (scores >= threshold) & labels.scorable
    out = []
    for si in range(len(labels.n_windows)):
        a, b = labels.offsets[si], labels.offsets[si + 1]
        d, w, u = det[a:b], labels.window[a:b], labels.u[a:b]
        raw, tp, fn = 0.0, 0, 0
        for wid in np.unique(w[w >= 0]):
            hit = np.flatnonzero(d & (w == wid))
            if len(hit):
                raw += p["tp"] * u[hit[0]]
                tp += 1
            else:
                raw -= p["fn"]
                fn += 1
        fpm = d & (w < 0)
        raw += p["fp"] * u[fpm].sum()
        out.append({"raw": raw, "tp": tp, "fn": fn, "fp": int(fpm.sum())})
    return out


def normalised(raw, null, perfect):
    return 100.0 * (raw - null) / (perfect - null)
