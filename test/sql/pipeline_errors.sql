-- every pipeline error: 22023 with the character where it was found
-- (54000 when the pipeline is too long), never a crash or XX000
\set SHOW_CONTEXT never

SELECT logscore(1, '');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, '   ');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scal(2)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(1, 2)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'abs(1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'seed(1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2.5)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(1e3)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(x)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'shift(9223372036854775808)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'shift(-9223372036854775809)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'shift(-9223372036854775808)') AS smallest_argument_is_fine;
SELECT logscore(1, 'modsquare(0, 5)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'modsquare(-7, 5)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'bucket(0)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'clamp(5, 1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2) | | square');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, '| square');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2) |');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2) square');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, 'scale(2,');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, '7 | square');
\echo :LAST_ERROR_SQLSTATE
-- positions count characters, not bytes
SELECT logscore(1, 'scale(2) | «square»');
\echo :LAST_ERROR_SQLSTATE
-- 32 stages are fine, 33 are too many
SELECT logscore(1, repeat('shift(1) | ', 31) || 'shift(1)') AS thirty_two_stages;
SELECT logscore(1, repeat('shift(1) | ', 32) || 'shift(1)');
\echo :LAST_ERROR_SQLSTATE
SELECT logscore(1, repeat('seed | ', 16) || 'abs');
\echo :LAST_ERROR_SQLSTATE
-- a very long text fails cleanly too
SELECT logscore(1, repeat(' ', 100000) || 'square') AS long_whitespace_is_fine;
SELECT logscore(1, repeat('x', 100000));
\echo :LAST_ERROR_SQLSTATE

-- a bad pipeline in one row of a query: the error, and the cache is unharmed
SELECT p, logscore(3, p) FROM (VALUES ('square'), ('scale(2)'), ('square')) v(p);
SELECT p, logscore(3, p) FROM (VALUES ('square'), ('nope'), ('square')) v(p);
\echo :LAST_ERROR_SQLSTATE
