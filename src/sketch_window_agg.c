/*
 * sketch_window_agg.c
 *	  The moving-aggregate form of logscore_sketch(value [, accuracy]): a
 *	  sliding window frame adds the row that enters and removes the one that
 *	  leaves (core/sketch_window.c) instead of rebuilding the sketch from
 *	  every row of the frame.
 *
 * PostgreSQL uses these functions only for frames whose start moves; GROUP
 * BY and frames from UNBOUNDED PRECEDING keep the plain transition (an
 * expanded logscore_sketch, sketch_agg.c).  The state is internal: it lives
 * in the window's own aggregate context and never leaves it, so it may keep
 * what the binary format does not (the ties of the minimum and maximum).
 * When a removal cannot keep the sketch exact, the inverse function returns
 * NULL and PostgreSQL rebuilds the state from the frame's rows, as the
 * inverse transition protocol allows: never a wrong answer.
 */
#include "postgres.h"

#include "fmgr.h"

#include "core/sketch_window.h"
#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_moving_add);
PG_FUNCTION_INFO_V1(logscore_sketch_moving_remove);
PG_FUNCTION_INFO_V1(logscore_sketch_moving_final);

/*
 * A moving-aggregate transition must never return NULL, so a frame that
 * starts with NULL values has a state before it has an accuracy: the
 * window is set up by the first value, with that row's accuracy, as the
 * plain form creates its state.
 */
typedef struct MovingSketch
{
	ls_allocator allocator;		/* allocates in the aggregate context */
	bool		started;		/* window is set up */
	ls_sketch_window window;
} MovingSketch;

/*
 * logscore_sketch_moving_add(state internal, value float8 [, accuracy
 * float8]): the row entering.  A NULL value is skipped, as the plain form
 * skips it (but the state exists: see MovingSketch); the accuracy rules are
 * the plain form's.
 */
Datum
logscore_sketch_moving_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = logscore_aggregate_context(fcinfo, "logscore_sketch_moving_add");
	MovingSketch *state = PG_ARGISNULL(0) ? NULL : (MovingSketch *) PG_GETARG_POINTER(0);
	double		alpha = LS_SKETCH_DEFAULT_ALPHA;

	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(MovingSketch));
		logscore_allocator_init(&state->allocator, aggcontext);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		alpha = PG_GETARG_FLOAT8(2);

	if (!state->started)
	{
		logscore_check_sketch(ls_sketch_window_init(&state->window, alpha, &state->allocator));
		state->started = true;
	}
	else if (PG_NARGS() > 2 && alpha != state->window.sketch.alpha)
	{
		/* the plain form's errors, word for word */
		logscore_sketch_check_accuracy(alpha);
		logscore_sketch_accuracy_mismatch(state->window.sketch.alpha, alpha);
	}
	logscore_check_sketch(ls_sketch_window_add(&state->window, PG_GETARG_FLOAT8(1)));
	PG_RETURN_POINTER(state);
}

/*
 * logscore_sketch_moving_remove(state internal, value float8 [, accuracy
 * float8]): the frame's first row leaves.  NULL (rebuild from the frame)
 * when the sketch could not stay exact without it, or holds no such value.
 */
Datum
logscore_sketch_moving_remove(PG_FUNCTION_ARGS)
{
	MovingSketch *state;

	logscore_aggregate_context(fcinfo, "logscore_sketch_moving_remove");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (MovingSketch *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	if (!state->started ||
		ls_sketch_window_remove(&state->window, PG_GETARG_FLOAT8(1)) != LS_SKETCH_WINDOW_OK)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/*
 * logscore_sketch_moving_final(state internal) → logscore_sketch: the
 * frame's sketch, flat (the window copies its result anyway); NULL for a
 * frame with no value, as the plain form gives.  Reads the state only.
 */
Datum
logscore_sketch_moving_final(PG_FUNCTION_ARGS)
{
	MovingSketch *state;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (MovingSketch *) PG_GETARG_POINTER(0);
	if (!state->started || state->window.sketch.count == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(logscore_sketch_flat(&state->window.sketch));
}
