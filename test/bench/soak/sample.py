#!/usr/bin/env python3
"""test/bench/soak/sample.py: the soak harness's 1-second sampler.

  sample.py --seconds S --root PID --postmaster PID --rollup NAME --out FILE

Every second, one tab-separated line in FILE:

  epoch_s  wal_bytes  lag_s  partitions  partitions_seen  db_bytes  wal_dir_bytes
  machine  CLASS...

- wal_bytes: pg_current_wal_lsn() in bytes (the report differentiates it);
- lag_s: the rollup's lag as logscore_rollup_health defines it, now - the
  watermark of its last committed run: the age of the newest event the
  rollup is sure to include (empty before the first run).  The harness and
  the report use this one definition;
- partitions: events' partitions now, partitions_seen: all there have been
  since the sampler started (so seen - now were dropped, and seen - the
  first sample's were created); db_bytes, wal_dir_bytes: the disk the
  database and pg_wal take;
- machine: the CPU the whole machine used over the last second, in cores
  (from /proc/stat), other helpers' work included;
- CLASS...: the CPU, in cores, of the processes of this run by kind (the
  columns named in the header line): the writers' client processes (ship),
  their COPY backends, pg_cron's job backends and launcher (rollup, alerts,
  maintenance), the server's background processes (walwriter, checkpointer,
  background writer, autovacuum, postmaster), the dashboard readers
  (pgbench and its backends), and the rest of the run (listener, sampler,
  psql).  A process of the run is a descendant of --root (the harness) or
  of --postmaster; a server process is classed by pg_stat_activity's
  application_name and backend_type.  A process that ends between two
  samples loses its last second: short pg_cron jobs are undercounted a
  little.

With --waits, the file gets, at the end, for each kind of session and wait
event (pg_stat_activity's wait_event_type:wait_event; CPU when an active
session waits on nothing: running, or waiting for a core), the number of
one-second samples that found an active session so: what the COPY backends
and the rollup spent their time on.

PostgreSQL is read through one long-lived psql (PGAPPNAME soak-sampler),
so a sample costs a query, not a connection.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

CLASSES = ["writers", "copy", "cron", "background", "dashboard", "other_run"]
TICK = os.sysconf("SC_CLK_TCK")

QUERY = """
SELECT extract(epoch FROM clock_timestamp()), pg_current_wal_lsn() - '0/0',
       (SELECT extract(epoch FROM lag) FROM logscore_rollup_health WHERE name = '{rollup}'),
       (SELECT string_agg(inhrelid::text, ',') FROM pg_inherits WHERE inhparent = to_regclass('public.events')),
       pg_database_size(current_database()),
       (SELECT sum(size) FROM pg_ls_waldir());
\\echo @@PIDS
SELECT pid, coalesce(application_name, ''), coalesce(backend_type, ''), coalesce(state, ''),
       coalesce(wait_event_type || ':' || wait_event, '') FROM pg_stat_activity;
\\echo @@END
"""


def read_proc():
    """pid -> (comm, ppid, cpu ticks, start ticks) for every process now"""
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        # comm may hold spaces or parentheses: it ends at the last ')'
        lp, rp = s.index("("), s.rindex(")")
        rest = s[rp + 2:].split()
        procs[int(d)] = (s[lp + 1:rp], int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[19]))
    return procs


def machine_ticks():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    return sum(cpu[:8]) - idle


def descends(pid, root, procs, memo):
    seen = []
    while pid > 1 and pid not in memo:
        if pid == root:
            memo[pid] = True
            break
        seen.append(pid)
        pid = procs[pid][1] if pid in procs else 0
    answer = memo.get(pid, False) if pid > 1 else False
    for p in seen:
        memo[p] = answer
    return answer


def classify(pid, comm, activity, is_server):
    if is_server:
        app, btype = activity.get(pid, ("", ""))
        if app == "soak-ship":
            return "copy"
        if app == "pgbench":
            return "dashboard"
        if app == "pg_cron" or btype == "pg_cron launcher" or btype == "pg_cron":
            return "cron"
        if btype == "client backend":
            return "other_run"
        return "background"
    if comm == "ship":
        return "writers"
    if comm == "pgbench":
        return "dashboard"
    return "other_run"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--root", type=int, required=True)
    ap.add_argument("--postmaster", type=int, required=True)
    ap.add_argument("--rollup", default="public.service_scores")
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--out", required=True)
    ap.add_argument("--waits", help="where to write, at the end, the active sessions' wait events by kind")
    a = ap.parse_args()

    env = dict(os.environ, PGAPPNAME="soak-sampler")
    psql = subprocess.Popen([a.psql, "-X", "-At", "-q", "-F", "\t"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, bufsize=1)
    out = open(a.out, "w", buffering=1)
    out.write("\t".join(["epoch_s", "wal_bytes", "lag_s", "partitions", "partitions_seen", "db_bytes",
                         "wal_dir_bytes", "machine"] + CLASSES) + "\n")
    seen = set()
    waits = {}
    psql.stdin.write("SELECT pg_backend_pid();\n")
    psql.stdin.flush()
    own_pid = int(psql.stdout.readline())

    with open("/proc/uptime") as f:
        boot_ticks0 = float(f.readline().split()[0]) * TICK
    prev_cpu = {}        # pid -> ticks at the last sample
    prev_machine = machine_ticks()
    prev_t = time.monotonic()
    prev_boot = boot_ticks0
    end = prev_t + a.seconds
    next_t = prev_t + 1
    # SIGTERM (the harness ending the run) ends the loop, not the report
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        loop(a, psql, out, seen, waits, own_pid, prev_cpu, prev_machine, prev_t, prev_boot, end, next_t)
    finally:
        if a.waits:
            with open(a.waits, "w") as f:
                for (cls, wait), n in sorted(waits.items()):
                    f.write(f"{cls}\t{wait}\t{n}\n")
    psql.stdin.close()
    psql.wait()


def loop(a, psql, out, seen, waits, own_pid, prev_cpu, prev_machine, prev_t, prev_boot, end, next_t):
    while True:
        time.sleep(max(0, next_t - time.monotonic()))
        next_t += 1
        psql.stdin.write(QUERY.format(rollup=a.rollup))
        psql.stdin.flush()
        db = psql.stdout.readline().rstrip("\n").split("\t")
        parts = [p for p in db[3].split(",") if p]
        seen.update(parts)
        db[3:4] = [str(len(parts)), str(len(seen))]
        activity = {}
        assert psql.stdout.readline().strip() == "@@PIDS"
        for line in iter(psql.stdout.readline, "@@END\n"):
            if line == "":
                sys.exit("sample.py: psql ended")
            pid, app, btype, state, wait = line.rstrip("\n").split("\t")
            activity[int(pid)] = (app, btype)
            if state == "active" and pid != str(own_pid):
                # what an active session of each kind waits on; none: on a
                # CPU, or waiting for one
                k = (classify(int(pid), "", activity, True), wait or "CPU")
                waits[k] = waits.get(k, 0) + 1

        procs = read_proc()
        now = time.monotonic()
        with open("/proc/uptime") as f:
            boot = float(f.readline().split()[0]) * TICK
        m = machine_ticks()
        dt = now - prev_t
        cores = dict.fromkeys(CLASSES, 0.0)
        memo_run, memo_server = {}, {}
        cpu_now = {}
        for pid, (comm, ppid, ticks, start) in procs.items():
            server = pid == a.postmaster or descends(pid, a.postmaster, procs, memo_server)
            if not server and not descends(pid, a.root, procs, memo_run):
                continue
            cpu_now[pid] = ticks
            if pid in prev_cpu:
                delta = ticks - prev_cpu[pid]
            elif start >= prev_boot:
                delta = ticks          # born since the last sample
            else:
                continue               # there before the sampler: no baseline yet
            cores[classify(pid, comm, activity, server)] += delta / TICK / dt
        out.write("\t".join(db + [f"{(m - prev_machine) / TICK / dt:.3f}"]
                            + [f"{cores[c]:.3f}" for c in CLASSES]) + "\n")
        prev_cpu, prev_machine, prev_t, prev_boot = cpu_now, m, now, boot
        if now >= end:
            break


if __name__ == "__main__":
    main()
