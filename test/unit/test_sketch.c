/*
 * test_sketch.c
 *	  Tests of the quantile sketch: accuracy against an exact percentile_disc,
 *	  merging, collapsing, the moments, rank, and what it refuses.
 */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVALUES 200000

/* Bucket boundaries are computed in floating point: allow their rounding. */
#define ROUNDING 1e-9

static const double quantiles[] = {0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1};
static const double alphas[] = {0.01, 0.05};

typedef enum distribution
{
	DIST_UNIFORM,
	DIST_LOGNORMAL,
	DIST_PARETO,
	DIST_MIXED,
	DIST_INTEGER,
	NDISTRIBUTIONS
} distribution;

static const char *const distribution_names[] = {
	"uniform", "lognormal", "pareto", "mixed", "integer"
};

static double
draw(distribution dist, uint64_t *state)
{
	double		u;

	switch (dist)
	{
		case DIST_UNIFORM:
			return 1000.0 * xs_uniform(state);
		case DIST_LOGNORMAL:
			return exp(2.0 * xs_normal(state));
		case DIST_PARETO:
			/* shape 1.1: a heavy tail, the mean barely finite */
			return pow(1.0 - xs_uniform(state), -1.0 / 1.1);
		case DIST_MIXED:
			/* zeros, negatives over many magnitudes, a heavy positive tail */
			u = xs_uniform(state);
			if (u < 0.1)
				return u < 0.05 ? 0.0 : -0.0;
			if (u < 0.4)
				return -exp(3.0 * xs_normal(state));
			if (u < 0.7)
				return pow(1.0 - xs_uniform(state), -1.0 / 1.5);
			return 50.0 * xs_uniform(state);
		case DIST_INTEGER:
			/* scores: integers with many ties and zeros */
			return floor(50.0 * exp(1.5 * xs_normal(state)) - 20.0);
		default:
			fail();
	}
	return 0;
}

static double *
draw_values(distribution dist, size_t n, uint64_t seed)
{
	double	   *v = malloc(n * sizeof(double));
	uint64_t	state = seed;

	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = draw(dist, &state);
	return v;
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* percentile_disc over sorted values: row max(1, ceil(q n)). */
static double
exact_quantile(const double *sorted, size_t n, double q)
{
	double		row = ceil(q * (double) n);

	if (row < 1)
		row = 1;
	if (row > (double) n)
		row = (double) n;
	return sorted[(size_t) row - 1];
}

static bool
within(double estimate, double exact, double alpha)
{
	if (exact == 0)
		return estimate == 0;
	return fabs(estimate - exact) <= alpha * fabs(exact) * (1 + ROUNDING);
}

static void
free_sketch(ls_sketch *s)
{
	ls_sketch_free(s);
}

/* Every quantile within alpha; count, min and max exact. */
static void
check_accuracy(distribution dist)
{
	double	   *values = draw_values(dist, NVALUES, 42 + dist);
	double	   *sorted = malloc(NVALUES * sizeof(double));

	assert_non_null(sorted);
	memcpy(sorted, values, NVALUES * sizeof(double));
	qsort(sorted, NVALUES, sizeof(double), compare_doubles);

	for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++)
	{
		ls_sketch	s;

		must_init(&s, alphas[a]);
		for (size_t i = 0; i < NVALUES; i++)
			must_add(&s, values[i]);
		assert_int_equal(s.count, NVALUES);
		assert_true(s.min == sorted[0]);
		assert_true(s.max == sorted[NVALUES - 1]);
		assert_false(s.collapsed);

		for (size_t k = 0; k < sizeof(quantiles) / sizeof(quantiles[0]); k++)
		{
			double		q = quantiles[k];
			double		exact = exact_quantile(sorted, NVALUES, q);
			double		estimate = ls_sketch_quantile(&s, q);

			if (!within(estimate, exact, alphas[a]))
				fail_msg("%s, alpha %g, q %g: %.17g, exact %.17g",
						 distribution_names[dist], alphas[a], q, estimate, exact);
		}
		/* the ends are clamped to the exact min and max */
		assert_true(ls_sketch_quantile(&s, 0) == sorted[0]);
		assert_true(ls_sketch_quantile(&s, 1) == sorted[NVALUES - 1]);
		free_sketch(&s);
	}
	assert_int_equal(test_allocations_live, 0);
	free(values);
	free(sorted);
}

static void
test_sketch_accuracy_uniform(void **state)
{
	(void) state;
	check_accuracy(DIST_UNIFORM);
}

static void
test_sketch_accuracy_lognormal(void **state)
{
	(void) state;
	check_accuracy(DIST_LOGNORMAL);
}

static void
test_sketch_accuracy_pareto(void **state)
{
	(void) state;
	check_accuracy(DIST_PARETO);
}

static void
test_sketch_accuracy_mixed(void **state)
{
	(void) state;
	check_accuracy(DIST_MIXED);
}

static void
test_sketch_accuracy_integer(void **state)
{
	(void) state;
	check_accuracy(DIST_INTEGER);
}

static void
test_sketch_init_alpha(void **state)
{
	static const double bad[] = {0, -0.01, 0.00009, 0.5000001, 1, 2, NAN, INFINITY};
	ls_sketch	s;

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ls_sketch_init(&s, bad[i], &test_allocator),
						 LS_SKETCH_BAD_ALPHA);
	must_init(&s, LS_SKETCH_MIN_ALPHA);
	must_init(&s, LS_SKETCH_MAX_ALPHA);
	must_init(&s, LS_SKETCH_DEFAULT_ALPHA);
	assert_true(s.gamma == (1 + 0.01) / (1 - 0.01));
	assert_true(s.log_gamma == log(s.gamma));
	assert_int_equal(s.count, 0);
	assert_null(s.positive.counts);
	assert_int_equal(test_allocations_live, 0);
}

static void
test_sketch_empty(void **state)
{
	ls_sketch	s;

	(void) state;
	must_init(&s, 0.01);
	assert_true(isnan(ls_sketch_quantile(&s, 0.5)));
	assert_true(isnan(ls_sketch_rank(&s, 1)));
	assert_true(isnan(ls_sketch_stddev(&s)));
	free_sketch(&s);
	/* freeing twice is harmless: free leaves an empty sketch */
	free_sketch(&s);
}

static void
test_sketch_bad_values(void **state)
{
	static const double bad[] = {NAN, -NAN, INFINITY, -INFINITY};
	ls_sketch	s;
	size_t		n1;
	size_t		n2;
	uint8_t    *before;
	uint8_t    *after;

	(void) state;
	must_init(&s, 0.01);
	must_add(&s, 3);
	must_add(&s, -2);
	before = encode_alloc(&s, &n1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ls_sketch_add(&s, bad[i]), LS_SKETCH_BAD_VALUE);
	after = encode_alloc(&s, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);

	/* out-of-range q: the glue validates, the core answers NaN */
	assert_true(isnan(ls_sketch_quantile(&s, -0.01)));
	assert_true(isnan(ls_sketch_quantile(&s, 1.01)));
	assert_true(isnan(ls_sketch_quantile(&s, NAN)));
	assert_true(isnan(ls_sketch_rank(&s, NAN)));

	/* a full count refuses more */
	s.count = UINT64_MAX;
	assert_int_equal(ls_sketch_add(&s, 1), LS_SKETCH_BAD_VALUE);
	free(before);
	free(after);
	free_sketch(&s);
}

/*
 * Each bucket's representative is within alpha of both of its ends, and
 * values map to the bucket whose interval holds them.
 */
static void
test_sketch_mapping(void **state)
{
	static const double probe_alphas[] = {0.0001, 0.001, 0.01, 0.05, 0.2, 0.5};

	(void) state;
	for (size_t a = 0; a < sizeof(probe_alphas) / sizeof(probe_alphas[0]); a++)
	{
		uint64_t	rng = 7;

		for (int i = 0; i < 2000; i++)
		{
			ls_sketch	s;
			double		x = exp((xs_uniform(&rng) - 0.5) * 1380.0);
			double		got;

			/* neighbours, so that the clamp to [min, max] hides nothing */
			must_init(&s, probe_alphas[a]);
			must_add(&s, x / (1 + 4 * probe_alphas[a]));
			must_add(&s, x);
			must_add(&s, x * (1 + 4 * probe_alphas[a]));
			got = ls_sketch_quantile(&s, 0.5);
			if (!within(got, x, probe_alphas[a]))
				fail_msg("alpha %g: %.17g represented by %.17g",
						 probe_alphas[a], x, got);
			free_sketch(&s);
		}
	}
}

/* percentile_disc on a few values; negatives, zeros and positives in order. */
static void
test_sketch_quantile_definition(void **state)
{
	ls_sketch	s;

	(void) state;
	must_init(&s, 0.01);
	for (int i = 1; i <= 4; i++)
		must_add(&s, i);
	assert_true(ls_sketch_quantile(&s, 0) == 1);
	assert_true(ls_sketch_quantile(&s, 0.25) == 1);
	assert_true(within(ls_sketch_quantile(&s, 0.26), 2, 0.01));
	assert_true(within(ls_sketch_quantile(&s, 0.5), 2, 0.01));
	assert_true(within(ls_sketch_quantile(&s, 0.75), 3, 0.01));
	assert_true(within(ls_sketch_quantile(&s, 0.76), 4, 0.01));
	assert_true(ls_sketch_quantile(&s, 1) == 4);
	free_sketch(&s);

	must_init(&s, 0.01);
	must_add(&s, 5);
	must_add(&s, 0);
	must_add(&s, -100);
	must_add(&s, -0.5);
	must_add(&s, 1e-301);		/* counts as zero */
	assert_int_equal(s.zero_count, 2);
	assert_true(ls_sketch_quantile(&s, 0.1) == -100);
	assert_true(within(ls_sketch_quantile(&s, 0.3), -0.5, 0.01));
	assert_true(ls_sketch_quantile(&s, 0.5) == 0);
	assert_true(ls_sketch_quantile(&s, 0.7) == 0);
	assert_true(within(ls_sketch_quantile(&s, 0.9), 5, 0.01));
	free_sketch(&s);

	/* only tiny values: zero, clamped back into [min, max] */
	must_init(&s, 0.01);
	must_add(&s, 1e-310);
	assert_true(ls_sketch_quantile(&s, 0.5) == 1e-310);
	free_sketch(&s);
}

static void
merge_all(ls_sketch *dst, ls_sketch *parts, int k, uint64_t *rng)
{
	int			order[64];

	for (int i = 0; i < k; i++)
		order[i] = i;
	for (int i = k - 1; i > 0; i--)
	{
		int			j = (int) (xs_next(rng) % (uint64_t) (i + 1));
		int			t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < k; i++)
		assert_int_equal(ls_sketch_merge(dst, &parts[order[i]]), LS_SKETCH_OK);
}

static void
assert_close(double a, double b, double tolerance, const char *what)
{
	if (!(fabs(a - b) <= tolerance * fmax(fabs(a), fabs(b))))
		fail_msg("%s: %.17g vs %.17g", what, a, b);
}

/*
 * Merging sketches of k parts, in any order and shape, gives the sketch of the
 * whole: the same buckets, count, min and max bit for bit; sum, mean and m2
 * up to rounding.
 */
static void
check_merge_parts(distribution dist, double alpha, size_t n)
{
	static const int ks[] = {1, 2, 3, 7, 16, 64};
	double	   *values = draw_values(dist, n, 1000 + dist);
	ls_sketch	whole;
	uint64_t	rng = 99;

	must_init(&whole, alpha);
	for (size_t i = 0; i < n; i++)
		must_add(&whole, values[i]);

	for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++)
	{
		int			k = ks[ki];
		ls_sketch	parts[64];
		ls_sketch	merged;
		ls_sketch	tree;

		for (int p = 0; p < k; p++)
			must_init(&parts[p], alpha);
		/* part 0 stays empty when there are three parts or more */
		for (size_t i = 0; i < n; i++)
		{
			int			p = k < 3 ? (int) (xs_next(&rng) % (uint64_t) k) :
				1 + (int) (xs_next(&rng) % (uint64_t) (k - 1));

			must_add(&parts[p], values[i]);
		}

		must_init(&merged, alpha);
		merge_all(&merged, parts, k, &rng);
		assert_same_buckets(&merged, &whole);
		assert_int_equal(merged.count, whole.count);
		assert_true(merged.min == whole.min && merged.max == whole.max);
		assert_close(merged.sum, whole.sum, 1e-9, "sum");
		assert_close(merged.mean, whole.mean, 1e-9, "mean");
		assert_close(merged.m2, whole.m2, 1e-9, "m2");
		assert_close(ls_sketch_stddev(&merged), ls_sketch_stddev(&whole), 1e-9, "stddev");

		/* pairwise, as a tree of combine steps would */
		for (int width = 1; width < k; width *= 2)
			for (int p = 0; p + width < k; p += 2 * width)
				assert_int_equal(ls_sketch_merge(&parts[p], &parts[p + width]),
								 LS_SKETCH_OK);
		tree = parts[0];
		assert_same_buckets(&tree, &whole);
		assert_close(tree.m2, whole.m2, 1e-9, "m2 of the tree");

		for (int p = 0; p < k; p++)
			free_sketch(&parts[p]);
		free_sketch(&merged);
	}
	free_sketch(&whole);
	free(values);
	assert_int_equal(test_allocations_live, 0);
}

static void
test_sketch_merge_parts(void **state)
{
	(void) state;
	for (int d = 0; d < NDISTRIBUTIONS; d++)
		check_merge_parts((distribution) d, 0.01, 50000);
	check_merge_parts(DIST_MIXED, 0.05, 50000);
	check_merge_parts(DIST_MIXED, LS_SKETCH_MIN_ALPHA, 50000);
}

/*
 * The same values added in two orders: the float sum may differ, the
 * distribution must not; one more value, or another accuracy, differs.
 */
static void
test_sketch_same_distribution(void **state)
{
	ls_sketch	forward;
	ls_sketch	backward;
	ls_sketch	coarse;
	ls_sketch	empty;
	ls_sketch	empty_too;

	(void) state;
	must_init(&forward, 0.01);
	must_init(&backward, 0.01);
	must_init(&coarse, 0.02);
	must_init(&empty, 0.01);
	must_init(&empty_too, 0.01);
	for (int i = 0; i < 1000; i++)
	{
		must_add(&forward, (i - 300) * 0.1 + 1e-7 * i * i);
		must_add(&backward, (999 - i - 300) * 0.1 + 1e-7 * (999 - i) * (999 - i));
		must_add(&coarse, (i - 300) * 0.1 + 1e-7 * i * i);
	}
	assert_true(ls_sketch_same_distribution(&forward, &backward));
	assert_true(ls_sketch_same_distribution(&backward, &forward));
	assert_true(ls_sketch_same_distribution(&empty, &empty_too));
	assert_false(ls_sketch_same_distribution(&forward, &empty));
	assert_false(ls_sketch_same_distribution(&empty, &forward));
	assert_false(ls_sketch_same_distribution(&forward, &coarse));
	/* a sum that differs in its last bits alone does not count */
	backward.sum = nextafter(backward.sum, INFINITY);
	backward.m2 = nextafter(backward.m2, INFINITY);
	assert_true(ls_sketch_same_distribution(&forward, &backward));
	/* a value in a bucket both have: only the counts differ */
	must_add(&backward, 5.0);
	assert_false(ls_sketch_same_distribution(&forward, &backward));
	free_sketch(&forward);
	free_sketch(&backward);
	free_sketch(&coarse);
	free_sketch(&empty);
	free_sketch(&empty_too);
}

static void
test_sketch_merge_special(void **state)
{
	ls_sketch	a;
	ls_sketch	b;
	ls_sketch	empty;
	ls_sketch	twice;
	size_t		n1;
	size_t		n2;
	uint8_t    *e1;
	uint8_t    *e2;

	(void) state;
	must_init(&a, 0.01);
	must_init(&b, 0.02);
	must_init(&twice, 0.01);
	for (int i = -50; i < 300; i++)
	{
		must_add(&a, i * 1.5);
		must_add(&b, i);
		must_add(&twice, i * 1.5);
		must_add(&twice, i * 1.5);
	}

	/* alpha mismatch: refused, dst untouched */
	e1 = encode_alloc(&a, &n1);
	assert_int_equal(ls_sketch_merge(&a, &b), LS_SKETCH_ALPHA_MISMATCH);
	must_init(&empty, 0.02);
	assert_int_equal(ls_sketch_merge(&a, &empty), LS_SKETCH_ALPHA_MISMATCH);
	e2 = encode_alloc(&a, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(e1, e2, n1);
	free(e2);

	/* into an empty sketch: a copy, to the bit */
	must_init(&empty, 0.01);
	assert_int_equal(ls_sketch_merge(&empty, &a), LS_SKETCH_OK);
	e2 = encode_alloc(&empty, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(e1, e2, n1);
	free(e2);
	free_sketch(&empty);

	/* an empty source changes nothing */
	must_init(&empty, 0.01);
	assert_int_equal(ls_sketch_merge(&a, &empty), LS_SKETCH_OK);
	e2 = encode_alloc(&a, &n2);
	assert_memory_equal(e1, e2, n1);
	free(e2);

	/* into itself: every value twice */
	assert_int_equal(ls_sketch_merge(&a, &a), LS_SKETCH_OK);
	assert_same_buckets(&a, &twice);
	assert_close(a.m2, twice.m2, 1e-12, "m2");

	/* counts that would overflow: refused, dst untouched */
	free_sketch(&b);
	free(e1);
	e1 = encode_alloc(&a, &n1);
	b = a;
	b.count = UINT64_MAX - 10;
	assert_int_equal(ls_sketch_merge(&a, &b), LS_SKETCH_BAD_VALUE);
	e2 = encode_alloc(&a, &n2);
	assert_memory_equal(e1, e2, n1);
	free(e1);
	free(e2);

	free_sketch(&a);
	free_sketch(&twice);
	assert_int_equal(test_allocations_live, 0);
}

/*
 * Values over 500 decades need far more than LS_SKETCH_MAX_BUCKETS buckets:
 * the stores collapse, yet the quantiles among the largest magnitudes keep
 * their accuracy, and the result does not depend on the order of adds or
 * on how the values were split and merged.
 */
static void
test_sketch_collapse(void **state)
{
	const size_t n = 100000;
	const double alpha = 0.01;
	double	   *values = malloc(n * sizeof(double));
	double	   *sorted = malloc(n * sizeof(double));
	uint64_t	rng = 5;
	ls_sketch	s;
	ls_sketch	up;
	ls_sketch	down;
	ls_sketch	parts[5];
	ls_sketch	merged;
	double		pos_floor;
	double		neg_floor;
	int			checked = 0;

	(void) state;
	assert_non_null(values);
	assert_non_null(sorted);
	for (size_t i = 0; i < n; i++)
	{
		double		u = xs_uniform(&rng);
		double		m = pow(10.0, 500.0 * xs_uniform(&rng) - 250.0);

		values[i] = u < 0.05 ? 0.0 : u < 0.5 ? -m : m;
	}
	memcpy(sorted, values, n * sizeof(double));
	qsort(sorted, n, sizeof(double), compare_doubles);

	must_init(&s, alpha);
	for (int p = 0; p < 5; p++)
		must_init(&parts[p], alpha);
	for (size_t i = 0; i < n; i++)
	{
		must_add(&s, values[i]);
		must_add(&parts[i % 5], values[i]);
	}
	assert_true(s.collapsed);
	assert_int_equal(s.positive.nbuckets, LS_SKETCH_MAX_BUCKETS);
	assert_int_equal(s.negative.nbuckets, LS_SKETCH_MAX_BUCKETS);
	assert_int_equal(s.count, n);
	assert_true(s.min == sorted[0] && s.max == sorted[n - 1]);

	/* values above the collapsed bucket's lower end are still exact to alpha */
	pos_floor = exp((s.positive.offset - 1) * s.log_gamma) * (1 + ROUNDING);
	neg_floor = exp((s.negative.offset - 1) * s.log_gamma) * (1 + ROUNDING);
	for (int k = 0; k <= 1000; k++)
	{
		double		q = k / 1000.0;
		double		exact = exact_quantile(sorted, n, q);
		double		estimate = ls_sketch_quantile(&s, q);

		if ((exact > 0 && exact > pos_floor) || (exact < 0 && -exact > neg_floor))
		{
			if (!within(estimate, exact, alpha))
				fail_msg("q %g: %.17g, exact %.17g", q, estimate, exact);
			checked++;
		}
	}
	/* the top 17.8 of 500 decades, on either side: q <= 0.018 and >= 0.982 */
	assert_true(checked >= 30);
	for (size_t k = 0; k < sizeof(quantiles) / sizeof(quantiles[0]); k++)
		if (quantiles[k] >= 0.99 || quantiles[k] <= 0.01)
			assert_true(within(ls_sketch_quantile(&s, quantiles[k]),
							   exact_quantile(sorted, n, quantiles[k]), alpha));

	/* ascending and descending adds, and merged parts, give the same buckets */
	must_init(&up, alpha);
	must_init(&down, alpha);
	for (size_t i = 0; i < n; i++)
	{
		must_add(&up, sorted[i]);
		must_add(&down, sorted[n - 1 - i]);
	}
	assert_same_buckets(&up, &s);
	assert_same_buckets(&down, &s);
	must_init(&merged, alpha);
	merge_all(&merged, parts, 5, &rng);
	assert_same_buckets(&merged, &s);
	assert_true(merged.collapsed);

	free_sketch(&s);
	free_sketch(&up);
	free_sketch(&down);
	free_sketch(&merged);
	for (int p = 0; p < 5; p++)
		free_sketch(&parts[p]);
	free(values);
	free(sorted);
	assert_int_equal(test_allocations_live, 0);
}

/* A part too narrow to collapse merged into one that did, and the reverse. */
static void
test_sketch_collapse_edges(void **state)
{
	ls_sketch	wide;
	ls_sketch	narrow;
	ls_sketch	whole;
	ls_sketch	m;
	double		g;

	(void) state;
	must_init(&wide, 0.01);
	must_init(&narrow, 0.01);
	must_init(&whole, 0.01);
	g = wide.gamma;
	/* exactly MAX buckets: full, not collapsed */
	for (int i = 0; i < LS_SKETCH_MAX_BUCKETS; i++)
	{
		must_add(&wide, pow(g, i) * 0.999);
		must_add(&whole, pow(g, i) * 0.999);
	}
	assert_int_equal(wide.positive.nbuckets, LS_SKETCH_MAX_BUCKETS);
	assert_false(wide.collapsed);
	/* below the lowest: collapses into it */
	must_add(&narrow, 1e-10);
	must_add(&narrow, 1e-20);
	must_add(&whole, 1e-10);
	must_add(&whole, 1e-20);
	assert_true(whole.collapsed);
	assert_int_equal(whole.positive.counts[0], 3);

	must_init(&m, 0.01);
	assert_int_equal(ls_sketch_merge(&m, &narrow), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_merge(&m, &wide), LS_SKETCH_OK);
	assert_same_buckets(&m, &whole);
	assert_true(m.collapsed);
	assert_int_equal(ls_sketch_merge(&narrow, &wide), LS_SKETCH_OK);
	assert_same_buckets(&narrow, &whole);

	/* a new highest bucket pushes the lowest ones into one */
	must_add(&whole, pow(g, LS_SKETCH_MAX_BUCKETS + 10) * 0.999);
	assert_int_equal(whole.positive.nbuckets, LS_SKETCH_MAX_BUCKETS);
	assert_int_equal(whole.positive.counts[0], 3 + 11);

	free_sketch(&wide);
	free_sketch(&narrow);
	free_sketch(&whole);
	free_sketch(&m);
	assert_int_equal(test_allocations_live, 0);
}

/* Stores grow by doubling: few allocations, none left after free. */
static void
test_sketch_growth(void **state)
{
	ls_sketch	s;
	long		made = test_allocations_made;
	double		g;

	(void) state;
	must_init(&s, 0.01);
	g = s.gamma;
	for (int i = 0; i < 1500; i++)
		must_add(&s, pow(g, i));
	for (int i = 0; i > -500; i--)
		must_add(&s, -pow(g, i));
	assert_true(test_allocations_made - made <= 16);
	assert_int_equal(test_allocations_live, 2);
	assert_false(s.collapsed);
	free_sketch(&s);
	assert_int_equal(test_allocations_live, 0);
}

/* Sample stddev against a two-pass computation, where naive sums would fail. */
static void
test_sketch_stddev(void **state)
{
	const size_t n = 100000;
	double	   *values = malloc(n * sizeof(double));
	uint64_t	rng = 11;
	long double mean = 0;
	long double ss = 0;
	double		expected;
	ls_sketch	s;
	ls_sketch	parts[4];
	ls_sketch	merged;

	(void) state;
	assert_non_null(values);
	for (size_t i = 0; i < n; i++)
		values[i] = 1e9 + xs_normal(&rng);
	for (size_t i = 0; i < n; i++)
		mean += values[i];
	mean /= n;
	for (size_t i = 0; i < n; i++)
		ss += (values[i] - mean) * (values[i] - mean);
	expected = (double) sqrtl(ss / (n - 1));

	must_init(&s, 0.01);
	for (int p = 0; p < 4; p++)
		must_init(&parts[p], 0.01);
	for (size_t i = 0; i < n; i++)
	{
		must_add(&s, values[i]);
		must_add(&parts[i % 4], values[i]);
	}
	must_init(&merged, 0.01);
	for (int p = 0; p < 4; p++)
		assert_int_equal(ls_sketch_merge(&merged, &parts[p]), LS_SKETCH_OK);
	assert_close(ls_sketch_stddev(&s), expected, 1e-6, "stddev");
	assert_close(ls_sketch_stddev(&merged), expected, 1e-6, "merged stddev");
	assert_close(s.mean, (double) mean, 1e-12, "mean");
	free_sketch(&s);
	free_sketch(&merged);
	for (int p = 0; p < 4; p++)
		free_sketch(&parts[p]);

	/* fewer than two values */
	must_init(&s, 0.01);
	assert_true(isnan(ls_sketch_stddev(&s)));
	must_add(&s, 3);
	assert_true(isnan(ls_sketch_stddev(&s)));
	must_add(&s, 5);
	assert_true(fabs(ls_sketch_stddev(&s) - sqrt(2.0)) < 1e-15);
	free_sketch(&s);
	free(values);
}

static int
count_at_most(const double *sorted, size_t n, double x)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;

		if (sorted[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int) lo;
}

static void
test_sketch_rank(void **state)
{
	ls_sketch	s;
	double	   *values;
	double	   *sorted;
	const size_t n = 20000;
	uint64_t	rng = 3;

	(void) state;
	must_init(&s, 0.01);
	for (int i = 1; i <= 5; i++)
		must_add(&s, i);
	assert_true(ls_sketch_rank(&s, 3) == 0.6);
	assert_true(ls_sketch_rank(&s, 2.5) == 0.4);
	assert_true(ls_sketch_rank(&s, 0.5) == 0);
	assert_true(ls_sketch_rank(&s, -1) == 0);
	assert_true(ls_sketch_rank(&s, 5) == 1);
	assert_true(ls_sketch_rank(&s, 1e300) == 1);
	/* one bucket of resolution: 5 * (1 - alpha / 2) shares 5's bucket */
	assert_true(ls_sketch_rank(&s, 4.99) == 0.8 || ls_sketch_rank(&s, 4.99) == 1);
	free_sketch(&s);

	must_init(&s, 0.01);
	must_add(&s, -3);
	must_add(&s, -1);
	must_add(&s, 0);
	must_add(&s, 2);
	assert_true(ls_sketch_rank(&s, -10) == 0);
	assert_true(ls_sketch_rank(&s, -3) == 0.25);
	assert_true(ls_sketch_rank(&s, -2) == 0.25);
	assert_true(ls_sketch_rank(&s, -1) == 0.5);
	assert_true(ls_sketch_rank(&s, 0) == 0.75);
	assert_true(ls_sketch_rank(&s, 1e-305) == 0.75);
	assert_true(ls_sketch_rank(&s, 1) == 0.75);
	assert_true(ls_sketch_rank(&s, 2) == 1);
	free_sketch(&s);

	/* random: between the exact rank of x and that of x's bucket's far end */
	values = draw_values(DIST_MIXED, n, 77);
	sorted = malloc(n * sizeof(double));
	assert_non_null(sorted);
	memcpy(sorted, values, n * sizeof(double));
	qsort(sorted, n, sizeof(double), compare_doubles);
	must_init(&s, 0.01);
	for (size_t i = 0; i < n; i++)
		must_add(&s, values[i]);
	for (int i = 0; i < 5000; i++)
	{
		double		x = i % 2 ? draw(DIST_MIXED, &rng) : values[xs_next(&rng) % n];
		double		r = ls_sketch_rank(&s, x);
		double		far = x > 0 ? x * s.gamma * (1 + ROUNDING) :
			x < 0 ? x / (s.gamma * (1 + ROUNDING)) : 0;
		double		lo = count_at_most(sorted, n, x) / (double) n;
		double		hi = count_at_most(sorted, n, far) / (double) n;

		if (!(r >= lo && r <= hi))
			fail_msg("rank(%.17g) = %.17g, not in [%.17g, %.17g]", x, r, lo, hi);
	}
	free_sketch(&s);
	free(values);
	free(sorted);
}

/* Extreme magnitudes: the ends of double, overflowing sums and moments. */
static void
test_sketch_extremes(void **state)
{
	ls_sketch	s;
	ls_sketch	neg;

	(void) state;
	must_init(&s, LS_SKETCH_MIN_ALPHA);
	must_add(&s, DBL_MAX);
	must_add(&s, DBL_MAX);
	assert_true(isinf(s.sum) && s.sum > 0);
	assert_true(s.mean == DBL_MAX);
	must_add(&s, -DBL_MAX);
	must_add(&s, LS_SKETCH_MIN_MAGNITUDE);
	must_add(&s, 4.9e-324);
	must_add(&s, -DBL_MIN);
	assert_int_equal(s.zero_count, 2);
	assert_true(isfinite(s.mean));
	assert_true(s.mean >= s.min && s.mean <= s.max);
	assert_true(isinf(s.m2));
	assert_true(isinf(ls_sketch_stddev(&s)));
	assert_true(ls_sketch_quantile(&s, 1) == DBL_MAX);
	assert_true(ls_sketch_quantile(&s, 0) == -DBL_MAX);
	assert_true(within(ls_sketch_quantile(&s, 0.7), DBL_MAX, LS_SKETCH_MIN_ALPHA));
	/* 1e-300 and DBL_MAX are far more than MAX buckets apart */
	assert_true(s.collapsed);
	for (int k = 0; k <= 10; k++)
	{
		double		v = ls_sketch_quantile(&s, k / 10.0);

		assert_true(v >= s.min && v <= s.max);
	}

	/* +inf and -inf sums merge into NaN, which still encodes */
	must_init(&neg, LS_SKETCH_MIN_ALPHA);
	must_add(&neg, -DBL_MAX);
	must_add(&neg, -DBL_MAX);
	assert_int_equal(ls_sketch_merge(&s, &neg), LS_SKETCH_OK);
	assert_true(isnan(s.sum));
	assert_true(isfinite(s.mean));
	free_sketch(&s);
	free_sketch(&neg);
}

/* A store's nonzero part: what both forms write and merging adds. */
static void
test_sketch_store_trim(void **state)
{
	uint64_t	counts[] = {0, 0, 3, 0, 1, 0};
	ls_store	st = {-5, 6, 6, counts};
	uint32_t	lo = 99;
	uint32_t	hi = 99;

	(void) state;
	assert_true(ls_store_trim(&st, &lo, &hi));
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 5);

	st.nbuckets = 3;
	assert_true(ls_store_trim(&st, &lo, &hi));
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 3);

	st.nbuckets = 2;
	assert_false(ls_store_trim(&st, &lo, &hi));
	assert_int_equal(lo, hi);

	st.nbuckets = 0;
	st.counts = NULL;
	assert_false(ls_store_trim(&st, &lo, &hi));
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
}

/* What each failing status says, in the words a SQL user sees. */
static void
test_sketch_error_words(void **state)
{
	ls_error	err;

	(void) state;
	ls_sketch_error(LS_SKETCH_BAD_VALUE, &err);
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "value cannot be added to a logscore_sketch");
	assert_string_equal(err.detail, "A sketch holds finite values only, and at most 2^64 of them.");
	assert_string_equal(err.hint, "");

	ls_sketch_error(LS_SKETCH_BAD_ALPHA, &err);
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "logscore_sketch accuracy must be between 0.0001 and 0.5");
	assert_string_equal(err.detail, "");

	ls_sketch_error(LS_SKETCH_ALPHA_MISMATCH, &err);
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "cannot merge logscore_sketch values of different accuracy");
	assert_string_equal(err.hint, "Merge only sketches built with the same accuracy argument.");

	ls_sketch_error(LS_SKETCH_BAD_FORMAT, &err);
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);

	ls_sketch_error(LS_SKETCH_OK, &err);
	assert_int_equal(err.kind, LS_ERROR_NONE);
	assert_string_equal(err.message, "");
}

int
run_sketch_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sketch_init_alpha, reset_allocations),
		cmocka_unit_test_setup(test_sketch_empty, reset_allocations),
		cmocka_unit_test_setup(test_sketch_bad_values, reset_allocations),
		cmocka_unit_test_setup(test_sketch_mapping, reset_allocations),
		cmocka_unit_test_setup(test_sketch_quantile_definition, reset_allocations),
		cmocka_unit_test_setup(test_sketch_accuracy_uniform, reset_allocations),
		cmocka_unit_test_setup(test_sketch_accuracy_lognormal, reset_allocations),
		cmocka_unit_test_setup(test_sketch_accuracy_pareto, reset_allocations),
		cmocka_unit_test_setup(test_sketch_accuracy_mixed, reset_allocations),
		cmocka_unit_test_setup(test_sketch_accuracy_integer, reset_allocations),
		cmocka_unit_test_setup(test_sketch_merge_parts, reset_allocations),
		cmocka_unit_test_setup(test_sketch_merge_special, reset_allocations),
		cmocka_unit_test_setup(test_sketch_same_distribution, reset_allocations),
		cmocka_unit_test_setup(test_sketch_collapse, reset_allocations),
		cmocka_unit_test_setup(test_sketch_collapse_edges, reset_allocations),
		cmocka_unit_test_setup(test_sketch_growth, reset_allocations),
		cmocka_unit_test_setup(test_sketch_stddev, reset_allocations),
		cmocka_unit_test_setup(test_sketch_rank, reset_allocations),
		cmocka_unit_test_setup(test_sketch_extremes, reset_allocations),
		cmocka_unit_test(test_sketch_error_words),
		cmocka_unit_test(test_sketch_store_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
