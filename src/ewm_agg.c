/*
 * ewm_agg.c
 *	  The aggregates logscore_ewm(value, ts, half_life) and
 *	  logscore_merge(logscore_ewm), and what is read from a logscore_ewm:
 *	  mean, standard deviation, z-score and count.
 *
 * The state is a logscore_ewm itself, not internal, so partial states are
 * ordinary validated values that cross workers, partitions and shards.  It
 * has a fixed size, so inside an aggregate it is changed in place, as
 * PostgreSQL's float8_accum does: a non-NULL state handed to a transition
 * function always lives in the aggregate's memory, since nodeAgg copies
 * every new state there.  Called as plain functions they never change an
 * argument.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_ewm_add);
PG_FUNCTION_INFO_V1(logscore_ewm_combine);
PG_FUNCTION_INFO_V1(logscore_ewm_mean);
PG_FUNCTION_INFO_V1(logscore_ewm_stddev);
PG_FUNCTION_INFO_V1(logscore_ewm_zscore);
PG_FUNCTION_INFO_V1(logscore_ewm_count);

static char *
interval_text(const Interval *span)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(span)));
}

/* A half-life in microseconds, from an interval of days, hours, ... only. */
static int64
half_life_usecs(const Interval *span)
{
	int64		days;
	int64		usecs;

	if (span->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_ewm half-life must not contain months or years"),
				 errdetail("The half-life given is %s; a month has no fixed length.",
						   interval_text(span)),
				 errhint("Give the half-life in days, hours, minutes or seconds, e.g. interval '30 days'; a day counts as 24 hours.")));
	if (pg_mul_s64_overflow((int64) span->day, USECS_PER_DAY, &days) ||
		pg_add_s64_overflow(days, span->time, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_ewm half-life is out of range"),
				 errdetail("The half-life given is %s.", interval_text(span))));
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_ewm half-life must be positive"),
				 errdetail("The half-life given is %s.", interval_text(span))));
	return usecs;
}

static char *
usecs_text(int64 usecs)
{
	Interval	span;

	span.time = usecs;
	span.day = 0;
	span.month = 0;
	return interval_text(&span);
}

/*
 * logscore_ewm_add(state logscore_ewm, value float8, ts timestamptz,
 *					half_life interval): the aggregate's transition.  Rows
 * whose value or ts is NULL are skipped; a NULL half-life is an error.
 */
Datum
logscore_ewm_add(PG_FUNCTION_ARGS)
{
	bool		in_aggregate = AggCheckCallContext(fcinfo, NULL) != 0;
	int64		half_life;
	double		value;
	TimestampTz ts;
	LogscoreEwm *state;
	ls_ewm		one;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("logscore_ewm half-life must not be null")));
	half_life = half_life_usecs(PG_GETARG_INTERVAL_P(3));

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	value = PG_GETARG_FLOAT8(1);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	if (TIMESTAMP_NOT_FINITE(ts))
		logscore_check_ewm(LS_EWM_BAD_TIME);
	logscore_check_ewm(ls_ewm_init(&one, value, ts, half_life));

	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(logscore_ewm_new(&one));

	state = logscore_ewm_arg(fcinfo, 0);
	if (state->ewm.half_life != half_life)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("all rows of a logscore_ewm aggregate must have the same half-life"),
				 errdetail("The aggregate's half-life is %s; this row's is %s.",
						   usecs_text(state->ewm.half_life), usecs_text(half_life))));
	if (!in_aggregate)
		state = logscore_ewm_new(&state->ewm);
	logscore_check_ewm(ls_ewm_merge(&state->ewm, &one));
	PG_RETURN_POINTER(state);
}

/*
 * logscore_ewm_combine(state logscore_ewm, other logscore_ewm): the combine
 * function of both aggregates, and logscore_merge's transition.
 */
Datum
logscore_ewm_combine(PG_FUNCTION_ARGS)
{
	bool		in_aggregate = AggCheckCallContext(fcinfo, NULL) != 0;
	LogscoreEwm *state;
	LogscoreEwm *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	other = logscore_ewm_arg(fcinfo, 1);

	/* the other value may be a table's or another group's: always copy it */
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(logscore_ewm_new(&other->ewm));

	state = logscore_ewm_arg(fcinfo, 0);
	if (!in_aggregate)
		state = logscore_ewm_new(&state->ewm);
	logscore_check_ewm(ls_ewm_merge(&state->ewm, &other->ewm));
	PG_RETURN_POINTER(state);
}

Datum
logscore_ewm_mean(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(logscore_ewm_arg(fcinfo, 0)->ewm.mean);
}

Datum
logscore_ewm_stddev(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(ls_ewm_stddev(&logscore_ewm_arg(fcinfo, 0)->ewm));
}

/*
 * logscore_ewm_zscore(e, x) = (x - mean) / stddev; NULL when stddev is 0.
 * NaN and overflow are errors, as for the other scores (logscore_anomaly,
 * the window scores): a silent NaN or Infinity would pass a threshold test
 * the wrong way.
 */
Datum
logscore_ewm_zscore(PG_FUNCTION_ARGS)
{
	LogscoreEwm *value = logscore_ewm_arg(fcinfo, 0);
	double		x = PG_GETARG_FLOAT8(1);
	double		z;

	if (isnan(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_ewm_zscore of NaN is undefined")));
	if (!ls_ewm_zscore(&value->ewm, x, &z))
		PG_RETURN_NULL();
	if (isinf(z) && !isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("logscore_ewm_zscore is out of range for type double precision"),
				 errdetail("The value %s is too far from the mean %s for the standard deviation %s.",
						   float8out_internal(x), float8out_internal(value->ewm.mean),
						   float8out_internal(ls_ewm_stddev(&value->ewm)))));
	PG_RETURN_FLOAT8(z);
}

Datum
logscore_ewm_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(logscore_ewm_arg(fcinfo, 0)->ewm.count);
}
