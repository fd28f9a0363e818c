/*
 * test_window.c
 *	  Tests of the window scores: z and robust z of a frame's last row,
 *	  through sequences of adds and removals, against a naive recomputation
 *	  in long double over the same frame; stability, exact zero spread,
 *	  NULL bookkeeping, quantiles, and what the states refuse.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/moving_moments.h"
#include "core/sorted_window.h"

#define MAX_ROWS 40000

/* The rows pushed so far; the frame is [begin, end). */
typedef struct frame_model
{
	bool		isnull[MAX_ROWS];
	double		value[MAX_ROWS];
	size_t		begin;
	size_t		end;
} frame_model;

static frame_model model;

static void
model_reset(void)
{
	model.begin = model.end = 0;
}

/* The non-NULL others of the frame, in order; returns their count. */
static size_t
model_others(double *out)
{
	size_t		n = 0;

	for (size_t i = model.begin; i + 1 < model.end; i++)
		if (!model.isnull[i])
			out[n++] = model.value[i];
	return n;
}

static bool
model_last(double *x)
{
	if (model.end == model.begin || model.isnull[model.end - 1])
		return false;
	*x = model.value[model.end - 1];
	return true;
}

static double others_scratch[MAX_ROWS];

/* The z-score by two passes in long double; LS_WINDOW_NO_SCORE as specified. */
static ls_window_status
naive_zscore(double *z)
{
	size_t		n = model_others(others_scratch);
	double		x;
	long double mean = 0;
	long double m2 = 0;
	bool		constant = true;

	if (!model_last(&x) || n < 2)
		return LS_WINDOW_NO_SCORE;
	for (size_t i = 0; i < n; i++)
	{
		mean += others_scratch[i];
		if (others_scratch[i] != others_scratch[0])
			constant = false;
	}
	if (constant)
		return LS_WINDOW_NO_SCORE;
	/*
	 * About the first value: differences of doubles within a factor of two
	 * are exact, and long double then has bits to spare for a mean of them.
	 */
	mean = 0;
	for (size_t i = 0; i < n; i++)
		mean += (long double) others_scratch[i] - others_scratch[0];
	mean /= (long double) n;
	for (size_t i = 0; i < n; i++)
	{
		long double d = ((long double) others_scratch[i] - others_scratch[0]) - mean;

		m2 += d * d;
	}
	*z = (double) ((((long double) x - others_scratch[0]) - mean) / sqrtl(m2 / (long double) (n - 1)));
	return LS_WINDOW_OK;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* percentile_cont by its definition, on a sorted copy */
static double
naive_quantile(const double *sorted, size_t n, double p)
{
	double		position = p * (double) (n - 1);
	size_t		i = (size_t) position;
	size_t		next = i + 1 < n ? i + 1 : i;

	return sorted[i] + (position - (double) i) * (sorted[next] - sorted[i]);
}

/* Whether naive_robust_zscore floors the spread as the default does. */
static bool naive_floor = true;

static ls_window_status
naive_robust_zscore(double *z)
{
	size_t		n = model_others(others_scratch);
	double		x;
	double		iqr;
	double		median;
	double		spread;

	if (!model_last(&x) || n < 4)
		return LS_WINDOW_NO_SCORE;
	qsort(others_scratch, n, sizeof(double), compare_doubles);
	iqr = naive_quantile(others_scratch, n, 0.75) - naive_quantile(others_scratch, n, 0.25);

	median = naive_quantile(others_scratch, n, 0.5);
	if (!naive_floor)
	{
		if (iqr == 0)
			return LS_WINDOW_NO_SCORE;
		*z = (x - median) / (iqr / 1.349);
		return LS_WINDOW_OK;
	}

	/* the default floor: max(1e-3 |median|, 1e-12) */
	spread = iqr / 1.349;
	if (1e-3 * fabs(median) > spread)
		spread = 1e-3 * fabs(median);
	if (1e-12 > spread)
		spread = 1e-12;
	*z = (x - median) / spread;
	return LS_WINDOW_OK;
}

/* A value of a log metric: noise, repeats, outliers and NULLs. */
static bool
draw_value(uint64_t *state, double *x, double *previous)
{
	uint64_t	pick = xs_next(state) % 20;

	if (pick < 2)
		return false;
	if (pick < 6)
		*x = *previous;			/* runs of equal values */
	else if (pick == 6)
		*x = 1e6 * xs_normal(state);	/* an outlier */
	else if (pick == 7)
		*x = (double) xs_range(state, -3, 3);
	else
		*x = 100.0 + 10.0 * xs_normal(state);
	*previous = *x;
	return true;
}

static void
assert_score_at(ls_window_status got, double z, ls_window_status expected, double ez,
				double tolerance, size_t step)
{
	if (got != expected)
		fail_msg("step %zu: status %d, expected %d", step, (int) got, (int) expected);
	if (got == LS_WINDOW_OK && fabs(z - ez) > tolerance * fmax(1.0, fabs(ez)))
		fail_msg("step %zu: z = %.17g, expected %.17g", step, z, ez);
}

/* Scores first: arguments are evaluated in no set order. */
#define assert_score(score_call, z, naive_call, ez, tolerance, step) \
	do \
	{ \
		ls_window_status got_ = (score_call); \
		ls_window_status expected_ = (naive_call); \
		assert_score_at(got_, (z), expected_, (ez), (tolerance), (step)); \
	} while (0)

/* The sorted array holds exactly the frame's non-NULL others. */
static void
assert_sorted_others(const ls_sorted_window *sw, size_t step)
{
	size_t		n = model_others(others_scratch);

	qsort(others_scratch, n, sizeof(double), compare_doubles);
	if (n != sw->nsorted)
		fail_msg("step %zu: %zu sorted others, expected %zu", step, sw->nsorted, n);
	for (size_t i = 0; i < n; i++)
		if (sw->sorted[i] != others_scratch[i])
			fail_msg("step %zu: sorted[%zu] = %.17g, expected %.17g",
					 step, i, sw->sorted[i], others_scratch[i]);
}

/* Slides a frame of about `width` rows over random values, moving form. */
static void
random_slide(uint64_t seed, size_t width, size_t steps)
{
	uint64_t	state = seed;
	double		previous = 1.0;
	ls_zscore_window zw;
	ls_sorted_window sw;

	model_reset();
	ls_zscore_window_init(&zw, true, &test_allocator);
	ls_sorted_window_init(&sw, true, &test_allocator);
	for (size_t step = 0; step < steps && model.end < MAX_ROWS; step++)
	{
		size_t		size = model.end - model.begin;
		bool		remove = size > 0 && (size > width || xs_next(&state) % (2 * width + 2) == 0);
		double		z = 0,
					ez = 0;

		if (remove)
		{
			bool		isnull = model.isnull[model.begin];
			double		x = model.value[model.begin];

			assert_int_equal(ls_zscore_window_pop(&zw, isnull, x), LS_WINDOW_OK);
			assert_int_equal(ls_sorted_window_pop(&sw, isnull, x), LS_WINDOW_OK);
			model.begin++;
		}
		else
		{
			double		x = 0;
			bool		isnull = !draw_value(&state, &x, &previous);

			assert_int_equal(ls_zscore_window_push(&zw, isnull, x), LS_WINDOW_OK);
			assert_int_equal(ls_sorted_window_push(&sw, isnull, x), LS_WINDOW_OK);
			model.isnull[model.end] = isnull;
			model.value[model.end] = x;
			model.end++;
		}
		assert_score(ls_zscore_window_score(&zw, &z), z, naive_zscore(&ez), ez, 1e-9, step);
		assert_sorted_others(&sw, step);
		assert_score(ls_sorted_window_score(&sw, &z), z, naive_robust_zscore(&ez), ez, 1e-12, step);
	}
	ls_zscore_window_free(&zw);
	ls_sorted_window_free(&sw);
	assert_int_equal(test_allocations_live, 0);
}

static void
test_window_random_moving(void **unused)
{
	static const size_t widths[] = {1, 2, 3, 5, 10, 100, 1000};

	(void) unused;
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		random_slide(0x5eed + i, widths[i], 30000);
}

/* The plain forms: append only, scored after every row (a running frame). */
static void
test_window_random_plain(void **unused)
{
	uint64_t	state = 0xfeed;
	double		previous = 1.0;
	ls_zscore_window zw;
	ls_sorted_window sw;

	(void) unused;
	model_reset();
	ls_zscore_window_init(&zw, false, &test_allocator);
	ls_sorted_window_init(&sw, false, &test_allocator);
	for (size_t step = 0; step < 3000; step++)
	{
		double		x = 0,
					z = 0,
					ez = 0;
		bool		isnull = !draw_value(&state, &x, &previous);

		assert_int_equal(ls_zscore_window_push(&zw, isnull, x), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, isnull, x), LS_WINDOW_OK);
		model.isnull[model.end] = isnull;
		model.value[model.end] = x;
		model.end++;
		assert_score(ls_zscore_window_score(&zw, &z), z, naive_zscore(&ez), ez, 1e-9, step);
		/* settle now and then, as a final function called after some rows */
		if (step % 7 == 0 || step > 2900)
		{
			assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
			assert_int_equal(sw.npending, 0);
			for (size_t i = 1; i < sw.nsorted; i++)
				assert_true(sw.sorted[i - 1] <= sw.sorted[i]);
			assert_score(ls_sorted_window_score(&sw, &z), z, naive_robust_zscore(&ez), ez, 1e-12, step);
		}
	}
	/* a plain state cannot remove */
	assert_int_equal(ls_zscore_window_pop(&zw, true, 0), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_sorted_window_pop(&sw, true, 0), LS_WINDOW_INCONSISTENT);
	ls_zscore_window_free(&zw);
	ls_sorted_window_free(&sw);
	assert_int_equal(test_allocations_live, 0);
}

/*
 * Values near 1e9 that vary by about 1: z as exact arithmetic gives it, in
 * a sliding frame, after a level shift to 5e9, and in the plain form.  The
 * issue asks for 1e-6; this asks for 1e-9 (relative where the shift gives
 * scores of 1e10), as a long double reference without an exact shift would
 * already be off by 1e-10.  Noise is a multiple of 2^-20, so every value is exact in a double
 * and the long double reference is exact too.
 */
#define STABILITY 1e-9

static double
near(uint64_t *state, double level)
{
	return level + (double) xs_range(state, 0, 1 << 20) * 0x1p-20;
}

static void
test_window_stability(void **unused)
{
	uint64_t	state = 0x1e9;
	ls_zscore_window zw;
	double		worst = 0;

	(void) unused;
	model_reset();
	ls_zscore_window_init(&zw, true, &test_allocator);
	for (size_t step = 0; step < 20000; step++)
	{
		double		x = near(&state, step < 10000 ? 1e9 : 5e9);
		double		z = 0,
					ez = 0;

		if (model.end - model.begin > 100)
		{
			assert_int_equal(ls_zscore_window_pop(&zw, false, model.value[model.begin]), LS_WINDOW_OK);
			model.begin++;
		}
		assert_int_equal(ls_zscore_window_push(&zw, false, x), LS_WINDOW_OK);
		model.isnull[model.end] = false;
		model.value[model.end] = x;
		model.end++;
		assert_int_equal(ls_zscore_window_score(&zw, &z), naive_zscore(&ez));
		if (model.end > 2)
			worst = fmax(worst, fabs(z - ez) / fmax(1.0, fabs(ez)));
	}
	ls_zscore_window_free(&zw);
	if (worst > STABILITY)
		fail_msg("sliding: the largest error in z is %g", worst);

	/* the plain form, from 1e9 on */
	model_reset();
	worst = 0;
	ls_zscore_window_init(&zw, false, &test_allocator);
	for (size_t step = 0; step < 3000; step++)
	{
		double		x = near(&state, 1e9);
		double		z = 0,
					ez = 0;

		assert_int_equal(ls_zscore_window_push(&zw, false, x), LS_WINDOW_OK);
		model.isnull[model.end] = false;
		model.value[model.end] = x;
		model.end++;
		assert_int_equal(ls_zscore_window_score(&zw, &z), naive_zscore(&ez));
		if (model.end > 2)
			worst = fmax(worst, fabs(z - ez) / fmax(1.0, fabs(ez)));
	}
	ls_zscore_window_free(&zw);
	if (worst > STABILITY)
		fail_msg("plain: the largest error in z is %g", worst);
	assert_int_equal(test_allocations_live, 0);
}

/*
 * A frame of varied values turning constant: once every non-NULL other is
 * the same value there is no score, exactly, although Welford's m2 after
 * those removals is a rounding residue rather than zero.
 */
static void
test_window_constant_after_varying(void **unused)
{
	static const double varied[] = {0.1, 1e5, -3.7, 0.3, 123456.789, 1e-3, 42, 0.3};
	ls_zscore_window zw;
	ls_sorted_window sw;
	size_t		width = 6;

	(void) unused;
	model_reset();
	ls_zscore_window_init(&zw, true, &test_allocator);
	ls_sorted_window_init(&sw, true, &test_allocator);
	/* without a floor, as before 0.7.0: constant others give no score */
	ls_sorted_window_set_min_spread(&sw, 0);
	naive_floor = false;
	for (size_t step = 0; step < 60; step++)
	{
		bool		isnull = step % 5 == 3 && step > 20;
		double		x = step < 8 ? varied[step] : 0.3;
		double		z = 0,
					ez = 0;

		if (model.end - model.begin == width)
		{
			assert_int_equal(ls_zscore_window_pop(&zw, model.isnull[model.begin],
												  model.value[model.begin]), LS_WINDOW_OK);
			assert_int_equal(ls_sorted_window_pop(&sw, model.isnull[model.begin],
												  model.value[model.begin]), LS_WINDOW_OK);
			model.begin++;
		}
		assert_int_equal(ls_zscore_window_push(&zw, isnull, x), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, isnull, x), LS_WINDOW_OK);
		model.isnull[model.end] = isnull;
		model.value[model.end] = x;
		model.end++;
		assert_score(ls_zscore_window_score(&zw, &z), z, naive_zscore(&ez), ez, 1e-9, step);
		assert_score(ls_sorted_window_score(&sw, &z), z, naive_robust_zscore(&ez), ez, 1e-12, step);
		if (step >= 8 + width)
		{
			assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_NO_SCORE);
			assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_NO_SCORE);

			/* the default floor (1e-3 of the level here) scores it 0 */
			ls_sorted_window_set_min_spread(&sw, LS_MIN_SPREAD_DEFAULT);
			if (!isnull)
			{
				assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_OK);
				assert_true(z == 0.0);
			}
			ls_sorted_window_set_min_spread(&sw, 0);
		}
	}
	naive_floor = true;
	ls_zscore_window_free(&zw);
	ls_sorted_window_free(&sw);

	/* the plain form: constant, then one different value among the others */
	ls_zscore_window_init(&zw, false, &test_allocator);
	for (int i = 0; i < 10; i++)
		assert_int_equal(ls_zscore_window_push(&zw, false, 0.1), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 0.2), LS_WINDOW_OK);
	{
		double		z = 0;

		/* the others are ten times 0.1: the last row, 0.2, has no score */
		assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_NO_SCORE);
		assert_int_equal(ls_zscore_window_push(&zw, true, 0), LS_WINDOW_OK);
		assert_int_equal(ls_zscore_window_push(&zw, false, 0.1), LS_WINDOW_OK);
		assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_OK);
	}
	ls_zscore_window_free(&zw);
	assert_int_equal(test_allocations_live, 0);
}

/*
 * Heavy tails do not move the default floor: one value in seven squared (as
 * the founding pipeline's scores are) gives a standard deviation thousands
 * of times the IQR, and a shift of the level still scores as the IQR alone
 * scores it.
 */
static void
test_window_heavy_tail_floor(void **unused)
{
	ls_sorted_window sw;
	double		z;
	double		z_iqr;

	(void) unused;
	ls_sorted_window_init(&sw, true, &test_allocator);
	for (int i = 0; i < 70; i++)
	{
		double		x = 2000.0 + 37.0 * (double) (i % 10);

		assert_int_equal(ls_sorted_window_push(&sw, false, i % 7 == 0 ? x * x * x : x),
						 LS_WINDOW_OK);
	}
	/* the last row: a tenfold shift of the level */
	assert_int_equal(ls_sorted_window_push(&sw, false, 20000.0), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_OK);
	ls_sorted_window_set_min_spread(&sw, 0);
	assert_int_equal(ls_sorted_window_score(&sw, &z_iqr), LS_WINDOW_OK);
	assert_true(z > 100.0);
	assert_true(z == z_iqr);
	ls_sorted_window_free(&sw);
}

/* NULL rows: in the state, never among the statistics; the last row apart. */
static void
test_window_nulls(void **unused)
{
	ls_zscore_window zw;
	ls_sorted_window sw;
	double		z = 0;

	(void) unused;
	ls_zscore_window_init(&zw, true, &test_allocator);
	ls_sorted_window_init(&sw, true, &test_allocator);

	/* frame: NULL 1 NULL 2 3 | NULL */
	assert_int_equal(ls_zscore_window_push(&zw, true, 0), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 1), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, true, 0), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 2), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 3), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, true, 0), LS_WINDOW_OK);
	assert_i64_equal(zw.others.n, 3);
	assert_i64_equal(zw.null_others, 2);
	assert_i64_equal(zw.ring_count, 5);
	assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_NO_SCORE);

	/* the oldest is NULL: removing 1 first is refused */
	assert_int_equal(ls_zscore_window_pop(&zw, false, 1), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_zscore_window_pop(&zw, true, 0), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_pop(&zw, false, 7), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_zscore_window_pop(&zw, false, 1), LS_WINDOW_OK);
	assert_i64_equal(zw.others.n, 2);
	assert_i64_equal(zw.null_others, 1);

	/* frame: NULL 2 3 NULL | 4: z of 4 against 2 and 3 */
	assert_int_equal(ls_zscore_window_push(&zw, false, 4), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_OK);
	assert_true(fabs(z - 1.5 / sqrt(0.5)) < 1e-12);
	assert_int_equal(ls_zscore_window_pop(&zw, true, 0), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 5), LS_WINDOW_OK);
	/* frame: 2 3 NULL 4 | 5: others 2 3 4, mean 3, stddev 1 */
	assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_OK);
	assert_true(fabs(z - 2.0) < 1e-12);
	ls_zscore_window_free(&zw);

	/* ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING: one row, removed as the last */
	ls_zscore_window_init(&zw, true, &test_allocator);
	assert_int_equal(ls_zscore_window_pop(&zw, true, 0), LS_WINDOW_INCONSISTENT);
	for (int i = 0; i < 40; i++)
	{
		bool		isnull = i % 3 == 0;

		assert_int_equal(ls_zscore_window_push(&zw, isnull, i), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, isnull, i), LS_WINDOW_OK);
		assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_NO_SCORE);
		assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_NO_SCORE);
		assert_int_equal(ls_zscore_window_pop(&zw, !isnull, i), LS_WINDOW_INCONSISTENT);
		assert_int_equal(ls_sorted_window_pop(&sw, !isnull, i), LS_WINDOW_INCONSISTENT);
		assert_int_equal(ls_zscore_window_pop(&zw, isnull, i), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_pop(&sw, isnull, i), LS_WINDOW_OK);
		assert_false(zw.last.present);
		assert_false(sw.last.present);
		assert_i64_equal(zw.ring_count, 0);
	}

	/* the robust form: NULLs count neither in n nor in the quantiles */
	for (int i = 1; i <= 4; i++)
	{
		assert_int_equal(ls_sorted_window_push(&sw, false, i), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, true, 0), LS_WINDOW_OK);
	}
	assert_int_equal(ls_sorted_window_push(&sw, false, 10), LS_WINDOW_OK);
	/* others 1 2 3 4 and four NULLs: median 2.5, IQR 3.25 - 1.75 = 1.5 */
	assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_OK);
	assert_true(fabs(z - (10 - 2.5) / (1.5 / 1.349)) < 1e-12);
	assert_int_equal(ls_sorted_window_pop(&sw, false, 9), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_sorted_window_pop(&sw, false, 1), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_NO_SCORE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ls_sorted_window_pop(&sw, true, 0), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_pop(&sw, true, 0), LS_WINDOW_INCONSISTENT);
	ls_zscore_window_free(&zw);
	ls_sorted_window_free(&sw);
	assert_int_equal(test_allocations_live, 0);
}

static void
test_window_refuses(void **unused)
{
	static const double bad[] = {NAN, INFINITY, -INFINITY};
	ls_zscore_window zw;
	ls_sorted_window sw;
	double		z = 0;

	(void) unused;
	ls_zscore_window_init(&zw, true, &test_allocator);
	ls_sorted_window_init(&sw, false, &test_allocator);
	for (size_t i = 0; i < 3; i++)
	{
		assert_int_equal(ls_zscore_window_push(&zw, false, bad[i]), LS_WINDOW_BAD_VALUE);
		assert_int_equal(ls_sorted_window_push(&sw, false, bad[i]), LS_WINDOW_BAD_VALUE);
	}
	assert_false(zw.last.present);

	/* a score too large for a double */
	assert_int_equal(ls_zscore_window_push(&zw, false, 0), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 1e-300), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 1e300), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_OVERFLOW);
	ls_zscore_window_free(&zw);
	ls_zscore_window_init(&zw, false, &test_allocator);
	assert_int_equal(ls_zscore_window_push(&zw, false, 1e200), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, -1e200), LS_WINDOW_OK);
	assert_int_equal(ls_zscore_window_push(&zw, false, 0), LS_WINDOW_OK);
	/* m2 overflows: not a score of 0 */
	assert_int_equal(ls_zscore_window_score(&zw, &z), LS_WINDOW_OVERFLOW);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ls_sorted_window_push(&sw, false, i * 1e-300), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_push(&sw, false, 1e300), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_score(&sw, &z), LS_WINDOW_OVERFLOW);

	/* removal of a value never added */
	ls_sorted_window_free(&sw);
	ls_sorted_window_init(&sw, true, &test_allocator);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ls_sorted_window_push(&sw, false, i), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_pop(&sw, false, 2.5), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_sorted_window_pop(&sw, false, 7), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_sorted_window_pop(&sw, false, -1), LS_WINDOW_INCONSISTENT);
	assert_int_equal(ls_sorted_window_pop(&sw, true, 0), LS_WINDOW_INCONSISTENT);
	ls_zscore_window_free(&zw);
	ls_sorted_window_free(&sw);
	assert_int_equal(test_allocations_live, 0);
}

/* percentile_cont's quantiles against a sorted copy, and the moments exactly. */
static void
test_window_quantiles(void **unused)
{
	static const double ps[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
	uint64_t	state = 0xabc;
	static double values[1001];

	(void) unused;
	for (size_t n = 1; n <= 1001; n += (n < 20 ? 1 : 97))
	{
		ls_sorted_window sw;

		ls_sorted_window_init(&sw, false, &test_allocator);
		for (size_t i = 0; i < n; i++)
		{
			values[i] = xs_range(&state, 0, 3) == 0 ? 5.0 : xs_normal(&state);
			assert_int_equal(ls_sorted_window_push(&sw, false, values[i]), LS_WINDOW_OK);
		}
		assert_int_equal(ls_sorted_window_push(&sw, true, 0), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
		assert_int_equal(sw.nsorted, n);
		qsort(values, n, sizeof(double), compare_doubles);
		assert_memory_equal(sw.sorted, values, n * sizeof(double));
		for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		{
			double		got = ls_sorted_quantile(sw.sorted, n, ps[i]);
			double		expected = naive_quantile(values, n, ps[i]);

			if (got != expected)
				fail_msg("n = %zu, p = %g: %.17g, expected %.17g", n, ps[i], got, expected);
		}
		ls_sorted_window_free(&sw);
	}

	/* the exact moments of a ring's two slices, NaN for NULL */
	{
		const double first[] = {1, NAN, 2};
		const double second[] = {3, 4, NAN};
		ls_moments	m;

		ls_moments_exact(&m, first, 3, second, 3);
		assert_i64_equal(m.n, 4);
		assert_true(fabs(m.reference + m.mean - 2.5) < 1e-15);
		assert_true(fabs(m.m2 - 5.0) < 1e-14);
		assert_i64_equal(m.run_length, 1);
		assert_true(m.run_value == 4);
	}
	assert_int_equal(test_allocations_live, 0);
}

/* What the test sorts saw: calls, and the row count of the last one. */
static int	sort_calls;
static size_t sort_last_n;
static jmp_buf sort_escape;

static void
counting_sort(double *values, size_t n)
{
	sort_calls++;
	sort_last_n = n;
	qsort(values, n, sizeof(double), compare_doubles);
}

/* Leaves halfway as CHECK_FOR_INTERRUPTS would, by a longjmp. */
static void
interrupted_sort(double *values, size_t n)
{
	sort_calls++;
	sort_last_n = n;
	/* a sort's work half done: the order changed, not the rows */
	qsort(values, n / 2, sizeof(double), compare_doubles);
	for (size_t i = 0; i < n / 2; i++)
	{
		double		swap = values[i];

		values[i] = values[n - 1 - i];
		values[n - 1 - i] = swap;
	}
	longjmp(sort_escape, 1);
}

/*
 * The plain form's settle sorts with the caller's sort: once per settle,
 * over exactly the pending rows, with the result qsort's would be; a sort
 * that leaves by a longjmp leaves a state that still holds its rows and
 * settles afterwards to the same score.  The moving form never sorts.
 */
static void
test_window_sort_callback(void **unused)
{
	uint64_t	state = 0x50f7;
	double		previous = 1.0;
	ls_sorted_window reference;
	ls_sorted_window sw;
	double		z = 0,
				ez = 0;

	(void) unused;
	model_reset();
	ls_sorted_window_init(&reference, false, &test_allocator);
	ls_sorted_window_init(&sw, false, &test_allocator);
	ls_sorted_window_set_sort(&sw, counting_sort);
	sort_calls = 0;
	for (size_t step = 0; step < 2000; step++)
	{
		double		x = 0;
		bool		isnull = !draw_value(&state, &x, &previous);

		assert_int_equal(ls_sorted_window_push(&reference, isnull, x), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, isnull, x), LS_WINDOW_OK);
		if (step == 999 || step == 1999)
		{
			size_t		pending = sw.npending;

			assert_true(pending > 0);
			assert_int_equal(ls_sorted_window_settle(&reference), LS_WINDOW_OK);
			assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
			assert_int_equal(sort_calls, step == 999 ? 1 : 2);
			assert_int_equal(sort_last_n, pending);
			assert_int_equal(sw.nsorted, reference.nsorted);
			assert_memory_equal(sw.sorted, reference.sorted, sw.nsorted * sizeof(double));
			assert_int_equal(ls_sorted_window_score(&sw, &z),
							 ls_sorted_window_score(&reference, &ez));
			assert_true(z == ez);
		}
	}
	/* nothing pending: no sort */
	assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
	assert_int_equal(sort_calls, 2);

	/* an interrupted sort, then a settle with qsort again */
	for (size_t step = 0; step < 500; step++)
	{
		double		x = 0;
		bool		isnull = !draw_value(&state, &x, &previous);

		assert_int_equal(ls_sorted_window_push(&reference, isnull, x), LS_WINDOW_OK);
		assert_int_equal(ls_sorted_window_push(&sw, isnull, x), LS_WINDOW_OK);
	}
	ls_sorted_window_set_sort(&sw, interrupted_sort);
	sort_calls = 0;
	{
		size_t		nsorted = sw.nsorted;
		size_t		npending = sw.npending;
		uint64_t	null_others = sw.null_others;

		if (setjmp(sort_escape) == 0)
		{
			ls_sorted_window_settle(&sw);
			fail_msg("the interrupted sort returned");
		}
		assert_int_equal(sort_calls, 1);
		assert_int_equal(sort_last_n, npending);
		assert_int_equal(sw.nsorted, nsorted);
		assert_int_equal(sw.npending, npending);
		assert_int_equal(sw.null_others, null_others);
	}
	ls_sorted_window_set_sort(&sw, NULL);
	assert_int_equal(ls_sorted_window_settle(&reference), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
	assert_int_equal(sort_calls, 1);
	assert_int_equal(sw.nsorted, reference.nsorted);
	assert_memory_equal(sw.sorted, reference.sorted, sw.nsorted * sizeof(double));
	assert_int_equal(ls_sorted_window_score(&sw, &z), ls_sorted_window_score(&reference, &ez));
	assert_true(z == ez);
	ls_sorted_window_free(&reference);
	ls_sorted_window_free(&sw);

	/* the moving form inserts each row where it belongs */
	ls_sorted_window_init(&sw, true, &test_allocator);
	ls_sorted_window_set_sort(&sw, counting_sort);
	sort_calls = 0;
	for (int i = 0; i < 100; i++)
		assert_int_equal(ls_sorted_window_push(&sw, false, (i * 37) % 101), LS_WINDOW_OK);
	assert_int_equal(ls_sorted_window_settle(&sw), LS_WINDOW_OK);
	assert_int_equal(sort_calls, 0);
	ls_sorted_window_free(&sw);
	assert_int_equal(test_allocations_live, 0);
}

/* What each status says, in the aggregate's name. */
static void
test_window_error_words(void **state)
{
	ls_error	err;

	(void) state;
	ls_window_error(LS_WINDOW_BAD_VALUE, "logscore_zscore", -INFINITY, &err);
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "logscore_zscore accepts only finite values");
	assert_string_equal(err.detail, "The value -Infinity has no place in a mean, a standard deviation or a quantile.");
	assert_string_equal(err.hint, "Filter out NaN and infinite values, or turn them into NULL with NULLIF.");
	ls_window_error(LS_WINDOW_BAD_VALUE, "logscore_zscore", NAN, &err);
	assert_string_equal(err.detail, "The value NaN has no place in a mean, a standard deviation or a quantile.");
	ls_window_error(LS_WINDOW_BAD_VALUE, "logscore_zscore", INFINITY, &err);
	assert_string_equal(err.detail, "The value Infinity has no place in a mean, a standard deviation or a quantile.");

	ls_window_error(LS_WINDOW_OVERFLOW, "logscore_robust_zscore", 0.0, &err);
	assert_int_equal(err.kind, LS_ERROR_OUT_OF_RANGE);
	assert_string_equal(err.message, "logscore_robust_zscore is out of range for type double precision");
	assert_string_equal(err.hint, "");

	ls_window_error(LS_WINDOW_TOO_LARGE, "logscore_zscore", 0.0, &err);
	assert_int_equal(err.kind, LS_ERROR_LIMIT);
	assert_string_equal(err.message, "logscore_zscore cannot hold that many rows");
	assert_string_equal(err.detail, "");

	ls_window_error(LS_WINDOW_INCONSISTENT, "logscore_zscore", 0.0, &err);
	assert_int_equal(err.kind, LS_ERROR_INTERNAL);
	assert_string_equal(err.message, "logscore_zscore: inconsistent window state");

	ls_window_error(LS_WINDOW_NO_SCORE, "logscore_zscore", 0.0, &err);
	assert_int_equal(err.kind, LS_ERROR_NONE);
	ls_window_error(LS_WINDOW_OK, "logscore_zscore", 0.0, &err);
	assert_int_equal(err.kind, LS_ERROR_NONE);
}

int
run_window_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_window_random_moving, reset_allocations),
		cmocka_unit_test_setup(test_window_random_plain, reset_allocations),
		cmocka_unit_test_setup(test_window_stability, reset_allocations),
		cmocka_unit_test_setup(test_window_constant_after_varying, reset_allocations),
		cmocka_unit_test_setup(test_window_heavy_tail_floor, reset_allocations),
		cmocka_unit_test_setup(test_window_nulls, reset_allocations),
		cmocka_unit_test_setup(test_window_refuses, reset_allocations),
		cmocka_unit_test_setup(test_window_quantiles, reset_allocations),
		cmocka_unit_test_setup(test_window_sort_callback, reset_allocations),
		cmocka_unit_test(test_window_error_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
