-- tools/generate_events.sql: realistic log events, for the demo and the
-- benchmark.  Run with \i after setting psql variables:
--   tbl      the table (id bigint, ts timestamptz, service text, value bigint)
--   lo, hi   the ids to insert; ids follow time, as in an append-only log
--   rows     how many ids the span is divided among
--   start    a timestamptz, and span an interval: ts runs from start to
--            start + span over ids 1 .. rows
-- Call setseed() first for repeatable events.
--
-- Traffic: rank r is drawn with probability ~ 1/r (floor of a log-uniform
-- draw) over 50 services, so a few front services carry most of the load, as
-- in real fleets.  Latency (value, in microseconds): lognormal around each
-- service's own median (Box-Muller), cut at the 30 s timeout.  A few events
-- are 0 µs (cache hits rounded down) or negative (clock skew between hosts);
-- the slower services, which wait on others, also hit the timeout now and
-- then.  One event in fifty takes the slow path (cache miss, retry, GC pause)
-- at twenty times the median.  |value| <= 30,000,000, so every score of the
-- default pipeline fits a bigint with room to spare.
INSERT INTO :tbl (id, ts, service, value)
WITH services (rank, name, median_us, sigma) AS (
	VALUES (1, 'api-gateway', 9000, 0.7), (2, 'auth', 2500, 0.5),
	       (3, 'checkout', 60000, 0.8), (4, 'catalog', 7000, 0.6),
	       (5, 'search', 28000, 0.8), (6, 'cart', 5000, 0.6),
	       (7, 'payments', 150000, 0.7), (8, 'inventory', 3500, 0.5),
	       (9, 'recommendations', 45000, 0.9), (10, 'notifications', 1500, 1.0),
	       (11, 'shipping', 35000, 0.8), (12, 'user-profile', 4000, 0.6)
	UNION ALL
	SELECT n, format('svc-%s', n), 500 + (n * 7919) % 20000, 0.5 + (n % 7) * 0.1
	FROM generate_series(13, 50) n
),
draws AS (
	-- OFFSET 0 keeps each random() evaluated once per row, not once per use.
	SELECT g AS id,
	       floor(exp(random() * ln(51)))::int AS rank,
	       random() AS u_ts, random() AS u_kind, random() AS u1, random() AS u2
	FROM generate_series(:lo, :hi) g
	OFFSET 0
)
SELECT d.id,
       :'start'::timestamptz + :'span'::interval * ((d.id - d.u_ts) / :rows),
       s.name,
       CASE
         WHEN d.u_kind < 0.004 THEN 0
         WHEN d.u_kind < 0.006 THEN -(1 + floor(d.u1 * 5000))::bigint
         WHEN d.u_kind < 0.007 AND s.median_us >= 20000 THEN 30000000
         ELSE least(30000000,
                    round(s.median_us * CASE WHEN d.u_kind >= 0.98 THEN 20 ELSE 1 END
                          * exp(s.sigma * sqrt(-2 * ln(1 - d.u1))
                                                   * cos(2 * pi() * d.u2))))::bigint
       END
FROM draws d JOIN services s USING (rank);
