#!/usr/bin/env python3
"""test/bench/soak/report.py: the soak's results, from the runs' raw files.

  report.py collect META RUN_DIR...  > soak-results.json
  report.py render soak-results.json soak-results.md soak.png

collect reads what test/bench/soak.sh left in each run's folder (meta.tsv,
ship-N.tsv, samples.tsv, pgbench.*, notify.tsv, alerts.tsv, checks.tsv,
cron.tsv, statements.tsv, server.log) and writes one JSON file: the figures,
the checks' verdicts and the per-second series the chart needs.  render
turns that file into the Markdown report and the PNG, so either can be
reworded without running the soak again.  Every figure and verdict is
computed here; nothing is typed in.

Definitions, the same everywhere:
- events/s: rows whose COPY committed in that second, summed over writers;
  sustained events/minute: all rows committed / the writers' seconds x 60,
  and the worst whole minute (a sliding 60 s window) beside it;
- rollup lag: now - the watermark of the rollup's last committed run
  (logscore_rollup_health.lag), sampled every second;
- dashboard latency: pgbench's per-query time, without the schedule lag;
- alert latency: the incident's start (wall clock) -> the first NOTIFY for
  the incident's service with a level other than ok, as the listener
  received it.
"""
import glob
import json
import os
import re
import statistics
import sys

TARGETS = {
    "events_per_minute": 15_000_000,
    "lag_p99_s": 75,
    "dashboard_p99_ms": 50,
    "alert_latency_s": 180,
}
CLASS_LABELS = {
    "writers": "writers (ship clients)",
    "copy": "COPY backends",
    "cron": "pg_cron jobs (rollup, alerts, maintenance)",
    "background": "walwriter, checkpointer, bgwriter, autovacuum",
    "dashboard": "dashboards (pgbench + backends)",
    "other_run": "listener, sampler, harness",
    "machine_other": "rest of the machine (other work)",
}
MODES = {
    "main": "everything",
    "norollup": "without the sketch rollup (and alerts)",
    "scorerollup": "score in the rollup, not at ingest",
}


# --- collect -------------------------------------------------------------

def read_kv(path):
    kv = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                kv[k] = v
    return kv


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def quantile(xs, q):
    """percentile_disc: the first value whose cumulative fraction reaches q"""
    if not xs:
        return None
    xs = sorted(xs)
    i = max(0, min(len(xs) - 1, int(-(-q * len(xs) // 1)) - 1))
    return xs[i]


def collect_run(d):
    meta = read_kv(os.path.join(d, "meta.tsv"))
    start = int(meta["start"])
    run = {"meta": meta}

    # the writers: rows committed per second
    per_sec, total, writers = {}, 0, []
    for path in sorted(glob.glob(os.path.join(d, "ship-*.tsv"))):
        wtotal = None
        for row in read_tsv(path):
            if row[0].startswith("total"):
                wtotal = int(row[0].split()[1])
            else:
                per_sec[int(row[0])] = per_sec.get(int(row[0]), 0) + int(row[1])
        writers.append(wtotal)
        total += wtotal or 0
    secs = sorted(per_sec)
    # the first and last seconds are partial: the rate over whole seconds
    whole = secs[1:-1] if len(secs) > 2 else secs
    rates = [per_sec[s] for s in whole]
    windows = [sum(rates[i:i + 60]) for i in range(0, max(1, len(rates) - 59))]
    run["ingest"] = {
        "total": total,
        "writer_totals": writers,
        "seconds": len(whole),
        "events_per_minute": 60 * sum(rates) / len(rates) if rates else 0,
        "worst_minute": min(windows) if len(rates) >= 60 else None,
        "zero_seconds": sum(1 for r in rates if r == 0),
    }
    run["series"] = {"events_t": [s - start for s in secs], "events": [per_sec[s] for s in secs]}

    # the sampler
    rows = read_tsv(os.path.join(d, "samples.tsv"))
    head, rows = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    t = [float(r[col["epoch_s"]]) for r in rows]
    in_run = [i for i, x in enumerate(t) if start <= x <= start + int(meta["minutes"]) * 60]
    lag = [float(rows[i][col["lag_s"]]) for i in in_run if rows[i][col["lag_s"]]]
    wal = []
    for i in range(1, len(rows)):
        dt = t[i] - t[i - 1]
        wal.append((int(rows[i][col["wal_bytes"]]) - int(rows[i - 1][col["wal_bytes"]])) / dt if dt > 0 else 0)
    classes = [h for h in head[col["machine"] + 1:]]
    cpu = {c: statistics.mean(float(rows[i][col[c]]) for i in in_run) for c in classes + ["machine"]} if in_run else {}
    if cpu:
        cpu["machine_other"] = max(0.0, cpu["machine"] - sum(cpu[c] for c in classes))
    walr = [wal[i - 1] for i in in_run if i >= 1]
    seen = [int(r[col["partitions_seen"]]) for r in rows]
    now_parts = [int(r[col["partitions"]]) for r in rows]
    run["samples"] = {
        "lag_p50_s": quantile(lag, 0.5), "lag_p99_s": quantile(lag, 0.99), "lag_max_s": max(lag) if lag else None,
        "wal_bytes_per_s": statistics.mean(walr) if walr else None,
        "cpu_cores": cpu,
        "partitions_created": (seen[-1] - now_parts[0]) if seen else None,
        "partitions_dropped": (seen[-1] - now_parts[-1]) if seen else None,
        "db_bytes_max": max(int(r[col["db_bytes"]]) for r in rows) if rows else None,
        "wal_dir_bytes_max": max(int(r[col["wal_dir_bytes"]] or 0) for r in rows) if rows else None,
    }
    run["series"].update({
        "t": [round(x - start, 2) for x in t],
        "lag": [float(r[col["lag_s"]]) if r[col["lag_s"]] else None for r in rows],
        "wal": [0] + [round(x) for x in wal],
        "cpu": {c: [float(r[col[c]]) for r in rows] for c in classes + ["machine"]},
    })

    # the dashboards: pgbench's log, "client txn time script epoch epoch_us [lag]"
    names = ["hour", "day", "board"]
    q = []
    for path in glob.glob(os.path.join(d, "pgbench.*")):
        for r in read_tsv(path):
            f = r[0].split()
            lat_us = int(f[2]) - (int(f[6]) if len(f) > 6 else 0)
            q.append((int(f[4]) + int(f[5]) / 1e6 - start, int(f[3]), lat_us / 1000))
    q.sort()
    ms = [x[2] for x in q]
    run["dashboard"] = {"queries": len(q), "p50_ms": quantile(ms, 0.5), "p99_ms": quantile(ms, 0.99),
                        "max_ms": max(ms) if ms else None, "by_query": {}}
    for i, n in enumerate(names):
        sub = [x[2] for x in q if x[1] == i]
        run["dashboard"]["by_query"][n] = {"queries": len(sub), "p50_ms": quantile(sub, 0.5),
                                           "p99_ms": quantile(sub, 0.99)}
    # per 10 s, for the chart
    buckets = {}
    for t0, _, m in q:
        buckets.setdefault(int(t0 // 10) * 10, []).append(m)
    run["series"]["dash_t"] = sorted(buckets)
    run["series"]["dash_p50"] = [quantile(buckets[b], 0.5) for b in sorted(buckets)]
    run["series"]["dash_p99"] = [quantile(buckets[b], 0.99) for b in sorted(buckets)]

    # the NOTIFYs and the alerts table
    notes = []
    for r in read_tsv(os.path.join(d, "notify.tsv")):
        try:
            payload = json.loads(r[1])
        except (ValueError, IndexError):
            payload = None
        notes.append({"recv_s": int(r[0]) / 1e6 - start, "payload": payload, "raw": r[1] if len(r) > 1 else ""})
    run["notify"] = notes
    run["alerts"] = [dict(zip(["service", "bucket", "state", "z", "noticed"], r))
                     for r in read_tsv(os.path.join(d, "alerts.tsv"))]

    # pg_cron's runs, per job
    jobs = {}
    for r in read_tsv(os.path.join(d, "cron.tsv")):
        name, status, st, dur = r[0] or "?", r[1], float(r[2] or 0), float(r[3] or 0)
        msg = r[4] if len(r) > 4 else ""
        # the harness deactivates the jobs at the end: pg_cron cancels a run
        # that was waiting for its previous one; that is not a failure
        if st < start or (status == "failed" and msg == "job canceled"):
            continue
        j = jobs.setdefault(name, {"runs": 0, "failed": 0, "durations": [], "messages": [], "at": []})
        j["runs"] += 1
        j["at"].append([round(st - start, 1), round(dur, 1)])
        j["durations"].append(dur)
        if status != "succeeded":
            j["failed"] += 1
            if len(j["messages"]) < 3:
                j["messages"].append(msg or status)
    for j in jobs.values():
        d_ = j.pop("durations")
        j["mean_s"] = statistics.mean(d_) if d_ else None
        j["max_s"] = max(d_) if d_ else None
    run["cron"] = jobs

    waits = {}
    for cls, wait, n in read_tsv(os.path.join(d, "waits.tsv")):
        waits.setdefault(cls, {})[wait] = int(n)
    run["waits"] = waits

    checks = {r[0]: (int(r[1]), int(r[2])) for r in read_tsv(os.path.join(d, "checks.tsv"))}
    run["checks_raw"] = checks
    run["statements"] = [{"total_ms": float(r[0]), "calls": int(r[1]), "rows": int(r[2]),
                          "mean_ms": float(r[3]), "query": r[4] if len(r) > 4 else ""}
                         for r in read_tsv(os.path.join(d, "statements.tsv"))]
    log = open(os.path.join(d, "server.log"), encoding="utf-8", errors="replace").read() \
        if os.path.exists(os.path.join(d, "server.log")) else ""
    run["locks"] = lock_waits(log)
    run["locks"].update({
                    "errors": len(re.findall(r"^\S+ \S+ \S+ \[\d+\] ERROR:", log, re.M)) or log.count("ERROR:"),
                    "error_samples": sorted(set(re.findall(r"ERROR:\s+(.*)", log)))[:5]})
    perf = os.path.join(d, "perf-copy.txt")
    # by library, then the top symbols: one blank line between the two
    run["perf_copy"] = [" ".join(re.sub(r"(\s+-)+\s*$", "", x).split())
                        for x in open(perf, encoding="utf-8").read().splitlines()][:36] \
        if os.path.exists(perf) else []
    run["verdicts"] = verdicts(run)
    return run


def lock_waits(log):
    """the lock waits over deadlock_timeout (1 s) the server logged, by the
    mode waited for and the waiting statement: how many, and the longest"""
    waiting, by = {}, {}
    for line in log.splitlines():
        m = re.search(r"\[(\d+)\] (LOG|STATEMENT|CONTEXT):\s+(.*)", line)
        if not m:
            continue
        pid, kind, text = m.groups()
        w = re.match(r"process \d+ still waiting for (\w+) on", text)
        a = re.match(r"process \d+ acquired (\w+) on .* after ([0-9.]+) ms", text)
        if w:
            waiting[pid] = [w.group(1), None]
        elif kind in ("STATEMENT", "CONTEXT") and pid in waiting and waiting[pid][1] is None:
            waiting[pid][1] = " ".join(text.split())[:120]
        elif a and pid in waiting:
            mode, stmt = waiting.pop(pid)
            k = f"{mode}\t{stmt or '?'}"
            e = by.setdefault(k, [0, 0.0])
            e[0] += 1
            e[1] = max(e[1], float(a.group(2)))
    rows = [{"mode": k.split("\t")[0], "statement": k.split("\t")[1], "waits": v[0], "longest_ms": v[1]}
            for k, v in sorted(by.items(), key=lambda kv: -kv[1][1])]
    return {"waits_over_1s": sum(r["waits"] for r in rows),
            "longest_wait_ms": max((r["longest_ms"] for r in rows), default=None),
            "by_statement": rows}


def verdicts(run):
    m, mode = run["meta"], run["meta"]["mode"]
    v = []
    ing = run["ingest"]
    v.append(("every writer committed all it generated, exit 0",
              all(w is not None for w in ing["writer_totals"]) and ing["total"] > 0,
              f"{ing['total']:,} rows from {len(ing['writer_totals'])} writers"))
    if mode == "norollup":
        return v
    cells, differ = run["checks_raw"].get("cells", (0, -1))
    v.append(("rollup count = count(*) for every (service, minute) still in events",
              cells > 0 and differ == 0, f"{cells:,} (service, minute) cells, {differ} differ"))
    rt = run["checks_raw"].get("rollup_total", (0, 0))[0]
    v.append(("the rollup holds every event of the run, across partition drops",
              rt == ing["total"], f"{rt:,} in the rollup, {ing['total']:,} committed"))
    s = run["samples"]
    # with a retention of 4 one-minute partitions (and the page's lateness
    # of a minute) the first drop comes 5 to 7 minutes in: a shorter run can
    # show creations only
    if int(m["minutes"]) >= 8:
        v.append(("partitions were created and dropped during the run",
                  (s["partitions_created"] or 0) > 0 and (s["partitions_dropped"] or 0) > 0,
                  f"{s['partitions_created']} created, {s['partitions_dropped']} dropped"))
    failed = {k: j["failed"] for k, j in run["cron"].items() if j["failed"]}
    v.append(("no pg_cron job run failed", not failed,
              ", ".join(f"{k}: {n} failed" for k, n in failed.items()) or
              ", ".join(f"{k}: {j['runs']} runs" for k, j in sorted(run["cron"].items()))))
    if mode != "main":
        return v
    svc = m["incident_service"]

    def episodes(rows):
        n, prev = 0, "ok"
        for r in rows:
            if r["state"] != "ok" and prev == "ok":
                n += 1
            prev = r["state"]
        return n
    mine = [a for a in run["alerts"] if a["service"] == svc]
    others = [a for a in run["alerts"] if a["service"] != svc]
    v.append((f"exactly one alert episode, for {svc}", episodes(mine) == 1,
              f"{svc}: " + (", ".join(f"{a['state']} at {a['bucket'][11:16]}" for a in mine) or "none")))
    v.append(("no other alert", not others,
              ", ".join(sorted({a['service'] for a in others})) or "none"))
    got = [n for n in run["notify"] if n["payload"] and n["payload"].get("service") == svc
           and n["payload"].get("level") != "ok"]
    keys = {"service", "level", "z", "minute", "window"}
    bad = [n for n in run["notify"] if not n["payload"] or not keys <= set(n["payload"])]
    v.append((f"the alert reached the listener (NOTIFY on logscore_alerts, JSON {{{', '.join(sorted(keys))}}})",
              bool(got) and not bad and len(run["notify"]) == len(run["alerts"]),
              f"{len(run['notify'])} NOTIFYs for {len(run['alerts'])} alert rows"
              + (f", {len(bad)} malformed" if bad else "")))
    return v


def collect(meta_path, dirs):
    out = {"meta": read_kv(meta_path), "runs": {}}
    for d in dirs:
        r = collect_run(d)
        out["runs"][r["meta"]["mode"]] = r
    main = out["runs"].get("main")
    if main:
        svc, t0 = main["meta"]["incident_service"], main["meta"]["incident_start"]
        got = [n for n in main["notify"] if n["payload"] and n["payload"].get("service") == svc
               and n["payload"].get("level") != "ok"]
        main["alert_latency_s"] = (got[0]["recv_s"] - (int(t0) - int(main["meta"]["start"]))) if got and t0 else None
        main["incident"] = {"start_s": int(t0) - int(main["meta"]["start"]) if t0 else None,
                            "seconds": int(main["meta"]["incident_seconds"])}
    return out


# --- render --------------------------------------------------------------

def f_int(x):
    return "—" if x is None else f"{x:,.0f}"


def f_1(x):
    return "—" if x is None else f"{x:,.1f}"


def f_2(x):
    return "—" if x is None else f"{x:,.2f}"


def f_m(x):
    return "—" if x is None else f"{x / 1e6:,.1f}M"


def f_ratio(a, b):
    return "—" if not a or not b else f"{a / b:.2f}×"


def render_md(res, path):
    m, runs = res["meta"], res["runs"]
    main = runs.get("main")
    o = []
    o.append("# The continuous pipeline under load (soak)\n")
    o.append("Written by `test/bench/soak/report.py` from `soak-results.json`, which "
             "`bash test/bench/run.sh --soak` records; every figure below is computed "
             "from the runs, nothing is typed in.\n")
    o.append(f"- Date: {m.get('date', '?')}, git {m.get('git', '?')}, {m.get('run_seconds', '?')} s in all")
    o.append(f"- Command: `{m.get('command', '?')}`")
    o.append(f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory', '?')}; "
             f"{m.get('postgresql', '?')}, pg_cron {m.get('pg_cron', '?')}")
    o.append(f"- Deployment: the SQL blocks of `{m.get('page', '?')}`, run in page order, with the "
             f"soak's settings: {' '.join(m.get('knobs', '').split())}")
    o.append(f"- Server settings: {m.get('settings', '?')}")
    for mode, r in runs.items():
        rm = r["meta"]
        o.append(f"- Run `{mode}` ({MODES.get(mode, mode)}): {rm['minutes']} min, {rm['writers']} writers, "
                 f"{rm['readers']} dashboard readers; load average before {rm.get('load_before', '?')}, "
                 f"after {rm.get('load_after', '?')}")
    o.append("")
    if main:
        o.append("![events/s, rollup lag, dashboard latency, CPU and WAL over the run](soak.png)\n")
        ing, s, dash = main["ingest"], main["samples"], main["dashboard"]
        al = main.get("alert_latency_s")
        o.append("## Targets\n")
        o.append("Reported, not asserted: a loaded machine moves them.\n")
        o.append("| | target | measured | met |")
        o.append("|---|---|---|---|")

        def row(name, target, measured, ok):
            o.append(f"| {name} | {target} | {measured} | {'yes' if ok else 'no'} |")
        row("sustained ingest, everything running", f"≥ {f_m(TARGETS['events_per_minute'])} events/min",
            f"{f_m(ing['events_per_minute'])} events/min", ing["events_per_minute"] >= TARGETS["events_per_minute"])
        row("rollup lag p99", f"≤ {TARGETS['lag_p99_s']} s", f"{f_1(s['lag_p99_s'])} s",
            s["lag_p99_s"] is not None and s["lag_p99_s"] <= TARGETS["lag_p99_s"])
        row("dashboard query p99", f"≤ {TARGETS['dashboard_p99_ms']} ms", f"{f_1(dash['p99_ms'])} ms",
            dash["p99_ms"] is not None and dash["p99_ms"] <= TARGETS["dashboard_p99_ms"])
        row("alert latency (incident start → NOTIFY)", f"≤ {TARGETS['alert_latency_s']} s",
            f"{f_1(al)} s" if al is not None else "no alert", al is not None and al <= TARGETS["alert_latency_s"])
        o.append("")

        o.append("## Figures (run `main`)\n")
        o.append("| | |")
        o.append("|---|---|")
        o.append(f"| events committed | {f_int(ing['total'])} in {ing['seconds']} s |")
        o.append(f"| sustained ingest | {f_int(ing['events_per_minute'])} events/min "
                 f"({f_int(ing['events_per_minute'] / 60)} events/s) |")
        o.append(f"| worst whole minute | {f_int(ing['worst_minute'])} events |")
        o.append(f"| seconds with nothing committed | {ing['zero_seconds']} |")
        o.append(f"| rollup lag p50 / p99 / max | {f_1(s['lag_p50_s'])} / {f_1(s['lag_p99_s'])} / {f_1(s['lag_max_s'])} s |")
        o.append(f"| dashboard p50 / p99 / max | {f_2(dash['p50_ms'])} / {f_2(dash['p99_ms'])} / {f_2(dash['max_ms'])} ms "
                 f"({dash['queries']:,} queries) |")
        for n, d in dash["by_query"].items():
            o.append(f"| dashboard `{n}` p50 / p99 | {f_2(d['p50_ms'])} / {f_2(d['p99_ms'])} ms ({d['queries']:,}) |")
        inc = main.get("incident", {})
        o.append(f"| incident | {main['meta']['incident_service']} ×{main['meta']['incident_factor']} "
                 f"from +{inc.get('start_s')} s for {inc.get('seconds')} s |")
        o.append(f"| alert latency | {f_1(al)} s |")
        o.append(f"| WAL | {f_m(s['wal_bytes_per_s'])}B/s |")
        o.append(f"| CPU, whole machine | {f_2(s['cpu_cores'].get('machine'))} of {m.get('cores', '?')} cores |")
        o.append(f"| partitions created / dropped | {s['partitions_created']} / {s['partitions_dropped']} |")
        o.append(f"| disk: database / pg_wal at most | {f_m(s['db_bytes_max'])}B / {f_m(s['wal_dir_bytes_max'])}B |")
        o.append("")

        o.append("## Correctness\n")
        o.append("| run | check | result | detail |")
        o.append("|---|---|---|---|")
        for mode, r in runs.items():
            for name, ok, detail in r["verdicts"]:
                o.append(f"| {mode} | {name} | {'pass' if ok else 'FAIL'} | {detail} |")
        o.append("")

        o.append("## The ceiling, and what bounds it\n")
        cpu = s["cpu_cores"]
        o.append("Mean CPU over the run, in cores, by kind of process (from /proc every second; "
                 "pg_cron's job backends lose their last second):\n")
        o.append("| processes | " + " | ".join(runs) + " |")
        o.append("|---|" + "---|" * len(runs))
        for c, label in CLASS_LABELS.items():
            o.append(f"| {label} | " + " | ".join(f_2(r["samples"]["cpu_cores"].get(c)) for r in runs.values()) + " |")
        o.append("| **whole machine** | " + " | ".join(f_2(r["samples"]["cpu_cores"].get("machine"))
                                                    for r in runs.values()) + " |")
        o.append("")
        busy = cpu.get("machine", 0) / float(m.get("cores", 2) or 2)
        other = cpu.get("machine_other", 0)
        # what the COPY backends waited on: CPU (running or runnable), locks
        # (heavyweight or LWLock, WAL's included), I/O, or the client
        w = main.get("waits", {}).get("copy", {})
        wt = sum(w.values()) or 1
        share = {k: 100 * sum(n for e, n in w.items() if e.split(":")[0] == k) / wt
                 for k in ("CPU", "Lock", "LWLock", "IO", "Client", "IPC")}
        copy_waits = (f"The COPY backends, sampled every second, were on a core or waiting for one in "
                      f"{share['CPU']:.0f}% of the samples, waiting for a lock {share['Lock']:.0f}%, for an "
                      f"LWLock {share['LWLock']:.0f}%, for I/O {share['IO']:.0f}%, for their client "
                      f"{share['Client']:.0f}%. ") if w else ""
        o.append(copy_waits + f"The machine was {100 * busy:.0f}% busy in run `main`: the run's own processes took "
                 f"{f_2(cpu.get('machine', 0) - other)} cores (COPY backends {f_2(cpu.get('copy'))}, the writers' "
                 f"clients {f_2(cpu.get('writers'))}, pg_cron's jobs {f_2(cpu.get('cron'))}), other work on the "
                 f"machine {f_2(other)}. "
                 + ("CPU is what bounds ingest: the writers send as fast as the server takes rows, and the "
                    "cores are full" if busy >= 0.9 else
                    "The cores were not full: ingest is bounded elsewhere (see the lock waits and the "
                    "statements below)")
                 + (f"; with {f_2(other)} cores taken by other work, a quiet machine's ceiling is higher. "
                    if busy >= 0.9 and other > 0.2 else ". ")
                 + f"Lock waits over 1 s in the server log: {main['locks']['waits_over_1s']}"
                 + (f", the longest {f_int(main['locks']['longest_wait_ms'])} ms" if main['locks']['longest_wait_ms'] else "")
                 + ".\n")
        if main.get("waits"):
            o.append("What the active sessions were doing, sampled every second in `pg_stat_activity` "
                     "(run `main`): the share of samples per wait event, CPU meaning no wait event (on a "
                     "core, or waiting for one):\n")
            o.append("| sessions | samples | what they were doing |")
            o.append("|---|---|---|")
            for cls in ("copy", "cron", "dashboard", "other_run", "background"):
                w = main["waits"].get(cls)
                if not w:
                    continue
                total = sum(w.values())
                top = sorted(w.items(), key=lambda kv: -kv[1])[:5]
                o.append(f"| {CLASS_LABELS[cls]} | {total:,} | "
                         + ", ".join(f"{k} {100 * n / total:.0f}%" for k, n in top) + " |")
            o.append("")
        if main["locks"]["by_statement"]:
            o.append("Lock waits over 1 s (`log_lock_waits`), by the lock waited for and the waiting statement "
                     "(run `main`):\n")
            o.append("| lock | waiting statement | waits | longest ms |")
            o.append("|---|---|---|---|")
            for w in main["locks"]["by_statement"]:
                o.append(f"| {w['mode']} | `{w['statement'].replace('|', chr(92) + '|')}` | {w['waits']} | "
                         f"{f_int(w['longest_ms'])} |")
            o.append("")
        if main.get("perf_copy"):
            o.append("Where the COPY backends spend their CPU: `perf record -F 499 -p <the COPY backends>` "
                     "for 10 s halfway through run `main`, `perf report --sort dso`, then `--sort dso,symbol`:\n")
            o.append("```text")
            o.extend(main["perf_copy"])
            o.append("```\n")
        o.append("pg_stat_statements, top statements by total time (run `main`, `track = all`):\n")
        o.append("| total s | calls | mean ms | rows | statement |")
        o.append("|---|---|---|---|---|")
        for st in main["statements"][:10]:
            q = st["query"].replace("|", "\\|")
            o.append(f"| {st['total_ms'] / 1000:,.1f} | {st['calls']:,} | {st['mean_ms']:,.2f} | {st['rows']:,} | `{q}` |")
        o.append("")
        o.append("pg_cron's job runs (run `main`):\n")
        o.append("| job | runs | failed | mean s | max s |")
        o.append("|---|---|---|---|---|")
        for k, j in sorted(main["cron"].items()):
            o.append(f"| {k} | {j['runs']} | {j['failed']} | {f_2(j['mean_s'])} | {f_2(j['max_s'])} |")
        o.append("")

    o.append("## Definitions\n")
    o.append("- events/s: rows whose COPY committed in that second, all writers; sustained events/min: "
             "the rows committed over the writers' whole seconds, per minute; the worst whole minute is the "
             "fewest rows in any 60 s window.")
    o.append("- rollup lag: now − the watermark of the rollup's last committed run "
             "(`logscore_rollup_health.lag`), sampled every second: how old the newest event is that the "
             "rollup surely includes.  With a run every minute it saws from the run's length to 60 s + "
             "the run's length.")
    o.append("- dashboard latency: each dashboard query's time in pgbench's log, without its schedule lag "
             "(`-R`: one query a second per reader, the three queries drawn at random).")
    o.append("- alert latency: the incident's first event (wall clock) → the listener receiving the first "
             "NOTIFY for that service with a level other than `ok`.")
    o.append("- CPU: from /proc, per second, by kind of process; WAL: `pg_current_wal_lsn()` per second.\n")
    o.append("## Side by side\n")
    o.append("Each run on a cluster of its own, one after the other: the ratios are of one invocation, "
             "but the machine's other load may differ between runs (load averages above). The runs last "
             + ", ".join(f"{r['meta']['minutes']} min (`{mode}`)" for mode, r in runs.items())
             + ": with one rollup run a minute, a short run holds few of them, and its rate weighs the "
             "rollup's cost less than a long one.\n")
    o.append("| run | events/min | vs `main` | rollup runs | rollup mean s | rollup max s | lag p99 s | dashboard p99 ms | WAL B/s |")
    o.append("|---|---|---|---|---|---|---|---|---|")
    base = main["ingest"]["events_per_minute"] if main else None
    for mode, r in runs.items():
        j = r["cron"].get("pipeline-rollup", {})
        o.append(f"| `{mode}`: {MODES.get(mode, mode)} | {f_int(r['ingest']['events_per_minute'])} | "
                 f"{f_ratio(r['ingest']['events_per_minute'], base)} | {j.get('runs', 0)} | {f_2(j.get('mean_s'))} | "
                 f"{f_2(j.get('max_s'))} | {f_1(r['samples']['lag_p99_s']) if mode != 'norollup' else '—'} | "
                 f"{f_1(r['dashboard']['p99_ms'])} | {f_m(r['samples']['wal_bytes_per_s'])} |")
    o.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(o).rstrip() + "\n")


def render_png(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = res["runs"]
    main = runs.get("main")
    if not main:
        return
    colours = {"main": "#4477aa", "norollup": "#999999", "scorerollup": "#ccbb44"}
    fig, axes = plt.subplots(5, 1, figsize=(12, 13), sharex=True)
    ax = axes[0]
    for mode, r in runs.items():
        s = r["series"]
        ax.plot(s["events_t"], [x / 1000 for x in s["events"]], color=colours.get(mode), lw=1,
                label=f"{mode}: {MODES.get(mode, mode)}")
    # when the main run's rollup and maintenance jobs ran
    for job, colour in (("pipeline-maintenance", "#aa3377"), ("pipeline-rollup", "#228833")):
        for i, (at, dur) in enumerate(main["cron"].get(job, {}).get("at", [])):
            ax.axvspan(at, at + max(dur, 0.5), ymin=0, ymax=0.04 if job == "pipeline-rollup" else 0.08,
                       color=colour, alpha=0.7, label=f"{job} running (main)" if i == 0 else None)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("thousand events/s")
    ax.set_title("Ingest: rows committed per second, all writers")
    ax.legend(fontsize=7, loc="center right", framealpha=0.6)
    s = main["series"]
    axes[1].plot(s["t"], s["lag"], color=colours["main"], lw=1)
    axes[1].axhline(TARGETS["lag_p99_s"], color="#ee6677", ls=":", lw=1, label="target p99")
    axes[1].set_ylabel("s")
    axes[1].set_title("Rollup lag: now − the watermark of the last committed rollup run")
    axes[1].legend(fontsize=8)
    axes[2].plot(s["dash_t"], s["dash_p50"], color="#228833", lw=1, marker=".", label="p50")
    axes[2].plot(s["dash_t"], s["dash_p99"], color="#aa3377", lw=1, marker=".", label="p99")
    axes[2].axhline(TARGETS["dashboard_p99_ms"], color="#ee6677", ls=":", lw=1, label="target p99")
    axes[2].set_ylabel("ms")
    axes[2].set_yscale("log")
    axes[2].set_title("Dashboard queries (per 10 s)")
    axes[2].legend(fontsize=8)
    cpu = s["cpu"]
    order = [c for c in CLASS_LABELS if c in cpu]
    axes[3].stackplot(s["t"], [cpu[c] for c in order], labels=[CLASS_LABELS[c] for c in order], alpha=0.85)
    axes[3].plot(s["t"], cpu["machine"], color="black", lw=0.8, label="whole machine")
    axes[3].set_ylabel("cores")
    axes[3].set_title("CPU by kind of process")
    axes[3].legend(fontsize=7, loc="upper left", ncol=2)
    axes[4].plot(s["t"], [x / 1e6 for x in s["wal"]], color="#66ccee", lw=1)
    axes[4].set_ylabel("MB/s")
    axes[4].set_title("WAL written")
    axes[4].set_xlabel("seconds since the writers started (run main)")
    inc = main.get("incident", {})
    for a in axes:
        a.grid(alpha=0.3)
        if inc.get("start_s") is not None:
            a.axvspan(inc["start_s"], inc["start_s"] + inc["seconds"], color="#ee6677", alpha=0.08)
        if main.get("alert_latency_s") is not None:
            a.axvline(inc["start_s"] + main["alert_latency_s"], color="#ee6677", lw=1.2)
    axes[0].text(0.99, 0.95, "shaded: the incident; red line: its NOTIFY received", transform=axes[0].transAxes,
                 ha="right", va="top", fontsize=8, color="#ee6677")
    m = res["meta"]
    fig.suptitle(f"logscore continuous pipeline soak, {m.get('date', '')}: {m.get('cpu', '')}, "
                 f"{m.get('cores', '')} cores", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv):
    if len(argv) >= 3 and argv[1] == "collect":
        text = json.dumps(collect(argv[2], argv[3:]), indent=1, sort_keys=True)
        # a series of numbers on one line: readable, and diffs stay small
        text = re.sub(r"\[(?:\s*(?:-?[0-9.eE+]+|null)\s*,?)+\s*\]",
                      lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",")) + "]", text)
        sys.stdout.write(text + "\n")
    elif len(argv) == 5 and argv[1] == "render":
        res = json.load(open(argv[2], encoding="utf-8"))
        render_md(res, argv[3])
        render_png(res, argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
