-- the IMMUTABLE form in generated columns and expression indexes; the
-- STABLE form (which reads a setting) is refused there
\set SHOW_CONTEXT never

CREATE TABLE scored_events (
  id bigint PRIMARY KEY,
  value bigint,
  score bigint GENERATED ALWAYS AS (logscore(value, 'scale(2) | modsquare(7, 5)')) STORED
);
INSERT INTO scored_events (id, value) SELECT x, x FROM generate_series(0, 999) x;
SELECT count(*) FILTER (WHERE score <> logscore(value)) AS mismatches, sum(score) FROM scored_events;
INSERT INTO scored_events (id, value) VALUES (1000, NULL);
SELECT score FROM scored_events WHERE id = 1000;
UPDATE scored_events SET value = 7 WHERE id = 1000;
SELECT score FROM scored_events WHERE id = 1000;

-- the setting does not change stored scores
SET logscore.pipeline = 'square';
INSERT INTO scored_events (id, value) VALUES (1001, 1);
SELECT score FROM scored_events WHERE id = 1001;
RESET logscore.pipeline;

-- an overflow fails the whole statement: nothing is half written
INSERT INTO scored_events (id, value) VALUES (2000, 1), (2001, 4611686018427387904);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM scored_events WHERE id >= 2000;

-- COPY computes the column too
COPY scored_events (id, value) FROM stdin;
3000	14
3001	15
\.
SELECT id, value, score FROM scored_events WHERE id >= 3000 ORDER BY id;

-- an expression index on the explicit form, and a query that uses it
CREATE INDEX scored_events_slow ON scored_events (logscore(value, 'bucket(100) | threshold(5)'));
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM scored_events WHERE logscore(value, 'bucket(100) | threshold(5)') = 1;
SELECT count(*) FROM scored_events WHERE logscore(value, 'bucket(100) | threshold(5)') = 1;
RESET enable_seqscan;

-- the STABLE form is refused in both places
CREATE TABLE refused (value bigint, score bigint GENERATED ALWAYS AS (logscore(value)) STORED);
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX ON scored_events (logscore(value));
\echo :LAST_ERROR_SQLSTATE

DROP TABLE scored_events;
