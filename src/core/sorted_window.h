/*
 * sorted_window.h
 *	  The robust z-score of a window frame's last row against the rows
 *	  before it ("the others"): their median and interquartile range, read
 *	  from a sorted array of them as percentile_cont reads them.
 *
 * Pure C99: no PostgreSQL header.  Arrays grow through the caller's
 * allocator.
 */
#ifndef LOGSCORE_SORTED_WINDOW_H
#define LOGSCORE_SORTED_WINDOW_H

#include "robust_z.h"
#include "window.h"

/*
 * The quantile p in [0, 1] of n >= 1 sorted values as percentile_cont
 * computes it: linear interpolation at position p * (n - 1).
 */
extern double ls_sorted_quantile(const double *sorted, size_t n, double p);

/*
 * Sorts n doubles, none of them NaN, into ascending order.  The plain form
 * sorts all its rows at once, which over millions of rows takes seconds, so
 * a caller that must be able to stop it gives its own (PostgreSQL's glue:
 * qsort_interruptible).  It may leave by a longjmp; the state then still
 * holds the same rows, only with its pending ones in another order.
 */
typedef void (*ls_sort_doubles) (double *values, size_t n);

/*
 * The state of logscore_robust_zscore.  The moving form inserts each of the
 * others into the sorted array where it belongs (a binary search and a
 * memmove), and finds and takes out the one leaving.  The plain form only
 * appends, unsorted, to pending; ls_sorted_window_settle sorts what is
 * pending and merges it in, so a GROUP BY over many rows costs a sort, not
 * a memmove per row.
 */
typedef struct ls_sorted_window
{
	double	   *sorted;			/* the non-NULL others, ascending */
	size_t		nsorted;
	size_t		sorted_capacity;
	double	   *pending;		/* plain form: others not sorted in yet */
	size_t		npending;
	size_t		pending_capacity;
	uint64_t	null_others;
	double		min_spread;		/* the floor of the spread; < 0: the default */
	ls_window_last last;
	bool		moving;
	const ls_allocator *allocator;
	ls_sort_doubles sort;		/* NULL: the C library's qsort */
} ls_sorted_window;

extern void ls_sorted_window_init(ls_sorted_window *w, bool moving,
								  const ls_allocator *allocator);

/*
 * The floor of the spread the score uses from now on: >= 0, or
 * LS_MIN_SPREAD_DEFAULT (what init sets) for the default floor.
 */
extern void ls_sorted_window_set_min_spread(ls_sorted_window *w, double min_spread);

/* The sort ls_sorted_window_settle uses from now on; NULL for qsort. */
extern void ls_sorted_window_set_sort(ls_sorted_window *w, ls_sort_doubles sort);
extern void ls_sorted_window_free(ls_sorted_window *w);

/* Adds a row at the frame's end; LS_WINDOW_BAD_VALUE for non-finite x. */
extern ls_window_status ls_sorted_window_push(ls_sorted_window *w, bool isnull, double x);

/*
 * Removes the frame's first row, whose value was (isnull, x): one of the
 * others, or the last row when there are no others.  Moving form only;
 * LS_WINDOW_INCONSISTENT when the state holds no such row.
 */
extern ls_window_status ls_sorted_window_pop(ls_sorted_window *w, bool isnull, double x);

/*
 * Sorts the pending others (with the state's sort) into the sorted array.
 * It changes how the state is stored, not what it holds: rows may still be
 * pushed afterwards.
 */
extern ls_window_status ls_sorted_window_settle(ls_sorted_window *w);

/*
 * (x - median) / max(IQR / 1.349, floor) of the last row against the
 * others, which must be settled, the floor min_spread or the default one
 * (robust_z.h) from the others' median:
 * LS_WINDOW_NO_SCORE for fewer than 4 others, a spread of 0 (min_spread =
 * 0 and an IQR of 0) or a NULL last row; LS_WINDOW_OVERFLOW when the score
 * is not finite.
 */
extern ls_window_status ls_sorted_window_score(const ls_sorted_window *w, double *z);

#endif							/* LOGSCORE_SORTED_WINDOW_H */
