-- logscore.pipeline: compiled when set, so a bad value fails where it is set
\set SHOW_CONTEXT never
-- settings of a library exist once it is loaded (see also session_preload_libraries)
LOAD 'logscore';

SHOW logscore.pipeline;
SELECT logscore(7);

SET logscore.pipeline = 'square | shift(1)';
SHOW logscore.pipeline;
SELECT logscore(7);

-- a bad value fails at SET with 22023 and the position, and changes nothing
SET logscore.pipeline = 'square | shfit(1)';
\echo :LAST_ERROR_SQLSTATE
SHOW logscore.pipeline;
SELECT logscore(7);
SET logscore.pipeline = 'square | shift(1) | ';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('logscore.pipeline', 'bucket(0)', false);
\echo :LAST_ERROR_SQLSTATE
SET logscore.pipeline = 'shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1) | shift(1)';
\echo :LAST_ERROR_SQLSTATE

-- SET LOCAL lasts for the transaction; RESET returns to the default
BEGIN;
SET LOCAL logscore.pipeline = 'threshold(10)';
SELECT logscore(9), logscore(10);
COMMIT;
SELECT logscore(7);
RESET logscore.pipeline;
SELECT logscore(7);

-- a failed transaction rolls the setting back
BEGIN;
SET logscore.pipeline = 'abs';
SELECT 1 / 0;
ROLLBACK;
SHOW logscore.pipeline;

-- ALTER ROLE / ALTER DATABASE ... SET check the value too
ALTER ROLE CURRENT_USER SET logscore.pipeline = 'scale(2) | modsquare(0, 5)';
\echo :LAST_ERROR_SQLSTATE
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET logscore.pipeline = %L', current_database(), 'nope');
END $$;
\echo :LAST_ERROR_SQLSTATE
ALTER ROLE CURRENT_USER SET logscore.pipeline = 'seed | bucket(100)';
SELECT unnest(setconfig) FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = current_user);
ALTER ROLE CURRENT_USER RESET logscore.pipeline;

-- a function's SET clause is checked when the function is created ...
CREATE FUNCTION bad_scorer(bigint) RETURNS bigint LANGUAGE sql
  SET logscore.pipeline = 'scale(2) | modsquare(7)' AS 'SELECT logscore($1)';
\echo :LAST_ERROR_SQLSTATE
-- ... and a good one is used while the function runs
CREATE FUNCTION square_scorer(bigint) RETURNS bigint LANGUAGE sql
  SET logscore.pipeline = 'square' AS 'SELECT logscore($1)';
SELECT square_scorer(7), logscore(7);
DROP FUNCTION square_scorer(bigint);

-- the logscore prefix is reserved: misspelt settings are errors, not placeholders
SET logscore.pipelines = 'square';
\echo :LAST_ERROR_SQLSTATE

-- the settings are described
SELECT name, setting, context, vartype, enumvals, boot_val
FROM pg_settings WHERE name LIKE 'logscore.%' ORDER BY name;
