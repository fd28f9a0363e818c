/* sql/logscore--0.3.0--0.4.0.sql: from 0.3.0 to 0.4.0, rollups that are safe to schedule */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION logscore UPDATE TO '0.4.0'" to load this file. \quit
