/*
 * min_spread_arg.c
 *	  The min_spread argument of logscore_robust_zscore and logscore_anomaly:
 *	  the floor of the spread a robust z-score divides by, checked once, in
 *	  the same words for both.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

#include "logscore.h"

/*
 * Argument argno of function as a floor: finite and >= 0 (0 keeps the
 * spread as the interquartile range gives it, as before 0.7.0).  The
 * aggregate's is per row, so a NULL is an error there rather than a NULL
 * score; the function is STRICT and never gets one.
 */
double
logscore_min_spread_arg(FunctionCallInfo fcinfo, int argno, const char *function)
{
	double		min_spread;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s argument min_spread must not be null", function),
				 errhint("Leave the argument out for the default floor, or pass 0 for none.")));
	min_spread = PG_GETARG_FLOAT8(argno);
	if (!(isfinite(min_spread) && min_spread >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s argument min_spread must be a finite number of at least 0", function),
				 errdetail("The value given is %s.", float8out_internal(min_spread))));
	return min_spread;
}
