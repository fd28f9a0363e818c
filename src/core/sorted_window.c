/*
 * sorted_window.c
 *	  The sorted array of the others: binary insertion and removal, the
 *	  plain form's sort-and-merge, percentile_cont's quantiles, the robust z.
 */
#include "sorted_window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAPACITY 16
#define RELEASE_PENDING_ABOVE 4096

/* Makes *array hold at least needed doubles, keeping its first used ones. */
static ls_window_status
reserve(const ls_allocator *allocator, double **array, size_t *capacity,
		size_t used, size_t needed)
{
	size_t		grown;
	double	   *bigger;

	if (needed <= *capacity)
		return LS_WINDOW_OK;
	if (needed > SIZE_MAX / 2 / sizeof(double))
		return LS_WINDOW_TOO_LARGE;
	grown = *capacity == 0 ? INITIAL_CAPACITY : *capacity * 2;
	if (grown < needed)
		grown = needed;
	bigger = allocator->alloc(allocator->context, grown * sizeof(double));
	if (used > 0)
		memcpy(bigger, *array, used * sizeof(double));
	if (*array != NULL)
		allocator->release(allocator->context, *array);
	*array = bigger;
	*capacity = grown;
	return LS_WINDOW_OK;
}

/* The first index whose value is >= x (strict: > x). */
static size_t
search(const double *sorted, size_t n, double x, bool strict)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (sorted[mid] < x || (strict && sorted[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double
ls_sorted_quantile(const double *sorted, size_t n, double p)
{
	double		position = p * (double) (n - 1);
	double		first = floor(position);
	double		second = ceil(position);
	double		lo = sorted[(size_t) first];
	double		hi = sorted[(size_t) second];

	/* float8_lerp's formula, so that results match percentile_cont's bits */
	return lo + ((position - first) * (hi - lo));
}

void
ls_sorted_window_init(ls_sorted_window *w, bool moving, const ls_allocator *allocator)
{
	memset(w, 0, sizeof(*w));
	w->moving = moving;
	w->allocator = allocator;
	w->min_spread = LS_MIN_SPREAD_DEFAULT;
}

void
ls_sorted_window_set_min_spread(ls_sorted_window *w, double min_spread)
{
	w->min_spread = min_spread;
}

void
ls_sorted_window_set_sort(ls_sorted_window *w, ls_sort_doubles sort)
{
	w->sort = sort;
}

void
ls_sorted_window_free(ls_sorted_window *w)
{
	if (w->sorted != NULL)
		w->allocator->release(w->allocator->context, w->sorted);
	if (w->pending != NULL)
		w->allocator->release(w->allocator->context, w->pending);
	w->sorted = w->pending = NULL;
	w->nsorted = w->npending = w->sorted_capacity = w->pending_capacity = 0;
}

static ls_window_status
insert_sorted(ls_sorted_window *w, double x)
{
	size_t		at;
	ls_window_status status;

	status = reserve(w->allocator, &w->sorted, &w->sorted_capacity, w->nsorted, w->nsorted + 1);
	if (status != LS_WINDOW_OK)
		return status;
	/* after its equals: the memmove is then shortest for a rising series */
	at = search(w->sorted, w->nsorted, x, true);
	memmove(w->sorted + at + 1, w->sorted + at, (w->nsorted - at) * sizeof(double));
	w->sorted[at] = x;
	w->nsorted++;
	return LS_WINDOW_OK;
}

static ls_window_status
append_pending(ls_sorted_window *w, double x)
{
	ls_window_status status;

	status = reserve(w->allocator, &w->pending, &w->pending_capacity, w->npending, w->npending + 1);
	if (status != LS_WINDOW_OK)
		return status;
	w->pending[w->npending++] = x;
	return LS_WINDOW_OK;
}

ls_window_status
ls_sorted_window_push(ls_sorted_window *w, bool isnull, double x)
{
	if (!isnull && !isfinite(x))
		return LS_WINDOW_BAD_VALUE;

	if (w->last.present)
	{
		if (w->last.isnull)
			w->null_others++;
		else
		{
			ls_window_status status = w->moving ?
				insert_sorted(w, w->last.value) : append_pending(w, w->last.value);

			if (status != LS_WINDOW_OK)
				return status;
		}
	}
	w->last.present = true;
	w->last.isnull = isnull;
	w->last.value = isnull ? 0.0 : x;
	return LS_WINDOW_OK;
}

ls_window_status
ls_sorted_window_pop(ls_sorted_window *w, bool isnull, double x)
{
	if (!w->moving || w->npending > 0)
		return LS_WINDOW_INCONSISTENT;

	if (w->nsorted > 0 || w->null_others > 0)
	{
		size_t		at;

		if (isnull)
		{
			if (w->null_others == 0)
				return LS_WINDOW_INCONSISTENT;
			w->null_others--;
			return LS_WINDOW_OK;
		}
		if (isnan(x))
			return LS_WINDOW_INCONSISTENT;
		at = search(w->sorted, w->nsorted, x, false);
		if (at == w->nsorted || w->sorted[at] != x)
			return LS_WINDOW_INCONSISTENT;
		memmove(w->sorted + at, w->sorted + at + 1, (w->nsorted - at - 1) * sizeof(double));
		w->nsorted--;
		return LS_WINDOW_OK;
	}

	/* no others: the frame's only row is its last */
	if (!w->last.present || w->last.isnull != isnull || (!isnull && w->last.value != x))
		return LS_WINDOW_INCONSISTENT;
	w->last.present = false;
	return LS_WINDOW_OK;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

ls_window_status
ls_sorted_window_settle(ls_sorted_window *w)
{
	ls_window_status status;
	size_t		i;
	size_t		j;
	size_t		k;

	if (w->npending == 0)
		return LS_WINDOW_OK;
	if (w->npending > SIZE_MAX / 2 / sizeof(double) - w->nsorted)
		return LS_WINDOW_TOO_LARGE;
	status = reserve(w->allocator, &w->sorted, &w->sorted_capacity, w->nsorted,
					 w->nsorted + w->npending);
	if (status != LS_WINDOW_OK)
		return status;

	/*
	 * Nothing but the order of pending changes until the sort returns, so a
	 * sort that leaves by a longjmp leaves a state that still holds its rows.
	 */
	if (w->sort != NULL)
		w->sort(w->pending, w->npending);
	else
		qsort(w->pending, w->npending, sizeof(double), compare_doubles);

	/* merge from the back, into the room after the sorted values */
	i = w->nsorted;
	j = w->npending;
	k = w->nsorted + w->npending;
	while (j > 0)
	{
		if (i > 0 && w->sorted[i - 1] > w->pending[j - 1])
			w->sorted[--k] = w->sorted[--i];
		else
			w->sorted[--k] = w->pending[--j];
	}
	w->nsorted += w->npending;
	w->npending = 0;

	/* a GROUP BY settles once: give back what its pending rows took */
	if (w->pending_capacity > RELEASE_PENDING_ABOVE)
	{
		w->allocator->release(w->allocator->context, w->pending);
		w->pending = NULL;
		w->pending_capacity = 0;
	}
	return LS_WINDOW_OK;
}

ls_window_status
ls_sorted_window_score(const ls_sorted_window *w, double *z)
{
	double		median;
	double		floor;

	if (w->npending > 0)
		return LS_WINDOW_INCONSISTENT;
	if (!w->last.present || w->last.isnull || w->nsorted < 4)
		return LS_WINDOW_NO_SCORE;
	median = ls_sorted_quantile(w->sorted, w->nsorted, 0.5);
	floor = w->min_spread >= 0 ? w->min_spread : ls_robust_default_floor(median);
	switch (ls_robust_z(w->last.value,
						ls_sorted_quantile(w->sorted, w->nsorted, 0.25), median,
						ls_sorted_quantile(w->sorted, w->nsorted, 0.75), floor, z))
	{
		case LS_ROBUST_Z_OK:
			return LS_WINDOW_OK;
		case LS_ROBUST_Z_NO_SPREAD:
			return LS_WINDOW_NO_SCORE;
		case LS_ROBUST_Z_OVERFLOW:
			break;
	}
	return LS_WINDOW_OVERFLOW;
}
