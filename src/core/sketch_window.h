/*
 * sketch_window.h
 *	  A logscore_sketch over a sliding window frame: values enter at the
 *	  frame's end and leave from its start, so a frame of W rows costs O(1)
 *	  per row rather than rebuilding the sketch from W rows.
 *
 * Pure C99: no PostgreSQL header.
 *
 * The sketch stays the one a build from the frame's rows gives: the same
 * count, zero count, buckets, minimum and maximum (what
 * ls_sketch_same_distribution compares), and the sum, mean and m2 to
 * rounding.  Where a removal cannot keep that, it says so and the caller
 * rebuilds the sketch from the frame (PostgreSQL restarts the aggregate):
 *
 * - the value leaving is the minimum or the maximum, and no other value
 *   held equals it (the next one is then unknown);
 * - the sketch has collapsed (its lowest buckets merged), so the bucket of
 *   the value leaving is no longer known, or no count for it is held;
 * - the removal cancels m2 or the sum of magnitudes below 2^-20 of their
 *   peak since the rebuild (a burst leaving): what remains would be
 *   rounding of the large values, as in moving_moments.c;
 * - 16 removals per value held (and 64 more) have happened since the
 *   rebuild, which bounds the rounding that the sum, mean and m2 gather.
 */
#ifndef LOGSCORE_SKETCH_WINDOW_H
#define LOGSCORE_SKETCH_WINDOW_H

#include "sketch.h"

typedef struct ls_sketch_window
{
	ls_sketch	sketch;
	uint64_t	min_ties;		/* values held equal to sketch.min */
	uint64_t	max_ties;		/* values held equal to sketch.max */
	double		abs_sum;		/* sum of |x| held */
	double		abs_sum_peak;	/* largest abs_sum since the rebuild */
	double		m2_peak;		/* largest m2 since the rebuild */
	uint64_t	removals;		/* since the rebuild */
} ls_sketch_window;

typedef enum ls_sketch_window_status
{
	LS_SKETCH_WINDOW_OK,
	LS_SKETCH_WINDOW_REBUILD	/* the removal cannot be kept exact */
} ls_sketch_window_status;

extern ls_sketch_status ls_sketch_window_init(ls_sketch_window *w, double alpha,
											  const ls_allocator *allocator);
extern void ls_sketch_window_free(ls_sketch_window *w);

/* Adds x at the frame's end; the errors of ls_sketch_add. */
extern ls_sketch_status ls_sketch_window_add(ls_sketch_window *w, double x);

/*
 * Removes x, the frame's first value.  On LS_SKETCH_WINDOW_REBUILD the
 * window may be half changed: the caller drops it and builds it anew.
 */
extern ls_sketch_window_status ls_sketch_window_remove(ls_sketch_window *w, double x);

#endif							/* LOGSCORE_SKETCH_WINDOW_H */
