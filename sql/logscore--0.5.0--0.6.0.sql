/* sql/logscore--0.5.0--0.6.0.sql: one naming scheme for the accessors, and every argument named */

\echo Use "ALTER EXTENSION logscore UPDATE TO '0.6.0'" to load this file. \quit
