/*
 * detector_agg.c
 *	  The online detector in SQL: the transition shared by the window
 *	  aggregate logscore_detect(value, ts [, options]), the aggregate
 *	  logscore_detector(value, ts [, options]) and the plain function
 *	  logscore_detector_update(state, value, ts [, options]); the window's
 *	  final function; and logscore_detector_score(state, value, ts).
 *
 * The transition scores each value against the state of the rows before it,
 * then learns it, and keeps that score in the state, so a running window
 * frame reads it with a read-only final function and never restarts.  The
 * state has a fixed size: inside an aggregate it is changed in place, as
 * logscore_ewm's is; called as a plain function it is copied.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_detector_step);
PG_FUNCTION_INFO_V1(logscore_detector_result);
PG_FUNCTION_INFO_V1(logscore_detector_score);

/*
 * The options text last parsed and what it parsed to: every row of an
 * aggregate passes the same text, which is compared, not parsed again.
 */
typedef struct OptionsCache
{
	ls_detector_options options;
	Size		length;
	char		text[FLEXIBLE_ARRAY_MEMBER];
} OptionsCache;

/* The options of argument argno: the defaults when absent or NULL. */
static void
options_arg(FunctionCallInfo fcinfo, int argno, ls_detector_options *o)
{
	OptionsCache *cache = (OptionsCache *) fcinfo->flinfo->fn_extra;
	text	   *t;
	const char *data;
	Size		length;
	ls_error	err;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
	{
		ls_detector_default_options(o);
		return;
	}
	t = PG_GETARG_TEXT_PP(argno);
	data = VARDATA_ANY(t);
	length = VARSIZE_ANY_EXHDR(t);
	if (cache != NULL && cache->length == length && memcmp(cache->text, data, length) == 0)
	{
		*o = cache->options;
		return;
	}
	if (!ls_detector_parse_options(o, data, length, &err))
		logscore_report_error(&err);
	if (cache == NULL || cache->length < length)
	{
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
								   offsetof(OptionsCache, text) + length + 1);
		fcinfo->flinfo->fn_extra = cache;
	}
	cache->options = *o;
	cache->length = length;
	memcpy(cache->text, data, length);
}

/*
 * A row the detector cannot take: an infinite time or value, or a time
 * before the state's newest (state may be NULL).
 */
static void
check_row(double value, TimestampTz ts, const LogscoreDetector *state)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_detector timestamps must be finite")));
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_detector values must be finite"),
				 errdetail("The value is %s.", float8out_internal(value))));
	if (fabs(value) > LS_DETECTOR_VALUE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("logscore_detector values must be within -1e150 and 1e150"),
				 errdetail("The value is %s.", float8out_internal(value))));
	if (state != NULL && ts < state->detector.last)
	{
		/* timestamptz_to_str returns one static buffer: copy the first */
		char	   *row_time = pstrdup(timestamptz_to_str(ts));
		char	   *newest = pstrdup(timestamptz_to_str(state->detector.last));

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_detector rows must come in time order"),
				 errdetail("A row at %s comes after one at %s.", row_time, newest),
				 errhint("Order the rows by time: OVER (PARTITION BY series ORDER BY ts).")));
	}
}

/*
 * logscore_detector_step(state, value, ts [, options]): scores value at ts
 * against state, then learns it.  A NULL value or ts learns nothing and
 * leaves no score; a NULL state starts a new one, whose first score is 0.
 */
Datum
logscore_detector_step(PG_FUNCTION_ARGS)
{
	bool		in_aggregate = AggCheckCallContext(fcinfo, NULL) != 0;
	LogscoreDetector *state = NULL;
	double		value;
	TimestampTz ts;
	ls_detector_options o;
	ls_error	err;

	if (!PG_ARGISNULL(0))
	{
		state = logscore_detector_arg(fcinfo, 0);
		if (!in_aggregate)
			state = logscore_detector_new(&state->detector);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		state->detector.score = -1;
		PG_RETURN_POINTER(state);
	}
	value = PG_GETARG_FLOAT8(1);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	check_row(value, ts, state);
	options_arg(fcinfo, 3, &o);

	if (state == NULL)
	{
		ls_detector d;

		ls_detector_init(&d, &o, value, ts);
		PG_RETURN_POINTER(logscore_detector_new(&d));
	}
	if (PG_NARGS() > 3 &&
		memcmp(&o, &state->detector.options, sizeof(o)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_detector options differ from the state's"),
				 errdetail("A state keeps the options it was made with; every row must pass the same ones.")));
	if (!ls_detector_update(&state->detector, value, ts, &err))
		logscore_report_error(&err);
	PG_RETURN_POINTER(state);
}

/* The final function of logscore_detect: the newest row's score. */
Datum
logscore_detector_result(PG_FUNCTION_ARGS)
{
	LogscoreDetector *state = logscore_detector_arg(fcinfo, 0);

	if (state->detector.score < 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(state->detector.score);
}

/*
 * logscore_detector_score(state, value, ts): the score value at ts would get
 * from the state, which is not changed.
 */
Datum
logscore_detector_score(PG_FUNCTION_ARGS)
{
	LogscoreDetector *state = logscore_detector_arg(fcinfo, 0);
	double		value = PG_GETARG_FLOAT8(1);
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(2);
	double		score;
	ls_error	err;

	check_row(value, ts, state);
	if (!ls_detector_score(&state->detector, value, ts, &score, &err))
		logscore_report_error(&err);
	PG_RETURN_FLOAT8(score);
}
