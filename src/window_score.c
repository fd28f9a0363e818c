/*
 * window_score.c
 *	  The aggregates logscore_zscore(value) and logscore_robust_zscore(value
 *	  [, min_spread]):
 *	  the score of a window frame's last row against the rows before it, as
 *	  plain aggregates and as moving aggregates whose frame slides in O(1)
 *	  (z) or O(log w) plus a memmove (robust z) per row.
 *
 * The states are internal, allocated in the aggregate context, and never
 * leave it: the score of "the last row" depends on the order of the rows,
 * which partial states from parallel workers would not keep, so there is no
 * combine function: the aggregate runs above a Gather, over rows that
 * parallel workers may have scanned.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/memutils.h"

#include "core/moving_moments.h"
#include "core/sorted_window.h"
#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_zscore_add);
PG_FUNCTION_INFO_V1(logscore_zscore_moving_add);
PG_FUNCTION_INFO_V1(logscore_zscore_moving_remove);
PG_FUNCTION_INFO_V1(logscore_zscore_final);
PG_FUNCTION_INFO_V1(logscore_robust_zscore_add);
PG_FUNCTION_INFO_V1(logscore_robust_zscore_moving_add);
PG_FUNCTION_INFO_V1(logscore_robust_zscore_moving_remove);
PG_FUNCTION_INFO_V1(logscore_robust_zscore_final);

typedef struct ZscoreState
{
	ls_allocator allocator;		/* allocates in the aggregate context */
	ls_zscore_window window;
} ZscoreState;

typedef struct RobustState
{
	ls_allocator allocator;		/* allocates in the aggregate context */
	ls_sorted_window window;
} RobustState;

/*
 * Reports a status other than OK and NO_SCORE of aggregate's state.  An
 * inconsistent removal never gets here: the inverse functions answer it by
 * having PostgreSQL restart the aggregate.
 */
static void
check_window(ls_window_status status, const char *aggregate, double value)
{
	ls_error	err;

	if (likely(status == LS_WINDOW_OK || status == LS_WINDOW_NO_SCORE))
		return;
	ls_window_error(status, aggregate, value, &err);
	logscore_report_error(&err);
}

/* --- logscore_zscore --- */

static Datum
zscore_push(FunctionCallInfo fcinfo, bool moving)
{
	MemoryContext aggcontext = logscore_aggregate_context(fcinfo, "logscore_zscore");
	ZscoreState *state;
	bool		isnull = PG_ARGISNULL(1);
	double		value = isnull ? 0.0 : PG_GETARG_FLOAT8(1);

	if (PG_ARGISNULL(0))
	{
		state = MemoryContextAlloc(aggcontext, sizeof(ZscoreState));
		logscore_allocator_init(&state->allocator, aggcontext);
		ls_zscore_window_init(&state->window, moving, &state->allocator);
	}
	else
		state = (ZscoreState *) PG_GETARG_POINTER(0);

	check_window(ls_zscore_window_push(&state->window, isnull, value), "logscore_zscore", value);
	PG_RETURN_POINTER(state);
}

/* logscore_zscore_add(state internal, value float8): appends, no buffer */
Datum
logscore_zscore_add(PG_FUNCTION_ARGS)
{
	return zscore_push(fcinfo, false);
}

/* logscore_zscore_moving_add(state internal, value float8): appends, buffered */
Datum
logscore_zscore_moving_add(PG_FUNCTION_ARGS)
{
	return zscore_push(fcinfo, true);
}

/*
 * logscore_zscore_moving_remove(state internal, value float8): the oldest
 * row leaves.  When the leaving value is not the one the state holds (an
 * argument expression that is not as IMMUTABLE as it claims gives another
 * value the second time), NULL tells PostgreSQL to restart the aggregate
 * from the frame's rows, as the inverse transition protocol allows.
 */
Datum
logscore_zscore_moving_remove(PG_FUNCTION_ARGS)
{
	ZscoreState *state;
	bool		isnull = PG_ARGISNULL(1);
	ls_window_status status;

	logscore_aggregate_context(fcinfo, "logscore_zscore");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (ZscoreState *) PG_GETARG_POINTER(0);
	status = ls_zscore_window_pop(&state->window, isnull, isnull ? 0.0 : PG_GETARG_FLOAT8(1));
	if (status == LS_WINDOW_INCONSISTENT)
		PG_RETURN_NULL();
	check_window(status, "logscore_zscore", 0.0);
	PG_RETURN_POINTER(state);
}

/* logscore_zscore_final(state internal): reads the state, never changes it */
Datum
logscore_zscore_final(PG_FUNCTION_ARGS)
{
	ZscoreState *state;
	double		z = 0.0;
	ls_window_status status;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (ZscoreState *) PG_GETARG_POINTER(0);
	status = ls_zscore_window_score(&state->window, &z);
	if (status == LS_WINDOW_NO_SCORE)
		PG_RETURN_NULL();
	check_window(status, "logscore_zscore", 0.0);
	PG_RETURN_FLOAT8(z);
}

/* --- logscore_robust_zscore --- */

static int
compare_float8(const void *a, const void *b, void *arg)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * The plain form's sort of all its rows, in its final function: over
 * millions of rows it takes seconds, and qsort_interruptible lets a cancel
 * or a statement_timeout stop it, as the C library's qsort would not.
 */
static void
sort_interruptible(double *values, size_t n)
{
	qsort_interruptible(values, n, sizeof(double), compare_float8, NULL);
}

static Datum
robust_push(FunctionCallInfo fcinfo, bool moving)
{
	MemoryContext aggcontext = logscore_aggregate_context(fcinfo, "logscore_robust_zscore");
	RobustState *state;
	bool		isnull = PG_ARGISNULL(1);
	double		value = isnull ? 0.0 : PG_GETARG_FLOAT8(1);

	if (PG_ARGISNULL(0))
	{
		state = MemoryContextAlloc(aggcontext, sizeof(RobustState));
		logscore_allocator_init(&state->allocator, aggcontext);
		ls_sorted_window_init(&state->window, moving, &state->allocator);
		ls_sorted_window_set_sort(&state->window, sort_interruptible);
	}
	else
		state = (RobustState *) PG_GETARG_POINTER(0);

	/* the row scored is the last one: its min_spread is the one that counts */
	if (PG_NARGS() > 2)
		ls_sorted_window_set_min_spread(&state->window,
										logscore_min_spread_arg(fcinfo, 2, "logscore_robust_zscore"));
	check_window(ls_sorted_window_push(&state->window, isnull, value),
				 "logscore_robust_zscore", value);
	PG_RETURN_POINTER(state);
}

/*
 * logscore_robust_zscore_add(state internal, value float8 [, min_spread
 * float8]): appends unsorted
 */
Datum
logscore_robust_zscore_add(PG_FUNCTION_ARGS)
{
	return robust_push(fcinfo, false);
}

/*
 * logscore_robust_zscore_moving_add(state internal, value float8 [,
 * min_spread float8]): inserts sorted
 */
Datum
logscore_robust_zscore_moving_add(PG_FUNCTION_ARGS)
{
	return robust_push(fcinfo, true);
}

/*
 * logscore_robust_zscore_moving_remove(state internal, value float8 [,
 * min_spread float8]): the oldest row leaves; NULL (restart) when the state
 * does not hold it, as for logscore_zscore_moving_remove.  The leaving
 * row's min_spread does not matter: the last row's is the one kept.
 */
Datum
logscore_robust_zscore_moving_remove(PG_FUNCTION_ARGS)
{
	RobustState *state;
	bool		isnull = PG_ARGISNULL(1);
	ls_window_status status;

	logscore_aggregate_context(fcinfo, "logscore_robust_zscore");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RobustState *) PG_GETARG_POINTER(0);
	status = ls_sorted_window_pop(&state->window, isnull, isnull ? 0.0 : PG_GETARG_FLOAT8(1));
	if (status == LS_WINDOW_INCONSISTENT)
		PG_RETURN_NULL();
	check_window(status, "logscore_robust_zscore", 0.0);
	PG_RETURN_POINTER(state);
}

/*
 * logscore_robust_zscore_final(state internal)
 *
 * In the plain form it sorts the rows appended since its last call into the
 * sorted array.  That changes how the state is stored, not the rows it
 * holds, and rows may still be added afterwards, so the function is
 * READ_ONLY in the sense PostgreSQL asks for: a window over a frame from
 * UNBOUNDED PRECEDING calls it after each row and goes on adding rows, and
 * aggregate calls that share the state each see the same rows.  Its memory
 * comes from the state's own allocator (the aggregate context), not from the
 * short-lived context the final function runs in.
 */
Datum
logscore_robust_zscore_final(PG_FUNCTION_ARGS)
{
	RobustState *state;
	double		z = 0.0;
	ls_window_status status;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (RobustState *) PG_GETARG_POINTER(0);
	check_window(ls_sorted_window_settle(&state->window), "logscore_robust_zscore", 0.0);
	status = ls_sorted_window_score(&state->window, &z);
	if (status == LS_WINDOW_NO_SCORE)
		PG_RETURN_NULL();
	check_window(status, "logscore_robust_zscore", 0.0);
	PG_RETURN_FLOAT8(z);
}
