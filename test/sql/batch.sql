-- logscore_array() and logscore_batch(): whole arrays in one call
\set SHOW_CONTEXT never

SELECT logscore_array(ARRAY[0, 1, 3, 7, -7]::bigint[]);
SELECT logscore_array(ARRAY[0, 1, 3, 7, -7]::bigint[], 'square');
SELECT * FROM logscore_batch(ARRAY[0, 1, 3, 7, -7]::bigint[]);
SELECT * FROM logscore_batch(ARRAY[0, 1, 3, 7, -7]::bigint[], 'threshold(2)');

-- NULL array, empty array, one element, NULL elements
SELECT logscore_array(NULL) IS NULL AS null_array;
SELECT count(*) AS rows_for_null_array FROM logscore_batch(NULL);
SELECT logscore_array('{}'::bigint[]) AS empty;
SELECT count(*) AS rows_for_empty_array FROM logscore_batch('{}'::bigint[]);
SELECT logscore_array('{3}'::bigint[]) AS one;
SELECT * FROM logscore_batch('{3}'::bigint[]);
SELECT logscore_array('{NULL,3,NULL}'::bigint[]) AS with_nulls;
SELECT * FROM logscore_batch('{NULL,3,NULL}'::bigint[]);
SELECT logscore_array('{NULL,NULL}'::bigint[]) AS all_nulls;

-- NULL pipeline means the setting
SET logscore.pipeline = 'shift(100)';
SELECT logscore_array('{1,2}'::bigint[], NULL), logscore_array('{1,2}'::bigint[]);
SELECT * FROM logscore_batch('{1,2}'::bigint[], NULL);
RESET logscore.pipeline;

-- integer and smallint arrays through the implicit casts
SELECT logscore_array('{1,2,3}'::integer[]), logscore_array('{1,2,3}'::smallint[], 'square');

-- multi-dimensional arrays are scored in storage order and keep their shape
-- and bounds; logscore_batch numbers positions in storage order from 1
SELECT logscore_array('{{1,2},{3,NULL}}'::bigint[]);
SELECT logscore_array('[0:1][5:6]={{1,2},{3,4}}'::bigint[], 'square');
SELECT * FROM logscore_batch('{{1,2},{3,NULL}}'::bigint[]);
SELECT * FROM logscore_batch('[-3:-1]={10,20,30}'::bigint[], 'shift(1)');

-- large arrays give the same scores as the scalar form (several batch chunks)
SELECT count(*) AS mismatches
FROM (SELECT array_agg(x ORDER BY x) AS a FROM generate_series(-150000, 150000) x) s,
     unnest(s.a, logscore_array(s.a)) AS u(value, score)
WHERE u.score IS DISTINCT FROM logscore(u.value);
SELECT count(*) AS mismatches
FROM (SELECT array_agg(x ORDER BY x) AS a FROM generate_series(-150000, 150000) x) s,
     logscore_batch(s.a, 'abs | log2 | square') b
WHERE b.score IS DISTINCT FROM logscore(b.value, 'abs | log2 | square')
   OR b.ord <> b.value + 150001;

-- overflow: an error by default, NULL or saturation when the setting says so
SELECT logscore_array('{1,4611686018427387904}'::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM logscore_batch('{1,NULL,4611686018427387904}'::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SET logscore.on_overflow = 'null';
SELECT logscore_array('{1,4611686018427387904,NULL,7}'::bigint[]);
SELECT * FROM logscore_batch('{1,4611686018427387904,NULL,7}'::bigint[]);
SET logscore.on_overflow = 'saturate';
SELECT logscore_array('{1,4611686018427387904,-4611686018427387905}'::bigint[]);
RESET logscore.on_overflow;

-- a bad pipeline is an error before any row is returned
SELECT logscore_array('{1}'::bigint[], 'bogus');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM logscore_batch('{1}'::bigint[], 'scale(');
\echo :LAST_ERROR_SQLSTATE
