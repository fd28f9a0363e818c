/* sql/logscore--0.2.0--0.3.0.sql: from 0.2.0 to 0.3.0, anomaly scores and alert states */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.3.0'" to load this file. \quit
