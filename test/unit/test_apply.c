/*
 * test_apply.c
 *	  Tests of scalar application: the founding check, chaining of steps, and
 *	  the three overflow modes with the fault they describe.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define MIN INT64_MIN
#define MAX INT64_MAX

/* Scores x with text under mode; returns the result code. */
static ls_apply_result
apply_text(const char *text, ls_overflow_mode mode, int64_t x, int64_t *out,
		   ls_fault *fault)
{
	ls_pipeline p;

	must_parse(text, &p);
	memset(fault, 0x5a, sizeof(*fault));
	return ls_pipeline_apply(&p, mode, x, out, fault);
}

/* Scores x with text and asserts it scores want without overflow. */
static int64_t
score(const char *text, int64_t x)
{
	int64_t		out = 0;
	ls_fault	fault;

	assert_int_equal(apply_text(text, LS_OVERFLOW_ERROR, x, &out, &fault),
					 LS_APPLY_OK);
	return out;
}

/*
 * The founding check: the default pipeline over 0..999999 sums to the
 * number the project started from, by the scalar and by the batch path.
 */
static void
test_apply_founding_sum(void **state)
{
	const size_t n = 1000000;
	ls_pipeline p;
	__int128	sum = 0;
	__int128	batch_sum = 0;
	int64_t    *v = malloc(n * sizeof(int64_t));
	ls_fault	fault;

	(void) state;
	assert_non_null(v);
	must_parse(LS_DEFAULT_PIPELINE, &p);
	for (size_t i = 0; i < n; i++)
	{
		int64_t		out;

		assert_int_equal(ls_pipeline_apply(&p, LS_OVERFLOW_ERROR, (int64_t) i,
										   &out, &fault), LS_APPLY_OK);
		sum += out;
		v[i] = (int64_t) i;
	}
	assert_true(sum == (__int128) INT64_C(190478476194285708));

	assert_int_equal(ls_pipeline_apply_batch(&p, LS_OVERFLOW_ERROR, v, NULL, n,
											 &fault), LS_APPLY_OK);
	for (size_t i = 0; i < n; i++)
		batch_sum += v[i];
	assert_true(batch_sum == (__int128) INT64_C(190478476194285708));
	free(v);
}

static void
test_apply_default_values(void **state)
{
	(void) state;
	/* 2x, then squared when 7 divides it, else plus 5 */
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 0), 0);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 1), 7);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 3), 11);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 7), 196);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, -7), 196);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, -1), 3);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 999998), 1999996 + 5);
	assert_i64_equal(score(LS_DEFAULT_PIPELINE, 999999), INT64_C(1999998) * 1999998);
	assert_i64_equal(score("seed", 14), 784);
}

/* Steps run left to right, each on the previous step's output. */
static void
test_apply_chains_in_order(void **state)
{
	(void) state;
	assert_i64_equal(score("shift(1) | scale(10)", 2), 30);
	assert_i64_equal(score("scale(10) | shift(1)", 2), 21);
	assert_i64_equal(score("shift(-10) | abs | log2", 3), 2);
	assert_i64_equal(score("bucket(10) | scale(10)", -15), -20);
	assert_i64_equal(score("clamp(0, 100) | threshold(50)", 1000), 1);
	assert_i64_equal(score("square | square | square", 3), 6561);
	assert_i64_equal(score("seed | bucket(10)", 7), 19);
}

/* A pipeline without steps gives the value back. */
static void
test_apply_no_steps(void **state)
{
	ls_pipeline p;
	ls_fault	fault;
	int64_t		out = 0;

	(void) state;
	memset(&p, 0, sizeof(p));
	for (int mode = LS_OVERFLOW_ERROR; mode <= LS_OVERFLOW_SATURATE; mode++)
	{
		assert_int_equal(ls_pipeline_apply(&p, (ls_overflow_mode) mode, MIN, &out,
										   &fault), LS_APPLY_OK);
		assert_i64_equal(out, MIN);
	}
}

/* Results exactly at the limits are not overflows, in any mode. */
static void
test_apply_limits_are_exact(void **state)
{
	ls_fault	fault;
	int64_t		out;

	(void) state;
	for (int mode = LS_OVERFLOW_ERROR; mode <= LS_OVERFLOW_SATURATE; mode++)
	{
		assert_int_equal(apply_text("shift(1)", (ls_overflow_mode) mode, MAX - 1,
									&out, &fault), LS_APPLY_OK);
		assert_i64_equal(out, MAX);
		assert_int_equal(apply_text("shift(-1)", (ls_overflow_mode) mode, MIN + 1,
									&out, &fault), LS_APPLY_OK);
		assert_i64_equal(out, MIN);
		assert_int_equal(apply_text("scale(-1)", (ls_overflow_mode) mode, MAX,
									&out, &fault), LS_APPLY_OK);
		assert_i64_equal(out, MIN + 1);
	}
}

static void
test_apply_error_mode(void **state)
{
	ls_fault	fault;
	int64_t		out;

	(void) state;
	assert_int_equal(apply_text("shift(1)", LS_OVERFLOW_ERROR, MAX, &out, &fault),
					 LS_APPLY_OVERFLOW);
	assert_int_equal(fault.index, 0);
	assert_int_equal(fault.step, 0);
	assert_i64_equal(fault.input, MAX);
	assert_i64_equal(fault.stage_input, MAX);

	/* a later step: stage_input is what that step was given */
	assert_int_equal(apply_text("shift(1) | scale(2) | shift(5)", LS_OVERFLOW_ERROR,
								INT64_C(1) << 62, &out, &fault), LS_APPLY_OVERFLOW);
	assert_int_equal(fault.index, 0);
	assert_int_equal(fault.step, 1);
	assert_i64_equal(fault.input, INT64_C(1) << 62);
	assert_i64_equal(fault.stage_input, (INT64_C(1) << 62) + 1);

	/* the founding pipeline overflows squaring a large multiple of 7 */
	assert_int_equal(apply_text(LS_DEFAULT_PIPELINE, LS_OVERFLOW_ERROR,
								INT64_C(7000000000), &out, &fault),
					 LS_APPLY_OVERFLOW);
	assert_int_equal(fault.step, 1);
	assert_i64_equal(fault.input, INT64_C(7000000000));
	assert_i64_equal(fault.stage_input, INT64_C(14000000000));

	/* abs(INT64_MIN) at the last step */
	assert_int_equal(apply_text("shift(0) | clamp(-9223372036854775808, 0) | abs",
								LS_OVERFLOW_ERROR, MIN, &out, &fault),
					 LS_APPLY_OVERFLOW);
	assert_int_equal(fault.step, 2);
	assert_i64_equal(fault.input, MIN);
	assert_i64_equal(fault.stage_input, MIN);

	/* a negative overflow is an overflow too */
	assert_int_equal(apply_text("scale(3)", LS_OVERFLOW_ERROR, MIN / 2, &out, &fault),
					 LS_APPLY_OVERFLOW);
	assert_int_equal(fault.step, 0);
	assert_i64_equal(fault.stage_input, MIN / 2);
}

/* NULL mode reports the same fault as error mode, but as LS_APPLY_NULL. */
static void
test_apply_null_mode(void **state)
{
	ls_fault	fault;
	int64_t		out;

	(void) state;
	assert_int_equal(apply_text("shift(1) | scale(2) | shift(5)", LS_OVERFLOW_NULL,
								INT64_C(1) << 62, &out, &fault), LS_APPLY_NULL);
	assert_int_equal(fault.index, 0);
	assert_int_equal(fault.step, 1);
	assert_i64_equal(fault.input, INT64_C(1) << 62);
	assert_i64_equal(fault.stage_input, (INT64_C(1) << 62) + 1);

	assert_int_equal(apply_text("abs", LS_OVERFLOW_NULL, MIN, &out, &fault),
					 LS_APPLY_NULL);
	assert_int_equal(fault.step, 0);
	assert_i64_equal(fault.input, MIN);

	assert_int_equal(apply_text("abs", LS_OVERFLOW_NULL, MIN + 1, &out, &fault),
					 LS_APPLY_OK);
	assert_i64_equal(out, MAX);
}

/* Saturation clamps an overflowing step to the side the exact value lies. */
static void
test_apply_saturate_direction(void **state)
{
	static const struct
	{
		const char *text;
		int64_t		x;
		int64_t		want;
	}			cases[] = {
		/* above INT64_MAX */
		{"shift(1)", MAX, MAX},
		{"scale(2)", MAX / 2 + 1, MAX},
		{"scale(-1)", MIN, MAX},
		{"scale(-2)", MIN, MAX},
		{"abs", MIN, MAX},
		{"square", MIN, MAX},
		{"square", -3037000500, MAX},
		{"modsquare(1, 0)", MIN, MAX},
		{"modsquare(7, 9223372036854775807)", 1, MAX},
		/* below INT64_MIN */
		{"shift(-1)", MIN, MIN},
		{"shift(-9223372036854775808)", -1, MIN},
		{"scale(2)", MIN / 2 - 1, MIN},
		{"scale(-2)", MAX, MIN},
		{"scale(9223372036854775807)", -2, MIN},
		{"modsquare(7, -1)", MIN, MIN},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		ls_fault	fault;
		int64_t		out = 0;
		ls_apply_result r;

		r = apply_text(cases[i].text, LS_OVERFLOW_SATURATE, cases[i].x, &out, &fault);
		if (r != LS_APPLY_OK || out != cases[i].want)
			fail_msg("%s on %lld: result %d value %lld, expected %lld",
					 cases[i].text, (long long) cases[i].x, r, (long long) out,
					 (long long) cases[i].want);
		/* and the other modes agree that it overflowed */
		assert_int_equal(apply_text(cases[i].text, LS_OVERFLOW_ERROR, cases[i].x,
									&out, &fault), LS_APPLY_OVERFLOW);
	}
}

/* After saturating, the pipeline carries on with the clamped value. */
static void
test_apply_saturate_continues(void **state)
{
	ls_fault	fault;
	int64_t		out;

	(void) state;
	assert_int_equal(apply_text("scale(2) | shift(-1)", LS_OVERFLOW_SATURATE, MAX,
								&out, &fault), LS_APPLY_OK);
	assert_i64_equal(out, MAX - 1);
	assert_int_equal(apply_text("scale(-2) | shift(1)", LS_OVERFLOW_SATURATE, MAX,
								&out, &fault), LS_APPLY_OK);
	assert_i64_equal(out, MIN + 1);
	assert_int_equal(apply_text("scale(2) | scale(2)", LS_OVERFLOW_SATURATE, MAX,
								&out, &fault), LS_APPLY_OK);
	assert_i64_equal(out, MAX);
	/* saturated up, then an abs and a second overflow down */
	assert_int_equal(apply_text("square | scale(-1) | shift(-1) | abs | shift(1)",
								LS_OVERFLOW_SATURATE, MIN, &out, &fault),
					 LS_APPLY_OK);
	assert_i64_equal(out, MAX);
	assert_int_equal(apply_text(LS_DEFAULT_PIPELINE " | log2", LS_OVERFLOW_SATURATE,
								INT64_C(7000000000), &out, &fault), LS_APPLY_OK);
	assert_i64_equal(out, 62);
}

/* An overflow's words: the stage as written, and the element when there is one. */
static void
test_apply_fault_error(void **state)
{
	ls_pipeline p;
	ls_fault	fault;
	ls_error	err;
	int64_t		out;

	(void) state;
	must_parse(LS_DEFAULT_PIPELINE, &p);
	assert_int_equal(ls_pipeline_apply(&p, LS_OVERFLOW_ERROR, INT64_C(7000000000), &out, &fault),
					 LS_APPLY_OVERFLOW);
	ls_fault_error(&p, &fault, 0, &err);
	assert_int_equal(err.kind, LS_ERROR_OUT_OF_RANGE);
	assert_string_equal(err.message, "logscore result is out of range for type bigint");
	assert_string_equal(err.detail,
						"Stage 2, modsquare(7, 5), overflowed on 14000000000 while scoring 7000000000.");
	assert_string_equal(err.hint, "");
	ls_fault_error(&p, &fault, 3, &err);
	assert_string_equal(err.detail,
						"Stage 2, modsquare(7, 5), overflowed on 14000000000 while scoring 7000000000, element 3 of the array.");
}

int
run_apply_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_founding_sum),
		cmocka_unit_test(test_apply_default_values),
		cmocka_unit_test(test_apply_chains_in_order),
		cmocka_unit_test(test_apply_no_steps),
		cmocka_unit_test(test_apply_limits_are_exact),
		cmocka_unit_test(test_apply_error_mode),
		cmocka_unit_test(test_apply_fault_error),
		cmocka_unit_test(test_apply_null_mode),
		cmocka_unit_test(test_apply_saturate_direction),
		cmocka_unit_test(test_apply_saturate_continues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
