-- overflow: 22003 with the stage and the value, or NULL / saturation as
-- logscore.on_overflow says; the IMMUTABLE form always raises
\set SHOW_CONTEXT never
-- settings of a library exist once it is loaded (see also session_preload_libraries)
LOAD 'logscore';

SHOW logscore.on_overflow;

-- error (the default): 22003, naming the stage and the values
SELECT logscore(4611686018427387904);
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(3037000500, 'modsquare(7, 5) | square');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(-9223372036854775808, 'abs');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(9223372036854775807, 'shift(1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(-9223372036854775808, 'shift(-1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(9223372036854775800, 'modsquare(7, 100)');
\echo :LAST_ERROR_SQLSTATE
-- the largest values that do not overflow
SELECT logscore(3037000499, 'square') AS largest_square,
       logscore(4611686018427387903, 'scale(2)') AS largest_double,
       logscore(-4611686018427387904, 'scale(2)') AS smallest_double;

-- null: an overflowing score is NULL, the others are untouched
SET logscore.on_overflow = 'null';
SELECT x, logscore(x) FROM (VALUES (1), (4611686018427387904), (-4611686018427387905), (7)) v(x);
SET logscore.pipeline = 'abs | shift(0)';
SELECT logscore(-9223372036854775808) IS NULL AS abs_min_is_null;
RESET logscore.pipeline;
-- ... but the IMMUTABLE form may not depend on a setting: still an error
SELECT logscore(4611686018427387904, 'seed');
\echo :LAST_ERROR_SQLSTATE

-- saturate: the nearest bigint in the direction of the exact result, and the
-- pipeline goes on from there
SET logscore.on_overflow = 'saturate';
SELECT x, logscore(x) FROM (VALUES (1), (4611686018427387904), (-4611686018427387905)) v(x);
SET logscore.pipeline = 'scale(-3) | shift(-1)';
SELECT logscore(4611686018427387904) AS negative_saturated_then_shift_clamps;
SET logscore.pipeline = 'square | threshold(9223372036854775807)';
SELECT logscore(-4611686018427387904) AS square_saturates_high;
RESET logscore.pipeline;

-- bad values of the setting itself
SET logscore.on_overflow = 'wrap';
\echo :LAST_ERROR_SQLSTATE
RESET logscore.on_overflow;
SHOW logscore.on_overflow;

-- the explicit forms take the policy as an argument and ignore the setting
-- (what a Citus coordinator writes the setting-dependent calls into)
SET logscore.on_overflow = 'error';
SELECT x, logscore(x, 'scale(2)', 'null') AS as_null,
       logscore(x, 'scale(2)', 'saturate') AS saturated,
       logscore(x, 'scale(2)', 'error') AS in_range_only
FROM (VALUES (1), (4611686018427387904)) v(x) WHERE x = 1;
SELECT logscore(4611686018427387904, 'scale(2)', 'null') IS NULL AS null_on_overflow;
SELECT logscore(4611686018427387904, 'scale(2)', 'error');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore_array(ARRAY[1, 4611686018427387904, NULL], 'scale(2)', 'saturate');
SELECT * FROM logscore_batch(ARRAY[1, 4611686018427387904], 'scale(2)', 'null');
SET logscore.on_overflow = 'saturate';
SELECT logscore_array(ARRAY[4611686018427387904], 'scale(2)', 'error');
\echo :LAST_ERROR_SQLSTATE
RESET logscore.on_overflow;
SELECT logscore(1, 'scale(2)', 'wrap');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2)', NULL) IS NULL AS strict;
