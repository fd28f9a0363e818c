#!/usr/bin/python3
"""Scores anomaly detectors written in SQL on the labelled corpus with NAB's
rules (issue 14), against a running server with logscore installed.

    PGHOST=... PGPORT=... /usr/bin/python3 test/bench/detect/evaluate.py
        every detector; writes test/bench/detect-results.md and detect.png
        (with --no-write: prints only)
    ... evaluate.py --detector detect [--detector zscore_w100 ...]
        those only, printed, nothing written (seconds)
    ... evaluate.py --sql 'logscore_detect(value, ts) OVER w'
        an expression over detect_points (series, kind, ts, value) with the
        window w = (PARTITION BY series ORDER BY ts); higher = more anomalous
    ... evaluate.py --query 'SELECT series, ts, ... AS score FROM ...'
        a whole query returning series, ts and score
    --timing       also time each detector (median of --rounds, µs per row)
    --per-series   also print each series' raw score and counts
    --plot FILE    also draw the chosen detectors' scores and detections on
                   a few series (as detect.png)
    --reload       reload the corpus even when the table holds it already

The corpus is generated (corpus.py) and loaded into detect_points and
detect_series when the table is missing or holds another corpus (its
fingerprint is the table's comment).  psql is the client: PSQL=/path/to/psql
to pick one, and the usual PG* variables to reach the server.
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import corpus as corpus_mod  # noqa: E402
import nab  # noqa: E402

WINDOW = "WINDOW w AS (PARTITION BY series ORDER BY ts)"

# The detectors: name -> (what it is, the query).  Each query returns
# (series, ts, score), higher = more anomalous; NULL is no detection.
DETECTORS = {}


def detector(name, what, query):
    DETECTORS[name] = (what, " ".join(query.split()))


detector("zscore_w100",
         "abs(logscore_zscore) over the 100 rows before each (a user's first pick)",
         """SELECT series, ts, abs(logscore_zscore(value) OVER (PARTITION BY series ORDER BY ts
            ROWS BETWEEN 100 PRECEDING AND CURRENT ROW)) AS score FROM detect_points""")
detector("zscore_w6400",
         "abs(logscore_zscore) over the 6,400 rows before each (NAB's windowedGaussian window)",
         """SELECT series, ts, abs(logscore_zscore(value) OVER (PARTITION BY series ORDER BY ts
            ROWS BETWEEN 6400 PRECEDING AND CURRENT ROW)) AS score FROM detect_points""")
detector("robust_w100",
         "abs(logscore_robust_zscore) over the 100 rows before each",
         """SELECT series, ts, abs(logscore_robust_zscore(value) OVER (PARTITION BY series ORDER BY ts
            ROWS BETWEEN 100 PRECEDING AND CURRENT ROW)) AS score FROM detect_points""")
detector("ewm_z",
         "abs(logscore_anomaly) against logscore_ewm of all earlier rows, half-life 100 rows' time",
         """SELECT p.series, p.ts, abs(logscore_anomaly(p.value, baseline => logscore_ewm(p.value, p.ts, s.step * 100)
            OVER (PARTITION BY p.series ORDER BY p.ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)))
            AS score FROM detect_points p JOIN detect_series s USING (series)""")
detector("rank_combo",
         "the larger of two ranks among the series' earlier values of the same (a running logscore_sketch "
         "+ logscore_rank): of |z| (W=100), and of |logscore_anomaly| against the same hour of day's earlier values",
         """SELECT series, ts, greatest(
              logscore_rank(logscore_sketch(az) OVER past, az),
              logscore_rank(logscore_sketch(ah) OVER past, ah)) AS score
            FROM (SELECT series, ts, az, abs(logscore_anomaly(value, logscore_sketch(value) OVER (
                    PARTITION BY series, extract(hour FROM ts) ORDER BY ts
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))) AS ah
                  FROM (SELECT series, ts, value, abs(logscore_zscore(value) OVER (PARTITION BY series ORDER BY ts
                          ROWS BETWEEN 100 PRECEDING AND CURRENT ROW)) AS az FROM detect_points) z) h
            WINDOW past AS (PARTITION BY series ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)""")
detector("detect",
         "logscore_detect(value, ts) over a running frame, defaults (issue 14)",
         """SELECT series, ts, logscore_detect(value, ts) OVER (PARTITION BY series ORDER BY ts)
            AS score FROM detect_points""")
# what every detector pays before it scores anything: the scan and the sort
# by series and ts (timed, not scored)
FLOOR = ("floor", "value + 0 * row_number() over the same partitions: the scan, the order and the "
         "window every detector pays",
         "SELECT series, ts, value + 0 * row_number() OVER (PARTITION BY series ORDER BY ts) AS score "
         "FROM detect_points")
REQUIRES = {"detect": "logscore_detect(double precision, timestamp with time zone)"}
BASELINES = [n for n in DETECTORS if n != "detect"]


class DB:
    def __init__(self, psql):
        self.psql = psql

    def run(self, sql, stdin=None, args=()):
        p = subprocess.run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", *args, "-c", sql],
                           input=stdin, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip())
        return p.stdout

    def value(self, sql):
        return self.run(sql).strip()

    def script(self, text):
        p = subprocess.run([self.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], input=text,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip())
        return p.stdout


def load(db, corpus, fp, force):
    have = db.value("SELECT obj_description(to_regclass('detect_points'), 'pg_class')")
    if have == "corpus " + fp and not force:
        return False
    t0 = time.time()
    db.script("""
DROP TABLE IF EXISTS detect_points, detect_series;
CREATE TABLE detect_points (series text, kind text, ts timestamptz, value float8);
CREATE TABLE detect_series (series text PRIMARY KEY, kind text, step interval, rows int, anomalies int);
""")
    import io
    buf = io.StringIO()
    corpus_mod.write_csv(corpus, buf)
    db.run("COPY detect_points FROM STDIN WITH (FORMAT csv)", stdin=buf.getvalue())
    rows = "".join("%s,%s,%d seconds,%d,%d\n" % (s.name, s.kind, s.interval, len(s), len(s.anomalies))
                   for s in corpus)
    db.run("COPY detect_series FROM STDIN WITH (FORMAT csv)", stdin=rows)
    db.script("""
CREATE INDEX ON detect_points (series, ts);
VACUUM ANALYZE detect_points;
ANALYZE detect_series;
COMMENT ON TABLE detect_points IS 'corpus %s';
""" % fp)
    got = int(db.value("SELECT count(*) FROM detect_points"))
    want = sum(len(s) for s in corpus)
    if got != want:
        raise RuntimeError("loaded %d rows, not %d" % (got, want))
    print("loaded the corpus: %d series, %d rows (%.1f s)" % (len(corpus), got, time.time() - t0),
          file=sys.stderr)
    return True


def fetch_scores(db, query, corpus):
    """One array of scores over the corpus's rows, in corpus order; NULL and
    NaN are NaN (no detection)."""
    out = db.run("SELECT series, array_to_string(array_agg(coalesce(score::float8, 'NaN') ORDER BY ts), ',') "
                 "FROM (%s) d GROUP BY series" % query)
    got = {}
    for line in out.splitlines():
        name, _, arr = line.partition("|")
        got[name] = np.array([float(x) for x in arr.split(",")]) if arr else np.array([])
    parts = []
    for s in corpus:
        a = got.get(s.name)
        if a is None or len(a) != len(s):
            raise RuntimeError("series %s: %s scores for %d rows" % (s.name, "no" if a is None else len(a), len(s)))
        parts.append(a)
    scores = np.concatenate(parts)
    scores[np.isinf(scores) & (scores < 0)] = np.nan
    return scores


def time_queries(db, named, rounds):
    """Median time of SELECT count(score) FROM (query), per name, all in one
    session, interleaved, after a warm-up round; serial, JIT off."""
    lines = ["SET max_parallel_workers_per_gather = 0;", "SET jit = off;", "\\timing on"]
    for r in range(rounds + 1):
        for name, q in named:
            lines.append("\\echo @@ %d %s" % (r, name))
            lines.append("SELECT count(score) FROM (%s) d;" % q)
    out = db.script("\n".join(lines) + "\n")
    times = {name: [] for name, _ in named}
    cur = None
    for line in out.splitlines():
        if line.startswith("@@ "):
            _, r, name = line.split()
            cur = (int(r), name)
        elif line.startswith("Time: ") and cur:
            if cur[0] > 0:
                times[cur[1]].append(float(line.split()[1]))
            cur = None
    return {name: statistics.median(v) for name, v in times.items()}


def evaluate(labels, corpus, scores):
    """Thresholds, raw and normalised scores, per profile; per kind and per
    series at the standard threshold."""
    sweep = nab.Sweep(labels, scores)
    res = {"profiles": {}, "kinds": {}, "series": None}
    for prof in nab.PROFILES:
        th, raw = sweep.best(prof)
        null, perfect = labels.null_perfect(prof)
        res["profiles"][prof] = {"threshold": th, "raw": raw, "score": nab.normalised(raw, null, perfect)}
    th = res["profiles"]["standard"]["threshold"]
    per = nab.score_at(labels, scores, th, "standard")
    res["series"] = per
    for kind in dict.fromkeys(s.kind for s in corpus):
        mask = [s.kind == kind for s in corpus]
        null, perfect = labels.null_perfect("standard", mask)
        raw = sum(p["raw"] for p, m in zip(per, mask) if m)
        res["kinds"][kind] = nab.normalised(raw, null, perfect) if perfect > null else float("nan")
    res["detections"] = int(np.sum(scores[labels.scorable] >= th)) if math.isfinite(th) else 0
    res["nulls"] = int(np.isnan(scores).sum())
    # how wild the scores of ordinary rows get (issue 14: robust z-scores
    # in the hundreds of thousands where quartiles collapse)
    out = scores[labels.scorable & (labels.window < 0) & ~np.isnan(scores)]
    res["outside_max"] = float(out.max()) if len(out) else float("nan")
    res["outside_ge1000"] = int((out >= 1000).sum())
    return res


def print_results(corpus, results, order, per_series=False):
    profs = list(nab.PROFILES)
    print("%-14s %9s %9s %9s  %11s %8s %8s" % ("detector", "standard", "low_FP", "low_FN",
                                                 "threshold", "detects", "NULLs"))
    for name in order:
        r = results[name]
        if r.get("error"):
            print("%-14s %s" % (name, r["error"]))
            continue
        p = r["profiles"]
        print("%-14s %9.1f %9.1f %9.1f  %11.4g %8d %8d" % (
            name, p[profs[0]]["score"], p[profs[1]]["score"], p[profs[2]]["score"],
            p["standard"]["threshold"], r["detections"], r["nulls"]))
    kinds = list(dict.fromkeys(s.kind for s in corpus))
    ok = [n for n in order if not results[n].get("error")]
    if not ok:
        return
    print("\nstandard profile, per kind (at the corpus-wide threshold):")
    print("%-14s" % "kind" + "".join("%13s" % n[:12] for n in ok))
    for k in kinds:
        print("%-14s" % k + "".join("%13.1f" % results[n]["kinds"][k] for n in ok))
    if per_series:
        for n in ok:
            print("\n%s, standard profile, per series:" % n)
            for s, p in zip(corpus, results[n]["series"]):
                print("  %-24s raw %7.3f  tp %d  fn %d  fp %d" % (s.name, p["raw"], p["tp"], p["fn"], p["fp"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--detector", action="append", default=[], help="a detector by name: %s" % ", ".join(DETECTORS))
    ap.add_argument("--sql", help="a score expression over detect_points; WINDOW w is defined")
    ap.add_argument("--query", help="a query returning series, ts, score")
    ap.add_argument("--name", default="custom", help="the name --sql or --query prints under")
    ap.add_argument("--timing", action="store_true", help="time the detectors (always on a full run)")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds after a warm-up (3)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..")),
                    help="where detect-results.md and detect.png go (test/bench)")
    ap.add_argument("--command", default=None, help="the command line the report names")
    ap.add_argument("--per-series", action="store_true")
    ap.add_argument("--plot", metavar="FILE", help="draw the chosen detectors on a few series into FILE (PNG)")
    ap.add_argument("--reload", action="store_true")
    a = ap.parse_args()

    db = DB(os.environ.get("PSQL", "psql"))
    t0 = time.time()
    corpus = corpus_mod.make_corpus()
    fp = corpus_mod.fingerprint(corpus)
    labels = nab.Labels([(len(s), s.windows) for s in corpus])
    load(db, corpus, fp, a.reload)

    chosen = []
    for n in a.detector:
        if n not in DETECTORS:
            ap.error("no detector %s (there are: %s)" % (n, ", ".join(DETECTORS)))
        chosen.append((n, DETECTORS[n][1]))
    if a.sql:
        chosen.append((a.name, "SELECT series, ts, (%s) AS score FROM detect_points %s" % (a.sql, WINDOW)))
    if a.query:
        chosen.append((a.name, a.query))
    full = not chosen
    if full:
        chosen = [(n, q) for n, (_, q) in DETECTORS.items()]
    write = full and not a.no_write

    results, skipped = {}, {}
    for name, q in chosen:
        req = REQUIRES.get(name)
        if req and db.value("SELECT to_regprocedure('%s') IS NULL" % req) == "t":
            skipped[name] = "%s does not exist in this server" % req.split("(")[0]
            print("%s: skipped, %s" % (name, skipped[name]), file=sys.stderr)
            continue
        t1 = time.time()
        try:
            scores = fetch_scores(db, q, corpus)
        except RuntimeError as e:
            results[name] = {"error": "error: " + str(e).replace("\n", " ")}
            print("%s: %s" % (name, results[name]["error"]), file=sys.stderr)
            continue
        t2 = time.time()
        results[name] = evaluate(labels, corpus, scores)
        results[name]["scores"] = scores
        print("%s: scored in %.1f s, evaluated in %.1f s" % (name, t2 - t1, time.time() - t2), file=sys.stderr)
    order = [n for n, _ in chosen if n in results]

    timing = None
    if (full or a.timing) and order:
        named = [(n, q) for n, q in chosen if n in results and not results[n].get("error")]
        named.append((FLOOR[0], FLOOR[2]))
        t1 = time.time()
        ms = time_queries(db, named, a.rounds)
        timing = {n: ms[n] * 1000.0 / labels.rows for n in ms}
        print("timed %d queries x %d rounds in %.0f s" % (len(named), a.rounds + 1, time.time() - t1),
              file=sys.stderr)

    print_results(corpus, results, order, a.per_series)
    if timing:
        print("\nµs per row (median of %d, serial, JIT off):" % a.rounds)
        for n, us in timing.items():
            print("  %-14s %6.2f  (%.2f above the floor)" % (n, us, us - timing["floor"]))
    for n, why in skipped.items():
        print("%s: skipped, %s" % (n, why))
    print("(%.1f s in all)" % (time.time() - t0), file=sys.stderr)

    if a.plot:
        import report
        report.picture(a.plot, corpus, labels, results, [n for n in order if not results[n].get("error")])
        print("wrote %s" % a.plot, file=sys.stderr)
    if write:
        import report
        facts = {
            "command": a.command or "PGHOST=... PGPORT=... /usr/bin/python3 test/bench/detect/evaluate.py",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "server": db.value("SELECT version()"),
            "logscore": db.value("SELECT extversion FROM pg_extension WHERE extname = 'logscore'"),
            "git": os.environ.get("LS_BENCH_GIT", "?"),
            "fingerprint": fp,
            "load": " ".join(open("/proc/loadavg").read().split()[:3]),
            "cpu": os.environ.get("LS_BENCH_CPU", "?"),
            "rounds": a.rounds,
        }
        report.write(a.out, corpus, labels, results, order, skipped, timing, DETECTORS, FLOOR, facts)
    bad = [n for n in order if results[n].get("error")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
