"""Writes test/bench/detect-results.md and detect.png from evaluate.py's
results (called by it; not run on its own)."""

import math
import os

import numpy as np

import nab

PROFILE_NAMES = list(nab.PROFILES)
# series the picture shows: one of each kind where detectors differ most
PICTURE = ["spike_1_1min", "level_shift_2_1min", "drift_2_5min", "pattern_break_2_1min",
           "near_constant_2_5min", "counter_1_1min"]


def fmt(x):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else "%.1f" % x


def write(out, corpus, labels, results, order, skipped, timing, detectors, floor, facts):
    ok = [n for n in order if not results[n].get("error")]
    base = [n for n in ok if n != "detect"]
    kinds = list(dict.fromkeys(s.kind for s in corpus))
    L = []
    L.append("# Detection benchmark: NAB scores on the generated corpus (issue 14)")
    L.append("")
    L.append("Written by `test/bench/detect/evaluate.py`; do not edit.  How to run it, what the "
             "corpus and the scorer are: [detect/README.md](detect/README.md).")
    L.append("")
    L.append("- Command: `%s`" % facts["command"])
    L.append("- Date: %s; git %s; logscore %s; %s" % (facts["date"], facts["git"], facts["logscore"],
                                                       facts["server"].split(" on ")[0]))
    L.append("- Corpus: %d series, %d rows, %d labelled windows, %d series without any; fingerprint `%s`" % (
        len(corpus), labels.rows, labels.total_windows, sum(1 for s in corpus if not s.windows), facts["fingerprint"]))
    L.append("- Machine: %s, shared with other work (load %s at the end): the µs/row are "
             "side-by-side ratios of one run, not absolute figures" % (facts["cpu"], facts["load"]))
    L.append("")
    L.append("## Overall")
    L.append("")
    L.append("NAB score, normalised: 100 is every window caught on its first row with no false "
             "positive, 0 is a detector that never fires.  One threshold per detector and profile, "
             "optimised over the whole corpus.")
    L.append("")
    L.append("| detector | standard | reward_low_FP_rate | reward_low_FN_rate | threshold (standard) "
             "| detections | NULL scores | µs/row | µs/row above the floor |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in order:
        r = results[n]
        if r.get("error"):
            L.append("| %s | %s | | | | | | | |" % (n, r["error"].replace("|", "\\|")))
            continue
        p = r["profiles"]
        us = timing.get(n) if timing else None
        L.append("| %s | %s | %s | %s | %.4g | %d | %d | %s | %s |" % (
            n, fmt(p["standard"]["score"]), fmt(p["reward_low_FP_rate"]["score"]),
            fmt(p["reward_low_FN_rate"]["score"]), p["standard"]["threshold"], r["detections"], r["nulls"],
            "%.2f" % us if us is not None else "—",
            "%.2f" % (us - timing["floor"]) if us is not None else "—"))
    for n, why in skipped.items():
        L.append("| %s | skipped: %s | | | | | | | |" % (n, why))
    if timing:
        L.append("| floor | | | | | | | %.2f | 0 |" % timing["floor"])
    L.append("")
    if timing:
        L.append("µs/row: `SELECT count(score) FROM (<detector's query>) d` over the %d rows, serial, JIT "
                 "off, one psql session, the detectors interleaved, the median of %d rounds after a "
                 "warm-up (count(score), not count(*), so that the planner cannot drop the score). "
                 "The floor is `value + 0 * row_number()` over the same partitions: the scan, the order "
                 "and the window every detector pays; a detector a little below it is within the noise "
                 "of the shared machine." % (labels.rows, facts["rounds"]))
        L.append("")
    L.append("Scores of ordinary rows (scored, outside every window): the largest, and how many "
             "reach 1,000.  Mapping such a z to a probability the textbook way fails: in PostgreSQL "
             "`exp(-z*z/2)` raises 22003 \"value out of range: underflow\" from |z| = 38.7 on.")
    L.append("")
    L.append("| detector | largest score outside windows | rows ≥ 1,000 outside windows |")
    L.append("|---|---:|---:|")
    for n in ok:
        L.append("| %s | %.4g | %d |" % (n, results[n]["outside_max"], results[n]["outside_ge1000"]))
    L.append("")
    L.append("## Per kind (standard profile)")
    L.append("")
    L.append("Each kind's windows and false positives at the detector's corpus-wide threshold, "
             "normalised over that kind's windows alone.%s" % (
                 "  Margin: logscore_detect minus the best baseline of the kind." if "detect" in ok else ""))
    L.append("")
    head = "| kind | series | windows | " + " | ".join(ok) + (" | margin |" if "detect" in ok else " |")
    L.append(head)
    L.append("|---|---:|---:|" + "---:|" * len(ok) + ("---:|" if "detect" in ok else ""))
    for k in kinds:
        ss = [s for s in corpus if s.kind == k]
        nw = sum(labels.n_windows[i] for i, s in enumerate(corpus) if s.kind == k)
        cells = [fmt(results[n]["kinds"][k]) for n in ok]
        row = "| %s | %d | %d | %s |" % (k, len(ss), nw, " | ".join(cells))
        if "detect" in ok:
            best = max(results[n]["kinds"][k] for n in base) if base else float("nan")
            row += " %s |" % fmt(results["detect"]["kinds"][k] - best)
        L.append(row)
    L.append("")
    L.append("## The detectors")
    L.append("")
    for n in order + list(skipped):
        what, q = detectors[n]
        L.append("- **%s**: %s.  `%s`" % (n, what, q))
    L.append("- **%s**: %s.  `%s`" % floor)
    L.append("")
    L.append("## The corpus")
    L.append("")
    L.append("| series | kind | rows | step | anomalies | what the anomalies are |")
    L.append("|---|---|---:|---:|---:|---|")
    for s in corpus:
        L.append("| %s | %s | %d | %s | %d | %s |" % (s.name, s.kind, len(s),
                 {60: "1 min", 300: "5 min", 3600: "1 h"}[s.interval], len(s.anomalies),
                 s.note if s.anomalies else "none: false positives only"))
    L.append("")
    L.append("![a few series, their scores and detections](detect.png)")
    L.append("")
    os.makedirs(out, exist_ok=True)
    md = os.path.join(out, "detect-results.md")
    with open(md, "w") as f:
        f.write("\n".join(L))
    picture(os.path.join(out, "detect.png"), corpus, labels, results, ok)
    print("wrote %s and detect.png" % md)


def picture(path, corpus, labels, results, ok):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in PICTURE if any(s.name == n for s in corpus)]
    fig, axs = plt.subplots(2 * len(names), 1, figsize=(13, 3.6 * len(names)),
                            gridspec_kw={"height_ratios": [3, 0.25 * max(len(ok), 1)] * len(names)})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, name in enumerate(names):
        ax, hm = axs[2 * k], axs[2 * k + 1]
        si = [s.name for s in corpus].index(name)
        s = corpus[si]
        a, b = labels.offsets[si], labels.offsets[si + 1]
        x = np.arange(len(s))
        ax.plot(x, s.values, lw=0.5, color="0.3")
        prob = nab.probation_rows(len(s))
        for axx in (ax, hm):
            for lo, hi in s.windows:
                axx.axvspan(lo, hi, color="tab:red", alpha=0.15, lw=0)
            axx.axvspan(0, prob, color="0.85", alpha=0.5, lw=0)
            axx.set_xlim(0, len(s) - 1)
        ax.set_title("%s (%s, %d rows): values, labelled windows (red), probation (grey), and each "
                     "detector's detections at its standard-profile threshold (ticks below)" % (
                         s.name, s.kind, len(s)), fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
        ax.set_xticklabels([])
        lo_v, hi_v = np.nanmin(s.values), np.nanmax(s.values)
        span = (hi_v - lo_v) or 1.0
        step = 0.1 * span
        ax.set_ylim(lo_v - step * (len(ok) + 0.5), hi_v + 0.05 * span)
        heat = np.full((len(ok), len(s)), np.nan)
        for j, n in enumerate(ok):
            sc = results[n]["scores"]
            allv = np.sort(sc[labels.scorable & ~np.isnan(sc)])
            mine = sc[a:b]
            good = ~np.isnan(mine)
            heat[j, good] = np.searchsorted(allv, mine[good], side="right") / max(len(allv), 1)
            th = results[n]["profiles"]["standard"]["threshold"]
            d = np.array([], int)
            if math.isfinite(th):
                with np.errstate(invalid="ignore"):
                    d = np.flatnonzero((mine >= th) & labels.scorable[a:b])
            ax.plot(d, np.full(len(d), lo_v - step * (j + 0.5)), "|", ms=6,
                    color=colors[j % len(colors)], label="%s (%d)" % (n, len(d)))
        ax.legend(loc="upper left", fontsize=6, ncol=len(ok), framealpha=0.8)
        hm.imshow(heat ** 8, aspect="auto", interpolation="nearest", cmap="magma", vmin=0, vmax=1,
                  extent=(0, len(s) - 1, len(ok) - 0.5, -0.5))
        hm.set_yticks(range(len(ok)))
        hm.set_yticklabels(ok, fontsize=6)
        hm.tick_params(axis="x", labelsize=7)
        if k == 0:
            hm.set_title("scores as percentiles of the detector's scores over the corpus, to the "
                         "8th power (bright: the top few percent; blank: NULL)", fontsize=7, loc="left")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
