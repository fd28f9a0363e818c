/*
 * sketch.c
 *	  The quantile sketch itself: the logarithmic bucket mapping, the two
 *	  bounded bucket stores, and add, merge, quantile, rank and stddev.
 *
 * Bucket i holds magnitudes in (gamma^(i-1), gamma^i].  A store keeps at most
 * LS_SKETCH_MAX_BUCKETS consecutive indexes [H - MAX + 1, H], H its highest
 * index; a value whose index i lies below that goes to bucket H - MAX + 1.
 * Every value thus ends in bucket max(i, H - MAX + 1) whatever the order of
 * adds and merges, which is why merging sketches of parts gives exactly the
 * sketch of the whole, collapsed or not.
 */
#include "sketch.h"

#include <math.h>
#include <string.h>

/* The first array a store allocates; it doubles from there. */
#define STORE_INITIAL_CAPACITY 32

/* The bucket of a magnitude >= LS_SKETCH_MIN_MAGNITUDE. */
static inline int32_t
bucket_index(const ls_sketch *s, double magnitude)
{
	return (int32_t) ceil(log(magnitude) / s->log_gamma);
}

/*
 * 2 gamma^i / (gamma + 1): within relative error alpha of both bucket ends.
 * exp(i * log_gamma) is the boundary the mapping itself uses, so the error
 * bound holds for the buckets as computed, not just as defined.  At the top
 * index this can overflow to +inf; callers clamp to [min, max].
 */
static double
bucket_value(const ls_sketch *s, int32_t index)
{
	return exp((double) index * s->log_gamma) * (2.0 / (s->gamma + 1.0));
}

static inline int64_t
store_high(const ls_store *st)
{
	return (int64_t) st->offset + (int64_t) st->nbuckets - 1;
}

/*
 * Makes st cover the indexes [lo, hi] as well as what it covers already,
 * keeping at most LS_SKETCH_MAX_BUCKETS: when the union is wider, the lowest
 * buckets fold into the lowest one kept.  The caller then adds a count for
 * index i at max(i, st->offset).  Allocates before changing anything, so an
 * allocator that throws (palloc) leaves the sketch as it was.
 */
static void
store_cover(ls_sketch *s, ls_store *st, int32_t lo, int32_t hi)
{
	int64_t		old_lo = st->offset;
	int64_t		new_lo = lo;
	int64_t		new_hi = hi;
	uint32_t	needed;
	uint32_t	old_n = st->nbuckets;
	bool		fold;

	if (old_n > 0)
	{
		if (old_lo < new_lo)
			new_lo = old_lo;
		if (store_high(st) > new_hi)
			new_hi = store_high(st);
		if (new_lo == old_lo && new_hi == store_high(st))
			return;
	}
	fold = new_hi - new_lo + 1 > LS_SKETCH_MAX_BUCKETS;
	if (fold)
		new_lo = new_hi - LS_SKETCH_MAX_BUCKETS + 1;
	needed = (uint32_t) (new_hi - new_lo + 1);

	if (needed > st->capacity)
	{
		uint32_t	capacity = st->capacity * 2;
		uint64_t   *counts;
		uint32_t	i;

		if (capacity < STORE_INITIAL_CAPACITY)
			capacity = STORE_INITIAL_CAPACITY;
		if (capacity < needed)
			capacity = needed;
		if (capacity > LS_SKETCH_MAX_BUCKETS)
			capacity = LS_SKETCH_MAX_BUCKETS;
		counts = s->allocator->alloc(s->allocator->context,
									 capacity * sizeof(uint64_t));
		memset(counts, 0, capacity * sizeof(uint64_t));
		for (i = 0; i < old_n; i++)
		{
			int64_t		index = old_lo + i;

			counts[(index > new_lo ? index : new_lo) - new_lo] += st->counts[i];
		}
		if (st->counts != NULL)
			s->allocator->release(s->allocator->context, st->counts);
		st->counts = counts;
		st->capacity = capacity;
	}
	else if (old_n > 0 && new_lo <= old_lo)
	{
		uint32_t	shift = (uint32_t) (old_lo - new_lo);

		memmove(st->counts + shift, st->counts, old_n * sizeof(uint64_t));
		memset(st->counts, 0, shift * sizeof(uint64_t));
		memset(st->counts + shift + old_n, 0,
			   (needed - shift - old_n) * sizeof(uint64_t));
	}
	else if (old_n > 0)
	{
		/* new_lo > old_lo: buckets 0..shift fold into the new lowest one */
		uint32_t	shift = (uint32_t) (new_lo - old_lo);
		uint32_t	kept = shift < old_n ? old_n - shift : 1;
		uint64_t	folded = 0;
		uint32_t	i;

		for (i = 0; i <= shift && i < old_n; i++)
			folded += st->counts[i];
		if (shift < old_n)
			memmove(st->counts + 1, st->counts + shift + 1,
					(old_n - shift - 1) * sizeof(uint64_t));
		st->counts[0] = folded;
		memset(st->counts + kept, 0, (needed - kept) * sizeof(uint64_t));
	}
	else
		memset(st->counts, 0, needed * sizeof(uint64_t));

	st->offset = (int32_t) new_lo;
	st->nbuckets = needed;
	if (fold)
		s->collapsed = true;
}

ls_sketch_status
ls_sketch_init(ls_sketch *s, double alpha, const ls_allocator *allocator)
{
	/* written so that NaN fails too */
	if (!(alpha >= LS_SKETCH_MIN_ALPHA && alpha <= LS_SKETCH_MAX_ALPHA))
		return LS_SKETCH_BAD_ALPHA;
	memset(s, 0, sizeof(*s));
	s->alpha = alpha;
	s->gamma = (1.0 + alpha) / (1.0 - alpha);
	s->log_gamma = log(s->gamma);
	s->allocator = allocator;
	return LS_SKETCH_OK;
}

void
ls_sketch_error(ls_sketch_status status, ls_error *err)
{
	switch (status)
	{
		case LS_SKETCH_OK:
			ls_error_clear(err);
			return;
		case LS_SKETCH_BAD_VALUE:
			ls_error_set(err, LS_ERROR_INVALID, 0,
						 "value cannot be added to a logscore_sketch");
			ls_error_detail(err, "A sketch holds finite values only, and at most 2^64 of them.");
			return;
		case LS_SKETCH_BAD_ALPHA:
			ls_error_set(err, LS_ERROR_INVALID, 0,
						 "logscore_sketch accuracy must be between %g and %g",
						 LS_SKETCH_MIN_ALPHA, LS_SKETCH_MAX_ALPHA);
			return;
		case LS_SKETCH_ALPHA_MISMATCH:
			ls_error_set(err, LS_ERROR_INVALID, 0,
						 "cannot merge logscore_sketch values of different accuracy");
			ls_error_hint(err, "Merge only sketches built with the same accuracy argument.");
			return;
		case LS_SKETCH_BAD_FORMAT:
			ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "invalid logscore_sketch");
			return;
	}
	ls_error_set(err, LS_ERROR_INTERNAL, 0, "unknown logscore_sketch status %d", (int) status);
}

void
ls_sketch_free(ls_sketch *s)
{
	if (s->positive.counts != NULL)
		s->allocator->release(s->allocator->context, s->positive.counts);
	if (s->negative.counts != NULL)
		s->allocator->release(s->allocator->context, s->negative.counts);
	memset(&s->positive, 0, sizeof(s->positive));
	memset(&s->negative, 0, sizeof(s->negative));
}

ls_sketch_status
ls_sketch_add(ls_sketch *s, double x)
{
	double		magnitude = fabs(x);
	double		delta;

	if (!isfinite(x) || s->count == UINT64_MAX)
		return LS_SKETCH_BAD_VALUE;

	if (magnitude >= LS_SKETCH_MIN_MAGNITUDE)
	{
		ls_store   *st = x > 0 ? &s->positive : &s->negative;
		int32_t		index = bucket_index(s, magnitude);
		int64_t		slot = (int64_t) index - st->offset;

		if (slot < 0 || slot >= (int64_t) st->nbuckets)
		{
			store_cover(s, st, index, index);
			slot = index > st->offset ? (int64_t) index - st->offset : 0;
		}
		st->counts[slot]++;
	}
	else
		s->zero_count++;

	/* Welford; count == 1 sets rather than updates, so 0 * inf never arises */
	s->count++;
	s->sum += x;
	if (s->count == 1)
	{
		s->mean = x;
		s->m2 = 0.0;
		s->min = x;
		s->max = x;
		return LS_SKETCH_OK;
	}
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	delta = x - s->mean;
	if (isfinite(delta))
	{
		s->mean += delta / (double) s->count;
		s->m2 += delta * (x - s->mean);
	}
	else
	{
		/* |x - mean| > DBL_MAX: keep the mean finite; the square overflows */
		s->mean += x / (double) s->count - s->mean / (double) s->count;
		s->m2 = INFINITY;
	}
	/* rounding must not carry the mean outside the values */
	if (s->mean < s->min)
		s->mean = s->min;
	else if (s->mean > s->max)
		s->mean = s->max;
	return LS_SKETCH_OK;
}

/* The store and bucket index x counts in; false for a zero. */
static bool
value_bucket(const ls_sketch *s, double x, const ls_store **st, int32_t *index)
{
	double		magnitude = fabs(x);

	if (magnitude < LS_SKETCH_MIN_MAGNITUDE)
		return false;
	*st = x > 0 ? &s->positive : &s->negative;
	*index = bucket_index(s, magnitude);
	return true;
}

bool
ls_sketch_fits(const ls_sketch *s, double x)
{
	const ls_store *st;
	int32_t		index;
	int64_t		lo;
	int64_t		hi;

	if (!isfinite(x) || !value_bucket(s, x, &st, &index) || st->nbuckets == 0)
		return true;
	lo = st->offset < index ? st->offset : index;
	hi = store_high(st) > index ? store_high(st) : index;
	return hi - lo + 1 <= LS_SKETCH_MAX_BUCKETS;
}

/* Drops the empty buckets at both ends of st, moving none of the counts. */
static void
store_shrink(ls_store *st)
{
	uint32_t	lo;
	uint32_t	hi;

	if (!ls_store_trim(st, &lo, &hi))
	{
		st->nbuckets = 0;
		return;
	}
	if (lo > 0)
		memmove(st->counts, st->counts + lo, (hi - lo) * sizeof(uint64_t));
	memset(st->counts + (hi - lo), 0, (st->nbuckets - (hi - lo)) * sizeof(uint64_t));
	st->offset += (int32_t) lo;
	st->nbuckets = hi - lo;
}

void
ls_sketch_shrink(ls_sketch *s)
{
	store_shrink(&s->positive);
	store_shrink(&s->negative);
}

bool
ls_sketch_uncount(ls_sketch *s, double x)
{
	const ls_store *found;
	ls_store   *st;
	int32_t		index;
	int64_t		slot;

	if (!isfinite(x) || s->collapsed)
		return false;
	if (!value_bucket(s, x, &found, &index))
	{
		if (s->zero_count == 0)
			return false;
		s->zero_count--;
		return true;
	}
	st = found == &s->positive ? &s->positive : &s->negative;
	slot = (int64_t) index - st->offset;
	if (slot < 0 || slot >= (int64_t) st->nbuckets || st->counts[slot] == 0)
		return false;
	st->counts[slot]--;
	return true;
}

bool
ls_store_trim(const ls_store *st, uint32_t *lo, uint32_t *hi)
{
	uint32_t	first = 0;
	uint32_t	end = st->nbuckets;

	while (first < end && st->counts[first] == 0)
		first++;
	while (end > first && st->counts[end - 1] == 0)
		end--;
	*lo = first;
	*hi = end;
	return first < end;
}

/* The lowest and highest nonzero buckets of st; false when it has none. */
static bool
store_range(const ls_store *st, uint32_t *first, uint32_t *last)
{
	uint32_t	end;

	if (!ls_store_trim(st, first, &end))
		return false;
	*last = end - 1;
	return true;
}

/*
 * Adds src's buckets to dst's, each at max(index, dst's lowest kept index).
 * dst and src may be the same store: covering then changes nothing.
 */
static void
store_add(const ls_store *dst, const ls_store *src, uint32_t first, uint32_t last)
{
	uint32_t	i;

	for (i = first; i <= last; i++)
	{
		int64_t		index = (int64_t) src->offset + i;
		int64_t		slot = index > dst->offset ? index - dst->offset : 0;

		dst->counts[slot] += src->counts[i];
	}
}

ls_sketch_status
ls_sketch_merge(ls_sketch *dst, const ls_sketch *src)
{
	uint32_t	pos_first = 0;
	uint32_t	pos_last = 0;
	uint32_t	neg_first = 0;
	uint32_t	neg_last = 0;
	bool		has_pos;
	bool		has_neg;
	uint64_t	count;
	uint64_t	zero_count;
	double		src_count;
	double		src_mean = src->mean;
	double		src_m2 = src->m2;
	double		src_sum = src->sum;
	double		src_min = src->min;
	double		src_max = src->max;
	bool		src_collapsed = src->collapsed;

	if (dst->alpha != src->alpha)
		return LS_SKETCH_ALPHA_MISMATCH;
	if (src->count == 0)
		return LS_SKETCH_OK;
	if (__builtin_add_overflow(dst->count, src->count, &count))
		return LS_SKETCH_BAD_VALUE;
	zero_count = dst->zero_count + src->zero_count;
	src_count = (double) src->count;

	/* all allocation first (see store_cover), then the counts */
	has_pos = store_range(&src->positive, &pos_first, &pos_last);
	has_neg = store_range(&src->negative, &neg_first, &neg_last);
	if (has_pos)
		store_cover(dst, &dst->positive, src->positive.offset + (int32_t) pos_first,
					src->positive.offset + (int32_t) pos_last);
	if (has_neg)
		store_cover(dst, &dst->negative, src->negative.offset + (int32_t) neg_first,
					src->negative.offset + (int32_t) neg_last);
	if (has_pos)
		store_add(&dst->positive, &src->positive, pos_first, pos_last);
	if (has_neg)
		store_add(&dst->negative, &src->negative, neg_first, neg_last);

	if (dst->count == 0)
	{
		dst->sum = src_sum;
		dst->mean = src_mean;
		dst->m2 = src_m2;
		dst->min = src_min;
		dst->max = src_max;
	}
	else
	{
		/* Chan, Golub and LeVeque's pairwise update */
		double		dst_count = (double) dst->count;
		double		n = (double) count;
		double		delta = src_mean - dst->mean;

		if (isfinite(delta))
		{
			dst->m2 = dst->m2 + src_m2 + delta * delta * (dst_count * (src_count / n));
			dst->mean += delta * (src_count / n);
		}
		else
		{
			dst->m2 = INFINITY;
			dst->mean = dst->mean * (dst_count / n) + src_mean * (src_count / n);
		}
		dst->sum += src_sum;
		if (src_min < dst->min)
			dst->min = src_min;
		if (src_max > dst->max)
			dst->max = src_max;
		if (dst->mean < dst->min)
			dst->mean = dst->min;
		else if (dst->mean > dst->max)
			dst->mean = dst->max;
	}
	dst->count = count;
	dst->zero_count = zero_count;
	dst->collapsed = dst->collapsed || src_collapsed;
	return LS_SKETCH_OK;
}

static double
clamp(const ls_sketch *s, double v)
{
	if (v < s->min)
		return s->min;
	if (v > s->max)
		return s->max;
	return v;
}

/*
 * Ascending value order is: negative buckets from the highest index (the
 * largest magnitude) down, then zeros, then positive buckets upward.  The
 * value of rank r is in the bucket where the running count first reaches r,
 * so the bucket's representative is within alpha of it.
 */
double
ls_sketch_quantile(const ls_sketch *s, double q)
{
	double		target;
	uint64_t	rank;
	uint64_t	seen = 0;
	uint32_t	i;

	if (!(q >= 0.0 && q <= 1.0) || s->count == 0)
		return NAN;

	/*
	 * percentile_disc: row ceil(q * n), but at least the first.  The first
	 * and last rows are min and max, known exactly.
	 */
	target = ceil(q * (double) s->count);
	if (target <= 1.0)
		return s->min;
	if (target >= (double) s->count)
		return s->max;
	rank = (uint64_t) target;

	for (i = s->negative.nbuckets; i > 0; i--)
	{
		seen += s->negative.counts[i - 1];
		if (seen >= rank)
			return clamp(s, -bucket_value(s, s->negative.offset + (int32_t) (i - 1)));
	}
	seen += s->zero_count;
	if (seen >= rank)
		return clamp(s, 0.0);
	for (i = 0; i < s->positive.nbuckets; i++)
	{
		seen += s->positive.counts[i];
		if (seen >= rank)
			return clamp(s, bucket_value(s, s->positive.offset + (int32_t) i));
	}
	/* counts add up to count, so only an inconsistent sketch gets here */
	return s->max;
}

/*
 * Counts every value in a bucket below or at x's bucket, so the answer can
 * be high by the values in x's own bucket that exceed x: one bucket of
 * resolution.  Among magnitudes that collapsed, the error can reach the
 * collapsed bucket's whole count, either way.
 */
double
ls_sketch_rank(const ls_sketch *s, double x)
{
	uint64_t	below = 0;
	double		magnitude = fabs(x);
	uint32_t	i;

	if (s->count == 0 || isnan(x))
		return NAN;
	if (x >= s->max)
		return 1.0;
	if (x < s->min)
		return 0.0;

	if (x < 0 && magnitude >= LS_SKETCH_MIN_MAGNITUDE)
	{
		/* negative buckets at or above |x|'s index hold the values <= x */
		int64_t		index = bucket_index(s, magnitude);

		for (i = 0; i < s->negative.nbuckets; i++)
			if ((int64_t) s->negative.offset + i >= index)
				below += s->negative.counts[i];
		return (double) below / (double) s->count;
	}

	for (i = 0; i < s->negative.nbuckets; i++)
		below += s->negative.counts[i];
	below += s->zero_count;
	if (magnitude >= LS_SKETCH_MIN_MAGNITUDE)
	{
		int64_t		index = bucket_index(s, magnitude);

		for (i = 0; i < s->positive.nbuckets; i++)
			if ((int64_t) s->positive.offset + i <= index)
				below += s->positive.counts[i];
	}
	return (double) below / (double) s->count;
}

double
ls_sketch_stddev(const ls_sketch *s)
{
	if (s->count < 2)
		return NAN;
	return sqrt(s->m2 / (double) (s->count - 1));
}

/* A store's count at bucket index, zero outside the range it holds. */
static uint64_t
store_count_at(const ls_store *store, int64_t index)
{
	int64_t		i = index - store->offset;

	return (i >= 0 && i < (int64_t) store->nbuckets) ? store->counts[i] : 0;
}

static bool
same_store(const ls_store *a, const ls_store *b)
{
	int64_t		first;
	int64_t		end;

	if (a->nbuckets == 0 || b->nbuckets == 0)
	{
		const ls_store *held = a->nbuckets == 0 ? b : a;
		uint32_t	lo;
		uint32_t	hi;

		return !ls_store_trim(held, &lo, &hi);
	}
	first = a->offset < b->offset ? a->offset : b->offset;
	end = (int64_t) a->offset + a->nbuckets;
	if ((int64_t) b->offset + b->nbuckets > end)
		end = (int64_t) b->offset + b->nbuckets;
	for (int64_t index = first; index < end; index++)
		if (store_count_at(a, index) != store_count_at(b, index))
			return false;
	return true;
}

bool
ls_sketch_same_distribution(const ls_sketch *a, const ls_sketch *b)
{
	return a->alpha == b->alpha && a->count == b->count && a->zero_count == b->zero_count &&
		a->collapsed == b->collapsed &&
		(a->count == 0 || (a->min == b->min && a->max == b->max)) &&
		same_store(&a->positive, &b->positive) && same_store(&a->negative, &b->negative);
}
