-- test/sql/differential.sql at full strength: 100,004 random values through
-- its random pipelines (the default suite runs a tenth of them)
\set diff_scale 10
\i test/sql/differential.sql
