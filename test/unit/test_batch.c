/*
 * test_batch.c
 *	  Tests that batch application equals scalar application value for value,
 *	  across chunk boundaries, with overflows anywhere, in all three modes.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define MIN INT64_MIN
#define MAX INT64_MAX

/* The batch path's internal chunk size in apply.c; lengths straddle it. */
#define CHUNK 1024

static const ls_overflow_mode modes[] = {
	LS_OVERFLOW_ERROR, LS_OVERFLOW_NULL, LS_OVERFLOW_SATURATE
};

static const char *const mode_names[] = {"error", "null", "saturate"};

/*
 * Runs the batch over a copy of in[0..n) and checks it against the scalar
 * path one value at a time: the same value or null, and under error mode a
 * stop at the first overflowing position with that value's fault.  Nothing
 * past n may be written.  with_isnull = false passes isnull = NULL, which
 * the header allows except under LS_OVERFLOW_NULL.
 */
static void
check_batch(const ls_pipeline *p, ls_overflow_mode mode, const int64_t *in,
			size_t n, bool with_isnull)
{
	int64_t    *v = malloc((n + 1) * sizeof(int64_t));
	bool	   *isnull = malloc(n + 1);
	ls_fault	fault;
	ls_apply_result r;

	assert_non_null(v);
	assert_non_null(isnull);
	if (n > 0)
		memcpy(v, in, n * sizeof(int64_t));
	v[n] = 0x1234;
	/* stale values that the batch must overwrite */
	memset(isnull, 1, n + 1);
	memset(&fault, 0x5a, sizeof(fault));

	r = ls_pipeline_apply_batch(p, mode, v, with_isnull ? isnull : NULL, n, &fault);

	for (size_t i = 0; i < n; i++)
	{
		ls_fault	want_fault;
		int64_t		want = 0;
		ls_apply_result want_r;

		want_r = ls_pipeline_apply(p, mode, in[i], &want, &want_fault);
		if (want_r == LS_APPLY_OVERFLOW)
		{
			if (r != LS_APPLY_OVERFLOW || fault.index != i ||
				fault.step != want_fault.step || fault.input != in[i] ||
				fault.stage_input != want_fault.stage_input)
			{
				char	   *text = format_alloc(p);

				fail_msg("%s, error mode, n %zu: batch result %d at index %zu "
						 "step %d, expected overflow at %zu step %d",
						 text, n, r, fault.index, fault.step, i, want_fault.step);
			}
			goto done;
		}
		if (with_isnull && isnull[i] != (want_r == LS_APPLY_NULL))
		{
			char	   *text = format_alloc(p);

			fail_msg("%s, %s mode, n %zu: isnull[%zu] is %d for input %lld",
					 text, mode_names[mode], n, i, isnull[i], (long long) in[i]);
		}
		if (want_r == LS_APPLY_OK && v[i] != want)
		{
			char	   *text = format_alloc(p);

			fail_msg("%s, %s mode, n %zu: v[%zu] is %lld for input %lld, "
					 "expected %lld", text, mode_names[mode], n, i,
					 (long long) v[i], (long long) in[i], (long long) want);
		}
	}
	assert_int_equal(r, LS_APPLY_OK);
	if (with_isnull)
		assert_int_equal(isnull[n], 1);

done:
	assert_i64_equal(v[n], 0x1234);
	free(v);
	free(isnull);
}

/* Checks every mode, and the isnull = NULL form where it is allowed. */
static void
check_all_modes(const ls_pipeline *p, const int64_t *in, size_t n)
{
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
	{
		check_batch(p, modes[m], in, n, true);
		if (modes[m] != LS_OVERFLOW_NULL)
			check_batch(p, modes[m], in, n, false);
	}
}

static void
test_batch_empty(void **state)
{
	ls_pipeline p;
	ls_fault	fault;

	(void) state;
	must_parse(LS_DEFAULT_PIPELINE, &p);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		assert_int_equal(ls_pipeline_apply_batch(&p, modes[m], NULL, NULL, 0, &fault),
						 LS_APPLY_OK);
}

/* One overflowing value in the middle of a long batch, in every mode. */
static void
test_batch_overflow_in_middle(void **state)
{
	const size_t n = 3 * CHUNK + 7;
	const size_t bad = CHUNK + CHUNK / 2;
	int64_t    *v = malloc(n * sizeof(int64_t));
	bool	   *isnull = malloc(n);
	ls_pipeline p;
	ls_fault	fault;

	(void) state;
	assert_non_null(v);
	assert_non_null(isnull);
	must_parse("shift(1)", &p);

	/* error: stops at bad, with the values before it scored */
	for (size_t i = 0; i < n; i++)
		v[i] = (int64_t) i;
	v[bad] = MAX;
	assert_int_equal(ls_pipeline_apply_batch(&p, LS_OVERFLOW_ERROR, v, NULL, n, &fault),
					 LS_APPLY_OVERFLOW);
	assert_int_equal(fault.index, bad);
	assert_int_equal(fault.step, 0);
	assert_i64_equal(fault.input, MAX);
	assert_i64_equal(fault.stage_input, MAX);
	for (size_t i = 0; i < bad; i++)
		assert_i64_equal(v[i], (int64_t) i + 1);

	/* null: only bad is null, everything else scored */
	for (size_t i = 0; i < n; i++)
		v[i] = (int64_t) i;
	v[bad] = MAX;
	memset(isnull, 1, n);
	assert_int_equal(ls_pipeline_apply_batch(&p, LS_OVERFLOW_NULL, v, isnull, n, &fault),
					 LS_APPLY_OK);
	for (size_t i = 0; i < n; i++)
	{
		assert_int_equal(isnull[i], i == bad);
		if (i != bad)
			assert_i64_equal(v[i], (int64_t) i + 1);
	}

	/* saturate: bad becomes INT64_MAX */
	for (size_t i = 0; i < n; i++)
		v[i] = (int64_t) i;
	v[bad] = MAX;
	assert_int_equal(ls_pipeline_apply_batch(&p, LS_OVERFLOW_SATURATE, v, NULL, n,
											 &fault), LS_APPLY_OK);
	for (size_t i = 0; i < n; i++)
		assert_i64_equal(v[i], i == bad ? MAX : (int64_t) i + 1);

	free(v);
	free(isnull);
}

/* Under error mode the first of several overflows, in any chunk, is reported. */
static void
test_batch_first_overflow_wins(void **state)
{
	static const size_t positions[][2] = {
		{0, 1}, {5, CHUNK - 1}, {CHUNK - 1, CHUNK}, {CHUNK, 2 * CHUNK},
		{2 * CHUNK + 3, 2 * CHUNK + 4}, {3 * CHUNK - 1, 3 * CHUNK + 1},
	};
	const size_t n = 3 * CHUNK + 2;
	int64_t    *v = malloc(n * sizeof(int64_t));
	ls_pipeline p;

	(void) state;
	assert_non_null(v);
	/* overflows at the second step, so stage_input differs from input */
	must_parse("shift(-1) | scale(4)", &p);
	for (size_t k = 0; k < sizeof(positions) / sizeof(positions[0]); k++)
	{
		ls_fault	fault;

		for (size_t i = 0; i < n; i++)
			v[i] = -(int64_t) i;
		v[positions[k][0]] = MIN / 4;
		v[positions[k][1]] = MAX;
		assert_int_equal(ls_pipeline_apply_batch(&p, LS_OVERFLOW_ERROR, v, NULL, n,
												 &fault), LS_APPLY_OVERFLOW);
		assert_int_equal(fault.index, positions[k][0]);
		assert_int_equal(fault.step, 1);
		assert_i64_equal(fault.input, MIN / 4);
		assert_i64_equal(fault.stage_input, MIN / 4 - 1);
		for (size_t i = 0; i < positions[k][0]; i++)
			assert_i64_equal(v[i], (-(int64_t) i - 1) * 4);
	}
	free(v);
}

/* The founding pipeline over a stretch with and without overflows. */
static void
test_batch_default_pipeline(void **state)
{
	const size_t n = 5 * CHUNK + 11;
	int64_t    *in = malloc(n * sizeof(int64_t));
	ls_pipeline p;

	(void) state;
	assert_non_null(in);
	must_parse(LS_DEFAULT_PIPELINE, &p);
	for (size_t i = 0; i < n; i++)
		in[i] = (int64_t) i - (int64_t) n / 2;
	check_all_modes(&p, in, n);
	/* multiples of 7 large enough that their double's square overflows */
	in[2 * CHUNK + 1] = INT64_C(7000000000);
	in[4 * CHUNK] = INT64_C(-7000000000);
	check_all_modes(&p, in, n);
	free(in);
}

/*
 * Random pipelines over random values: small values that mostly take the
 * fast path, wild values full of extremes, and small values with a single
 * extreme planted at a random position.  Lengths straddle the chunk size.
 */
static void
test_batch_matches_scalar_random(void **state)
{
	static const size_t lengths[] = {
		1, 2, 3, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 17
	};
	const size_t maxn = 2 * CHUNK + 17;
	int64_t    *in = malloc(maxn * sizeof(int64_t));
	uint64_t	rng = UINT64_C(0x2545f4914f6cdd1d);

	(void) state;
	assert_non_null(in);
	for (int round = 0; round < 400; round++)
	{
		ls_pipeline p;
		size_t		n = lengths[round % (sizeof(lengths) / sizeof(lengths[0]))];
		int			flavour = round % 3;

		random_pipeline(&rng, &p, round % 4 == 0 ? LS_MAX_STEPS : 6);
		for (size_t i = 0; i < n; i++)
			in[i] = flavour == 1 ? xs_value(&rng) : xs_range(&rng, -1000, 1000);
		if (flavour == 2)
			in[xs_next(&rng) % n] = xs_value(&rng);
		check_all_modes(&p, in, n);
	}
	free(in);
}

/* Every stage alone, over every extreme value and its neighbours. */
static void
test_batch_each_stage_extremes(void **state)
{
	int64_t		in[CHUNK + 40];
	uint64_t	rng = 12345;
	size_t		n = 0;

	(void) state;
	for (int64_t d = 0; d < 8; d++)
	{
		in[n++] = MIN + d;
		in[n++] = MAX - d;
		in[n++] = d - 4;
		in[n++] = 3037000497 + d;
		in[n++] = -3037000497 - d;
	}
	while (n < sizeof(in) / sizeof(in[0]))
		in[n++] = xs_value(&rng);

	for (size_t s = 0; s < ls_stage_count(); s++)
		for (int k = 0; k < 20; k++)
		{
			ls_pipeline p;
			const ls_stage *stage = ls_stage_at(s);
			int64_t		args[LS_MAX_ARGS];

			/* arguments of any size that are valid for this stage */
			for (;;)
			{
				const char *message = NULL;

				args[0] = xs_value(&rng);
				args[1] = xs_value(&rng);
				if (stage->check == NULL || stage->check(args, &message) < 0)
					break;
			}
			memset(&p, 0, sizeof(p));
			p.nsteps = 1;
			ls_step_init(&p.steps[0], stage, args);
			check_all_modes(&p, in, n);
		}
}

int
run_batch_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_empty),
		cmocka_unit_test(test_batch_overflow_in_middle),
		cmocka_unit_test(test_batch_first_overflow_wins),
		cmocka_unit_test(test_batch_default_pipeline),
		cmocka_unit_test(test_batch_matches_scalar_random),
		cmocka_unit_test(test_batch_each_stage_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
