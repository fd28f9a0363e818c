/*
 * tail_probability.c
 *	  logscore_tail_probability(z) and logscore_log_tail_probability(z): the
 *	  core's normal tail (core/tail_probability.c) as SQL functions.
 */
#include "postgres.h"

#include "fmgr.h"

#include "core/tail_probability.h"

PG_FUNCTION_INFO_V1(logscore_tail_probability);
PG_FUNCTION_INFO_V1(logscore_log_tail_probability);

/* logscore_tail_probability(z float8) → float8 */
Datum
logscore_tail_probability(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(ls_tail_probability(PG_GETARG_FLOAT8(0)));
}

/* logscore_log_tail_probability(z float8) → float8 */
Datum
logscore_log_tail_probability(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(ls_log_tail_probability(PG_GETARG_FLOAT8(0)));
}
