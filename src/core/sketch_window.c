/*
 * sketch_window.c
 *	  The sliding-frame sketch: ties of the minimum and maximum, Welford's
 *	  update undone, and the checks that send a removal back for a rebuild.
 *	  See sketch_window.h for the rules.
 */
#include "sketch_window.h"

#include <math.h>
#include <string.h>

/* As in moving_moments.c: below 2^-20 of the peak, rounding could show. */
#define CANCELLATION 0x1p-20
#define REBUILD_REMOVALS_PER_VALUE 16
#define REBUILD_REMOVALS_MIN 64

ls_sketch_status
ls_sketch_window_init(ls_sketch_window *w, double alpha, const ls_allocator *allocator)
{
	memset(w, 0, sizeof(*w));
	return ls_sketch_init(&w->sketch, alpha, allocator);
}

void
ls_sketch_window_free(ls_sketch_window *w)
{
	ls_sketch_free(&w->sketch);
}

ls_sketch_status
ls_sketch_window_add(ls_sketch_window *w, double x)
{
	ls_sketch  *s = &w->sketch;
	uint64_t	before = s->count;
	double		old_min = s->min;
	double		old_max = s->max;
	ls_sketch_status status;

	/*
	 * Buckets emptied by removals still widen the stores; dropped before an
	 * add that would otherwise collapse one, the sketch collapses exactly
	 * when the frame's own values need it to, as a rebuild would.
	 */
	if (!ls_sketch_fits(s, x))
		ls_sketch_shrink(s);
	status = ls_sketch_add(s, x);
	if (status != LS_SKETCH_OK)
		return status;

	if (before == 0)
		w->min_ties = w->max_ties = 1;
	else
	{
		if (x < old_min)
			w->min_ties = 1;
		else if (x == old_min)
			w->min_ties++;
		if (x > old_max)
			w->max_ties = 1;
		else if (x == old_max)
			w->max_ties++;
	}
	w->abs_sum += fabs(x);
	if (w->abs_sum > w->abs_sum_peak)
		w->abs_sum_peak = w->abs_sum;
	if (s->m2 > w->m2_peak)
		w->m2_peak = s->m2;
	return LS_SKETCH_OK;
}

/* The window after its last value left: empty, of the same accuracy. */
static void
window_empty(ls_sketch_window *w)
{
	ls_sketch  *s = &w->sketch;

	s->count = 0;
	s->zero_count = 0;
	s->sum = s->mean = s->m2 = 0.0;
	s->min = s->max = 0.0;
	ls_sketch_shrink(s);
	w->min_ties = w->max_ties = 0;
	w->abs_sum = w->abs_sum_peak = w->m2_peak = 0.0;
	w->removals = 0;
}

ls_sketch_window_status
ls_sketch_window_remove(ls_sketch_window *w, double x)
{
	ls_sketch  *s = &w->sketch;
	double		delta;

	if (s->count == 0 || !ls_sketch_uncount(s, x))
		return LS_SKETCH_WINDOW_REBUILD;
	if (s->count == 1)
	{
		/* the one value held: exactly x, or the state is not the frame's */
		if (x != s->min)
			return LS_SKETCH_WINDOW_REBUILD;
		window_empty(w);
		return LS_SKETCH_WINDOW_OK;
	}

	/* the next minimum or maximum is known only when another equals it */
	if (x < s->min || x > s->max)
		return LS_SKETCH_WINDOW_REBUILD;
	if (x == s->min)
	{
		if (w->min_ties <= 1)
			return LS_SKETCH_WINDOW_REBUILD;
		w->min_ties--;
	}
	if (x == s->max)
	{
		if (w->max_ties <= 1)
			return LS_SKETCH_WINDOW_REBUILD;
		w->max_ties--;
	}

	/* Welford's add undone: the mean before x came, then m2 */
	s->count--;
	s->sum -= x;
	delta = x - s->mean;
	s->mean -= delta / (double) s->count;
	s->m2 -= delta * (x - s->mean);
	if (s->mean < s->min)
		s->mean = s->min;
	else if (s->mean > s->max)
		s->mean = s->max;
	w->abs_sum -= fabs(x);
	w->removals++;

	if (!isfinite(s->sum) || !isfinite(s->mean) || !isfinite(s->m2) || s->m2 < 0.0 ||
		s->m2 < w->m2_peak * CANCELLATION || w->abs_sum < w->abs_sum_peak * CANCELLATION ||
		w->removals > REBUILD_REMOVALS_PER_VALUE * s->count + REBUILD_REMOVALS_MIN)
		return LS_SKETCH_WINDOW_REBUILD;
	return LS_SKETCH_WINDOW_OK;
}
