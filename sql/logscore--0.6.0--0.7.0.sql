/* sql/logscore--0.6.0--0.7.0.sql: what 0.7.0 adds (CHANGELOG.md lists it) */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.7.0'" to load this file. \quit
