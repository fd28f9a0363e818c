/* sql/logscore--0.6.0--0.7.0.sql: what 0.7.0 adds (CHANGELOG.md lists it) */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.7.0'" to load this file. \quit

-- the two-sided normal tail of a z-score, with no underflow error (0.7.0)

CREATE FUNCTION logscore_tail_probability(z double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION logscore_log_tail_probability(z double precision) RETURNS double precision
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION logscore_tail_probability(double precision) IS
'P(|Z| >= |z|) for a standard normal Z, as erfc(|z| / sqrt 2): never an underflow error; 0 from |z| of about 38.5 on, subnormal just below';
COMMENT ON FUNCTION logscore_log_tail_probability(double precision) IS
'Natural logarithm of P(|Z| >= |z|), finite up to |z| of about 1.9e154 (an asymptotic series once erfc would underflow): ranks extreme z-scores';
