-- logscore_sketch's shortcuts over its canonical bytes: send returns the
-- stored bytes and recv keeps the bytes it validated, however PostgreSQL
-- stores the value (a short header, compressed, out of line); aggregates
-- copy stored sketches by decoding them once; logscore_same_distribution
-- answers equal bytes without decoding.  Each must agree with the long way
-- round, the text form, which is encoded afresh.
\set SHOW_CONTEXT never

CREATE TABLE passes (id int, s logscore_sketch);
CREATE TABLE passes_external (id int, s logscore_sketch);
ALTER TABLE passes_external ALTER COLUMN s SET STORAGE external;
-- 1: small, stored with a one-byte header; 2: about 2,000 buckets,
-- compressed; 3: empty; the external table holds the same, out of line
INSERT INTO passes
SELECT 1, logscore_sketch(0)
UNION ALL SELECT 2, logscore_sketch(exp(x * 0.02)) FROM generate_series(1, 2000) x
UNION ALL SELECT 3, '{"version":1,"alpha":0.01,"count":0,"zero":0,"sum":0,"mean":0,"m2":0,"min":0,"max":0,"collapsed":false,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}';
INSERT INTO passes_external SELECT * FROM passes;

SELECT id, octet_length(logscore_sketch_send(s)) AS bytes,
       pg_column_size(s) < octet_length(logscore_sketch_send(s)) AS compressed
FROM passes ORDER BY id;

-- send gives the encoder's bytes, from every storage form
SELECT p.id,
       logscore_sketch_send(p.s) = logscore_sketch_send(p.s::text::logscore_sketch) AS send_inline,
       logscore_sketch_send(e.s) = logscore_sketch_send(p.s::text::logscore_sketch) AS send_external
FROM passes p JOIN passes_external e USING (id) ORDER BY id;
-- and from a sketch fresh from an aggregate
SELECT logscore_sketch_send((SELECT logscore_sketch(x) FROM generate_series(1, 100) x))
       = logscore_sketch_send((SELECT logscore_sketch(x) FROM generate_series(1, 100) x)::text::logscore_sketch)
       AS send_aggregate;

-- recv keeps what send gave: COPY BINARY out and in, equal bytes and text
\copy passes_external TO 'results/sketch_passes.bin' WITH (FORMAT binary)
CREATE TABLE passes_back (LIKE passes);
\copy passes_back FROM 'results/sketch_passes.bin' WITH (FORMAT binary)
SELECT p.id, p.s = b.s AS equal, p.s::text = b.s::text AS same_text,
       logscore_sketch_send(p.s) = logscore_sketch_send(b.s) AS same_bytes
FROM passes p JOIN passes_back b USING (id) ORDER BY id;

-- an aggregate's copy of a stored sketch (the first state of each group,
-- and logscore_sketch_add called outside an aggregate) is the sketch
SELECT id, logscore_merge(s)::text = s::text AS merge_copy
FROM passes GROUP BY id, s::text ORDER BY id;
SELECT id, logscore_sketch_add(s, 1)::text = (SELECT logscore_sketch(v ORDER BY o) FROM (
         SELECT 0, 0::float8 WHERE id = 1
         UNION ALL SELECT x, exp(x * 0.02) FROM generate_series(1, 2000) x WHERE id = 2
         UNION ALL SELECT 3000, 1) t(o, v))::text AS add_to_copy
FROM passes ORDER BY id;

-- logscore_same_distribution: equal bytes, in every storage form; the same
-- values summed in another order (other bytes); and another distribution
SELECT p.id, logscore_same_distribution(p.s, e.s) AS stored_pair,
       logscore_same_distribution(p.s, b.s) AS received_pair
FROM passes p JOIN passes_external e USING (id) JOIN passes_back b USING (id) ORDER BY id;
WITH v(x) AS (SELECT 1e16 UNION ALL SELECT 1 UNION ALL SELECT -1e16 UNION ALL SELECT 3),
     a AS (SELECT logscore_sketch(x ORDER BY x) AS s FROM v),
     b AS (SELECT logscore_sketch(x ORDER BY x DESC) AS s FROM v)
SELECT a.s = b.s AS equal, logscore_same_distribution(a.s, b.s) AS same_distribution,
       logscore_same_distribution(a.s, (SELECT s FROM passes WHERE id = 1)) AS other
FROM a, b;

DROP TABLE passes, passes_external, passes_back;
