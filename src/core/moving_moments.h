/*
 * moving_moments.h
 *	  The z-score of a window frame's last row against the rows before it
 *	  ("the others"): their mean and sample standard deviation, kept by
 *	  Welford's updates as rows enter and, in the moving form, leave.
 *
 * Pure C99: no PostgreSQL header.  The moving form keeps the others in a
 * ring buffer that grows through the caller's allocator.
 */
#ifndef LOGSCORE_MOVING_MOMENTS_H
#define LOGSCORE_MOVING_MOMENTS_H

#include "window.h"

/*
 * Moments of a sequence of finite values, the oldest removable first.
 * They are kept for x - reference rather than x: values near 1e9 that vary
 * by 1 then differ from the reference exactly, and the mean's rounding is
 * that of a number near 1, not near 1e9.
 */
typedef struct ls_moments
{
	uint64_t	n;
	double		reference;
	double		mean;			/* of x - reference */
	double		m2;				/* sum of squared deviations from the mean */
	double		m2_peak;		/* largest m2 since the moments were exact */

	/*
	 * The run of identical values at the end of the sequence.  The spread is
	 * zero exactly when the run covers every value, whatever m2's rounding.
	 */
	double		run_value;
	uint64_t	run_length;
} ls_moments;

extern void ls_moments_add(ls_moments *m, double x);

/* Removes x, the oldest value; the moments may then need ls_moments_exact. */
extern void ls_moments_remove_oldest(ls_moments *m, double x);

/*
 * True when removals may have cancelled m2 away to rounding noise, or left
 * non-finite moments behind: then recompute them exactly.
 */
extern bool ls_moments_drifted(const ls_moments *m);

/*
 * Sets the moments exactly (two passes) from the values, oldest first;
 * NaN entries stand for NULL and are skipped.  The values are given as two
 * slices, the two halves of a ring buffer.
 */
extern void ls_moments_exact(ls_moments *m, const double *first, size_t nfirst,
							 const double *second, size_t nsecond);

/* The sample standard deviation is zero (or undefined: fewer than 2 values). */
extern bool ls_moments_constant(const ls_moments *m);

/*
 * (x - mean) / sample stddev: LS_WINDOW_NO_SCORE for fewer than two values
 * or a spread of zero, LS_WINDOW_OVERFLOW when the score is not finite.
 */
extern ls_window_status ls_moments_zscore(const ls_moments *m, double x, double *z);

/*
 * The state of logscore_zscore: the frame's last row and the others.  The
 * plain form only appends (GROUP BY, frames from UNBOUNDED PRECEDING) and
 * needs no buffer.  The moving form keeps the others in a ring buffer (NaN
 * marks a NULL row: input is finite), which tells a removal what it removes
 * and lets the moments be recomputed exactly every max(others, 16) removals,
 * so their rounding cannot drift; amortised, a row still costs O(1).
 */
typedef struct ls_zscore_window
{
	ls_moments	others;			/* the non-NULL others */
	uint64_t	null_others;
	ls_window_last last;
	bool		moving;
	double	   *ring;
	size_t		ring_capacity;
	size_t		ring_head;		/* the oldest */
	size_t		ring_count;		/* NULL rows included */
	uint64_t	removals;		/* since the moments were last exact */
	const ls_allocator *allocator;
} ls_zscore_window;

extern void ls_zscore_window_init(ls_zscore_window *w, bool moving,
								  const ls_allocator *allocator);
extern void ls_zscore_window_free(ls_zscore_window *w);

/* Adds a row at the frame's end; LS_WINDOW_BAD_VALUE for non-finite x. */
extern ls_window_status ls_zscore_window_push(ls_zscore_window *w, bool isnull, double x);

/*
 * Removes the frame's first row, whose value was (isnull, x): the oldest of
 * the others, or the last row when there are no others.  Moving form only;
 * LS_WINDOW_INCONSISTENT when that is not the row the state holds.
 */
extern ls_window_status ls_zscore_window_pop(ls_zscore_window *w, bool isnull, double x);

/* The last row's z-score against the others, as ls_moments_zscore. */
extern ls_window_status ls_zscore_window_score(const ls_zscore_window *w, double *z);

#endif							/* LOGSCORE_MOVING_MOMENTS_H */
