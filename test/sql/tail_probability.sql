-- logscore_tail_probability(z) = P(|Z| >= |z|) and its logarithm: no
-- underflow error for any z, where exp(-z^2 / 2) fails
\set SHOW_CONTEXT never

-- the two-sided tail at the textbook points, and symmetry in z
SELECT z, round(logscore_tail_probability(z)::numeric, 6) AS p,
       logscore_tail_probability(z) = logscore_tail_probability(-z) AS symmetric,
       logscore_log_tail_probability(z) = logscore_log_tail_probability(-z) AS log_symmetric
FROM unnest(ARRAY[0, 1, 1.6448536269514722, 1.959963984540054, 2.5758293035489004, 3]::float8[]) z;

-- log of the tail agrees with ln() of it wherever the tail is a normal
-- double, across the switch to the asymptotic series (|z| = 26 sqrt 2)
SELECT count(*) AS points,
       max(abs(logscore_log_tail_probability(z) - ln(logscore_tail_probability(z)))
           / abs(ln(logscore_tail_probability(z)))) < 4e-15 AS agree
FROM (SELECT i / 100.0 AS z FROM generate_series(1, 3750) i) s;

-- both fall strictly as |z| grows, the log as far as |z| = 1e150
SELECT bool_and(p_next < p) AS tail_falls, bool_and(l_next < l) AS log_falls
FROM (SELECT logscore_tail_probability(z) AS p, lead(logscore_tail_probability(z)) OVER w AS p_next,
             logscore_log_tail_probability(z) AS l, lead(logscore_log_tail_probability(z)) OVER w AS l_next,
             z
      FROM (SELECT i / 10.0 AS z FROM generate_series(0, 380) i) s WINDOW w AS (ORDER BY z)) t
WHERE p_next IS NOT NULL;
SELECT bool_and(logscore_log_tail_probability(10.0 ^ (k + 1)) < logscore_log_tail_probability(10.0 ^ k)) AS log_falls
FROM generate_series(1, 149) k;

-- extreme z: exp underflows with an error, the tail goes to 0 and its log
-- stays finite: it agrees with the asymptotic expansion
-- -z^2/2 - ln(z) + ln(2/pi)/2 + ln(1 - 1/z^2 + 3/z^4 - 15/z^6) to 1e-12,
-- until -z^2/2 itself is beyond double precision
SELECT exp(-(40::float8 ^ 2) / 2);
SELECT z, logscore_tail_probability(z) AS p, logscore_log_tail_probability(z) AS log_p,
       abs(logscore_log_tail_probability(z) - (-(z / 2) * z - ln(z) + ln(2 / pi()) / 2
                                               + ln(1 - u * (1 - 3 * u * (1 - 5 * u)))))
         <= 1e-12 * abs(logscore_log_tail_probability(z)) AS asymptotic
FROM unnest(ARRAY[37.5, 38, 38.5, 40, 1e6, 1e150]::float8[]) z, LATERAL (SELECT (1 / z) * (1 / z) AS u) s;
SELECT z, logscore_tail_probability(z) AS p, logscore_log_tail_probability(z) AS log_p
FROM unnest(ARRAY[1e154, 2e154, 1e308, -1e308, 'Infinity', '-Infinity', 'NaN', NULL]::float8[]) z;
