/*
 * moving_moments.c
 *	  Welford's add and remove, their exact recomputation, and the z-score
 *	  state with its ring buffer of the others.
 *
 * Removing values by Welford's formula cancels: when large values leave,
 * what remains of m2 is a difference of large numbers.  So the moving form
 * recomputes the moments exactly from its ring buffer every max(others, 16)
 * removals, and also as soon as m2 has fallen far below its peak since the
 * last recomputation (a level shift or an outlier leaving), where the
 * cancellation would otherwise show in the score.
 */
#include "moving_moments.h"

#include <math.h>
#include <string.h>

#define RING_INITIAL_CAPACITY 16
#define RECOMPUTE_MIN_REMOVALS 16

/*
 * m2's rounding is about 2^-52 of its peak per update; below 2^-20 of the
 * peak that error could reach 2^-32 of m2, so recompute before it matters.
 */
#define M2_CANCELLATION 0x1p-20

static void
moments_clear(ls_moments *m)
{
	memset(m, 0, sizeof(*m));
}

void
ls_moments_add(ls_moments *m, double x)
{
	double		y;
	double		d;

	if (m->n == 0)
	{
		moments_clear(m);
		m->reference = x;
	}
	y = x - m->reference;
	m->n++;
	d = y - m->mean;
	m->mean += d / (double) m->n;
	m->m2 += d * (y - m->mean);
	if (m->m2 > m->m2_peak)
		m->m2_peak = m->m2;

	if (m->run_length > 0 && x == m->run_value)
		m->run_length++;
	else
	{
		m->run_value = x;
		m->run_length = 1;
	}
}

void
ls_moments_remove_oldest(ls_moments *m, double x)
{
	double		y;
	double		d;

	if (m->n <= 1)
	{
		moments_clear(m);
		return;
	}
	y = x - m->reference;
	m->n--;
	d = y - m->mean;
	m->mean -= d / (double) m->n;
	m->m2 -= d * (y - m->mean);

	/* the run is at the end, and removals come from the front */
	if (m->run_length > m->n)
		m->run_length = m->n;
}

bool
ls_moments_drifted(const ls_moments *m)
{
	if (m->n == 0)
		return false;
	if (!isfinite(m->mean) || !isfinite(m->m2))
		return true;
	return m->m2 < m->m2_peak * M2_CANCELLATION;
}

/* The i-th of the values the two slices hold, oldest first. */
static inline double
slice_value(const double *first, size_t nfirst, const double *second, size_t i)
{
	return i < nfirst ? first[i] : second[i - nfirst];
}

void
ls_moments_exact(ls_moments *m, const double *first, size_t nfirst,
				 const double *second, size_t nsecond)
{
	size_t		total = nfirst + nsecond;
	uint64_t	n = 0;
	double		sum = 0.0;
	double		oldest = 0.0;
	double		reference;
	double		mean;
	double		m2 = 0.0;
	double		correction = 0.0;
	size_t		i;

	moments_clear(m);
	for (i = 0; i < total; i++)
	{
		double		x = slice_value(first, nfirst, second, i);

		if (isnan(x))
			continue;
		if (n == 0)
			oldest = x;
		n++;
		sum += x;
		if (m->run_length > 0 && x == m->run_value)
			m->run_length++;
		else
		{
			m->run_value = x;
			m->run_length = 1;
		}
	}
	if (n == 0)
		return;

	/* near the mean, so that x - reference is exact for clustered values */
	reference = sum / (double) n;
	if (!isfinite(reference))
		reference = oldest;

	sum = 0.0;
	for (i = 0; i < total; i++)
	{
		double		x = slice_value(first, nfirst, second, i);

		if (!isnan(x))
			sum += x - reference;
	}
	mean = sum / (double) n;

	/* the corrected two-pass algorithm: the correction undoes mean's rounding */
	for (i = 0; i < total; i++)
	{
		double		x = slice_value(first, nfirst, second, i);
		double		d;

		if (isnan(x))
			continue;
		d = (x - reference) - mean;
		m2 += d * d;
		correction += d;
	}
	m2 -= correction * correction / (double) n;
	mean += correction / (double) n;

	m->n = n;
	m->reference = reference;
	m->mean = mean;
	m->m2 = m2 > 0.0 ? m2 : 0.0;
	m->m2_peak = m->m2;
}

bool
ls_moments_constant(const ls_moments *m)
{
	return m->n < 2 || m->run_length >= m->n;
}

ls_window_status
ls_moments_zscore(const ls_moments *m, double x, double *z)
{
	double		stddev;

	if (ls_moments_constant(m))
		return LS_WINDOW_NO_SCORE;
	/* a spread beyond double precision would make any score look like 0 */
	if (!isfinite(m->m2) || !isfinite(m->mean))
		return LS_WINDOW_OVERFLOW;
	stddev = sqrt(m->m2 / (double) (m->n - 1));
	*z = ((x - m->reference) - m->mean) / stddev;
	if (!isfinite(*z))
		return LS_WINDOW_OVERFLOW;
	return LS_WINDOW_OK;
}

/* --- the z-score state --- */

void
ls_zscore_window_init(ls_zscore_window *w, bool moving, const ls_allocator *allocator)
{
	memset(w, 0, sizeof(*w));
	w->moving = moving;
	w->allocator = allocator;
}

void
ls_zscore_window_free(ls_zscore_window *w)
{
	if (w->ring != NULL)
		w->allocator->release(w->allocator->context, w->ring);
	w->ring = NULL;
	w->ring_capacity = w->ring_count = w->ring_head = 0;
}

/* The ring's two slices, oldest first. */
static size_t
ring_first_slice(const ls_zscore_window *w)
{
	size_t		to_end = w->ring_capacity - w->ring_head;

	return w->ring_count < to_end ? w->ring_count : to_end;
}

static ls_window_status
ring_append(ls_zscore_window *w, double x)
{
	if (w->ring_count == w->ring_capacity)
	{
		size_t		capacity = w->ring_capacity == 0 ? RING_INITIAL_CAPACITY : w->ring_capacity * 2;
		size_t		nfirst = ring_first_slice(w);
		double	   *ring;

		if (w->ring_capacity > SIZE_MAX / 2 / sizeof(double))
			return LS_WINDOW_TOO_LARGE;
		ring = w->allocator->alloc(w->allocator->context, capacity * sizeof(double));
		if (w->ring_count > 0)
		{
			memcpy(ring, w->ring + w->ring_head, nfirst * sizeof(double));
			memcpy(ring + nfirst, w->ring, (w->ring_count - nfirst) * sizeof(double));
		}
		if (w->ring != NULL)
			w->allocator->release(w->allocator->context, w->ring);
		w->ring = ring;
		w->ring_capacity = capacity;
		w->ring_head = 0;
	}
	w->ring[(w->ring_head + w->ring_count) % w->ring_capacity] = x;
	w->ring_count++;
	return LS_WINDOW_OK;
}

ls_window_status
ls_zscore_window_push(ls_zscore_window *w, bool isnull, double x)
{
	if (!isnull && !isfinite(x))
		return LS_WINDOW_BAD_VALUE;

	if (w->last.present)
	{
		if (w->moving)
		{
			ls_window_status status = ring_append(w, w->last.isnull ? NAN : w->last.value);

			if (status != LS_WINDOW_OK)
				return status;
		}
		if (w->last.isnull)
			w->null_others++;
		else
			ls_moments_add(&w->others, w->last.value);
	}
	w->last.present = true;
	w->last.isnull = isnull;
	w->last.value = isnull ? 0.0 : x;
	return LS_WINDOW_OK;
}

ls_window_status
ls_zscore_window_pop(ls_zscore_window *w, bool isnull, double x)
{
	if (!w->moving)
		return LS_WINDOW_INCONSISTENT;

	if (w->ring_count > 0)
	{
		double		oldest = w->ring[w->ring_head];
		bool		oldest_null = isnan(oldest);
		size_t		threshold;

		if (oldest_null != isnull || (!isnull && oldest != x))
			return LS_WINDOW_INCONSISTENT;
		w->ring_head = (w->ring_head + 1) % w->ring_capacity;
		w->ring_count--;
		if (oldest_null)
			w->null_others--;
		else
			ls_moments_remove_oldest(&w->others, oldest);

		w->removals++;
		threshold = w->ring_count > RECOMPUTE_MIN_REMOVALS ? w->ring_count : RECOMPUTE_MIN_REMOVALS;
		if (w->removals >= threshold || ls_moments_drifted(&w->others))
		{
			size_t		nfirst = ring_first_slice(w);

			ls_moments_exact(&w->others, w->ring + w->ring_head, nfirst,
							 w->ring, w->ring_count - nfirst);
			w->removals = 0;
		}
		return LS_WINDOW_OK;
	}

	/* no others: the frame's only row is its last */
	if (!w->last.present || w->last.isnull != isnull || (!isnull && w->last.value != x))
		return LS_WINDOW_INCONSISTENT;
	w->last.present = false;
	return LS_WINDOW_OK;
}

ls_window_status
ls_zscore_window_score(const ls_zscore_window *w, double *z)
{
	if (!w->last.present || w->last.isnull)
		return LS_WINDOW_NO_SCORE;
	return ls_moments_zscore(&w->others, w->last.value, z);
}
