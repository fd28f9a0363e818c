/*
 * score.c
 *	  logscore(bigint) and logscore(bigint, text): one event in, one score
 *	  out.  The per-row path reads an already compiled pipeline and allocates
 *	  nothing.
 */
#include "postgres.h"

#include "fmgr.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_setting);
PG_FUNCTION_INFO_V1(logscore_explicit);
PG_FUNCTION_INFO_V1(logscore_explicit_overflow);

/* logscore(value bigint): the pipeline in logscore.pipeline; STABLE */
Datum
logscore_setting(PG_FUNCTION_ARGS)
{
	const ls_pipeline *p = logscore_setting_pipeline();
	int64		score;
	ls_fault	fault;

	switch (ls_pipeline_apply(p, logscore_setting_on_overflow(), PG_GETARG_INT64(0), &score, &fault))
	{
		case LS_APPLY_OK:
			break;
		case LS_APPLY_NULL:
			PG_RETURN_NULL();
		case LS_APPLY_OVERFLOW:
			logscore_report_overflow(p, &fault, true, 0);
	}
	PG_RETURN_INT64(score);
}

/*
 * logscore(value bigint, pipeline text): IMMUTABLE, so its result may not
 * depend on any setting; an overflow is always an error.
 */
Datum
logscore_explicit(PG_FUNCTION_ARGS)
{
	const ls_pipeline *p = logscore_pipeline_arg(fcinfo, 1);
	int64		score;
	ls_fault	fault;

	if (ls_pipeline_apply(p, LS_OVERFLOW_ERROR, PG_GETARG_INT64(0), &score, &fault) != LS_APPLY_OK)
		logscore_report_overflow(p, &fault, false, 0);
	PG_RETURN_INT64(score);
}

/*
 * logscore(value bigint, pipeline text, on_overflow text): IMMUTABLE too, the
 * overflow policy an argument; what logscore(value) becomes where settings
 * do not travel (see setting_forms.c).
 */
Datum
logscore_explicit_overflow(PG_FUNCTION_ARGS)
{
	const ls_pipeline *p = logscore_pipeline_arg(fcinfo, 1);
	ls_overflow_mode mode = logscore_overflow_arg(fcinfo, 2);
	int64		score;
	ls_fault	fault;

	switch (ls_pipeline_apply(p, mode, PG_GETARG_INT64(0), &score, &fault))
	{
		case LS_APPLY_OK:
			break;
		case LS_APPLY_NULL:
			PG_RETURN_NULL();
		case LS_APPLY_OVERFLOW:
			logscore_report_overflow(p, &fault, false, 0);
	}
	PG_RETURN_INT64(score);
}
