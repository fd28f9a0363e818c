/*
 * window.c
 *	  The words for the window scores' statuses (window.h): what a failing
 *	  push, pop or score tells the user, for either aggregate.
 */
#include "window.h"

#include <math.h>

/*
 * How a value the window refused is written: only NaN and the infinities
 * are refused, and these are PostgreSQL's spellings of them.
 */
static const char *
refused_value(double value)
{
	if (isnan(value))
		return "NaN";
	if (isinf(value))
		return value < 0 ? "-Infinity" : "Infinity";
	return "a finite number";
}

void
ls_window_error(ls_window_status status, const char *aggregate, double value,
				ls_error *err)
{
	switch (status)
	{
		case LS_WINDOW_OK:
		case LS_WINDOW_NO_SCORE:
			ls_error_clear(err);
			return;
		case LS_WINDOW_BAD_VALUE:
			ls_error_set(err, LS_ERROR_INVALID, 0, "%s accepts only finite values", aggregate);
			ls_error_detail(err, "The value %s has no place in a mean, a standard deviation or a quantile.",
							refused_value(value));
			ls_error_hint(err, "Filter out NaN and infinite values, or turn them into NULL with NULLIF.");
			return;
		case LS_WINDOW_OVERFLOW:
			ls_error_set(err, LS_ERROR_OUT_OF_RANGE, 0,
						 "%s is out of range for type double precision", aggregate);
			ls_error_detail(err, "The frame's values are too large, or their spread too small, for the score to be finite.");
			return;
		case LS_WINDOW_TOO_LARGE:
			ls_error_set(err, LS_ERROR_LIMIT, 0, "%s cannot hold that many rows", aggregate);
			return;
		case LS_WINDOW_INCONSISTENT:
			ls_error_set(err, LS_ERROR_INTERNAL, 0, "%s: inconsistent window state", aggregate);
			return;
	}
	ls_error_set(err, LS_ERROR_INTERNAL, 0, "%s: unknown window status %d",
				 aggregate, (int) status);
}
