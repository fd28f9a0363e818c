-- logscore_stages() and logscore_explain()
\set SHOW_CONTEXT never

SELECT * FROM logscore_stages();

SELECT * FROM logscore_explain();
SELECT * FROM logscore_explain('seed');
SELECT * FROM logscore_explain(' ABS | clamp(-1,1)|Seed |log2 ');
SELECT * FROM logscore_explain(NULL);
SET logscore.pipeline = 'bucket(60) | threshold(3)';
SELECT * FROM logscore_explain();
RESET logscore.pipeline;
SELECT * FROM logscore_explain('clamp(3)');
\echo :LAST_ERROR_SQLSTATE
