/*
 * ewm.c
 *	  Exponentially time-decayed weight, mean and variance (ewm.h): the state
 *	  of one value, merging two states, rescaling to a newer anchor, the
 *	  accessors and the validation of states read from outside.
 *
 * Adding a value is merging the state of that one value, so there is a
 * single arithmetic path and adds and merges agree.  The weight W never
 * drops below 1 (the newest value weighs exactly 1), which is what keeps the
 * divisions by W safe.
 */
#include "ewm.h"

#include <math.h>

/* How far rounding may carry W above count before a state is refused. */
#define WEIGHT_TOLERANCE 1e-9

static bool
time_is_finite(int64_t t)
{
	return t != LS_EWM_TIME_NOBEGIN && t != LS_EWM_TIME_NOEND;
}

double
ls_ewm_decay(int64_t from, int64_t to, int64_t half_life)
{
	int64_t		elapsed;
	double		span;

	if (to <= from)
		return 1.0;
	/* exact in int64 unless the times are ~292,000 years apart */
	if (__builtin_sub_overflow(to, from, &elapsed))
		span = (double) to - (double) from;
	else
		span = (double) elapsed;
	return exp2(-span / (double) half_life);
}

void
ls_ewm_rescale(ls_ewm *e, int64_t anchor)
{
	double		factor;

	if (anchor <= e->anchor)
		return;
	factor = ls_ewm_decay(e->anchor, anchor, e->half_life);
	e->weight *= factor;
	e->m2 *= factor;
	e->anchor = anchor;
}

ls_ewm_status
ls_ewm_init(ls_ewm *e, double x, int64_t t, int64_t half_life)
{
	if (half_life <= 0)
		return LS_EWM_BAD_HALF_LIFE;
	if (!isfinite(x))
		return LS_EWM_BAD_VALUE;
	if (!time_is_finite(t))
		return LS_EWM_BAD_TIME;
	e->half_life = half_life;
	e->anchor = t;
	e->count = 1;
	e->weight = 1.0;
	e->mean = x;
	e->m2 = 0.0;
	return LS_EWM_OK;
}

ls_ewm_status
ls_ewm_merge(ls_ewm *dst, const ls_ewm *src)
{
	ls_ewm		a = *dst;
	ls_ewm		b = *src;
	ls_ewm		result;
	int64_t		count;

	if (a.half_life != b.half_life)
		return LS_EWM_HALF_LIFE_MISMATCH;
	if (__builtin_add_overflow(a.count, b.count, &count))
		return LS_EWM_COUNT_OVERFLOW;

	ls_ewm_rescale(&a, b.anchor);
	ls_ewm_rescale(&b, a.anchor);

	/*
	 * A state rescaled to weight 0 holds only values decayed beyond double's
	 * range: it adds its count and nothing else.  Taking the other state as
	 * it is also spares its mean the rounding of ma + (mb - ma).
	 */
	if (b.weight == 0.0)
		result = a;
	else if (a.weight == 0.0)
		result = b;
	else
	{
		double		weight = a.weight + b.weight;
		double		delta = b.mean - a.mean;
		double		share = b.weight / weight;
		double		lo = a.mean < b.mean ? a.mean : b.mean;
		double		hi = a.mean < b.mean ? b.mean : a.mean;

		if (!isfinite(delta))
			return LS_EWM_OUT_OF_RANGE;
		result = a;
		result.weight = weight;
		result.mean = a.mean + delta * share;
		/* delta^2 alone may overflow where the whole term does not */
		result.m2 = a.m2 + b.m2 + delta * (delta * (a.weight * share));
		if (!isfinite(result.m2))
			return LS_EWM_OUT_OF_RANGE;
		/* rounding must not carry the mean outside the two means */
		if (result.mean < lo)
			result.mean = lo;
		else if (result.mean > hi)
			result.mean = hi;
	}
	result.count = count;
	/* n weights of at most 1 each: rounding must not carry W above n */
	if (result.weight > (double) count)
		result.weight = (double) count;
	*dst = result;
	return LS_EWM_OK;
}

void
ls_ewm_error(ls_ewm_status status, ls_error *err)
{
	switch (status)
	{
		case LS_EWM_OK:
			ls_error_clear(err);
			return;
		case LS_EWM_BAD_VALUE:
			ls_error_set(err, LS_ERROR_INVALID, 0, "value cannot be added to a logscore_ewm");
			ls_error_detail(err, "A logscore_ewm holds finite values only.");
			return;
		case LS_EWM_BAD_TIME:
			ls_error_set(err, LS_ERROR_INVALID, 0, "logscore_ewm timestamps must be finite");
			ls_error_detail(err, "An infinite timestamp has no weight relative to other values.");
			return;
		case LS_EWM_BAD_HALF_LIFE:
			ls_error_set(err, LS_ERROR_INVALID, 0, "logscore_ewm half-life must be positive");
			return;
		case LS_EWM_HALF_LIFE_MISMATCH:
			ls_error_set(err, LS_ERROR_INVALID, 0,
						 "cannot merge logscore_ewm values of different half-life");
			ls_error_hint(err, "Merge only values aggregated with the same half_life argument.");
			return;
		case LS_EWM_COUNT_OVERFLOW:
			ls_error_set(err, LS_ERROR_OUT_OF_RANGE, 0, "logscore_ewm count out of range");
			ls_error_detail(err, "A logscore_ewm holds at most %lld values.",
							(long long) INT64_MAX);
			return;
		case LS_EWM_OUT_OF_RANGE:
			ls_error_set(err, LS_ERROR_OUT_OF_RANGE, 0, "logscore_ewm variance out of range");
			ls_error_detail(err, "The squared deviations of the values exceed the range of double precision.");
			return;
		case LS_EWM_BAD_FORMAT:
			ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "invalid logscore_ewm");
			return;
	}
	ls_error_set(err, LS_ERROR_INTERNAL, 0, "unknown logscore_ewm status %d", (int) status);
}

double
ls_ewm_stddev(const ls_ewm *e)
{
	/* W >= 1 in every valid state; the test keeps a broken one harmless */
	if (!(e->weight > 0.0))
		return 0.0;
	return sqrt(e->m2 / e->weight);
}

bool
ls_ewm_zscore(const ls_ewm *e, double x, double *z)
{
	double		stddev = ls_ewm_stddev(e);

	if (stddev == 0.0)
		return false;
	*z = (x - e->mean) / stddev;
	return true;
}

/* A state read from outside that does not validate. */
#define invalid(err, ...) \
	(ls_error_set((err), LS_ERROR_BAD_INPUT, 0, __VA_ARGS__), LS_EWM_BAD_FORMAT)

ls_ewm_status
ls_ewm_validate(const ls_ewm *e, int version, ls_error *err)
{
	ls_error_clear(err);
	if (version != LS_EWM_FORMAT_VERSION)
		return invalid(err, "unsupported format version %d (expected %d)",
					   version, LS_EWM_FORMAT_VERSION);
	if (e->half_life <= 0)
		return invalid(err, "half_life must be positive");
	if (e->count < 1)
		return invalid(err, "n must be at least 1");
	if (!time_is_finite(e->anchor))
		return invalid(err, "anchor must be a finite time");
	/* written so that NaN fails too */
	if (!(e->weight >= 1.0 &&
		  e->weight <= (double) e->count * (1.0 + WEIGHT_TOLERANCE)))
		return invalid(err, "weight must be between 1 and n (the newest value weighs 1, none more)");
	if (!isfinite(e->mean))
		return invalid(err, "mean must be finite");
	if (!(e->m2 >= 0.0 && isfinite(e->m2)))
		return invalid(err, "m2 must be finite and not negative");
	if (e->count == 1 && (e->weight != 1.0 || e->m2 != 0.0))
		return invalid(err, "a single value must have weight 1 and m2 0");
	return LS_EWM_OK;
}
