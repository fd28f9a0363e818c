/*
 * test_stages.c
 *	  Tests of each stage's semantics at ordinary and edge values, through
 *	  both its scalar and its batch function, with the constants that
 *	  ls_step_init derives for the batch loops.
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#define MIN INT64_MIN
#define MAX INT64_MAX

/* Not an overflow direction; marks an expected exact result. */
#define EXACT 0

/* A step for stage name with its arguments, prepared as the parser does. */
static void
make_step(ls_step *step, const char *name, int64_t a0, int64_t a1)
{
	const ls_stage *stage = ls_stage_lookup(name, strlen(name));
	int64_t		args[LS_MAX_ARGS];

	assert_non_null(stage);
	args[0] = a0;
	args[1] = a1;
	ls_step_init(step, stage, args);
}

/*
 * Runs the batch function over a run of copies of x long enough to be
 * vectorised: it must report overflow exactly when the scalar function does,
 * and otherwise produce the scalar function's value in every element.
 */
static void
check_batch_agrees_at(const char *file, int line, const ls_step *step, int64_t x)
{
	int64_t		want = 0;
	int			direction = step->stage->scalar(step, x, &want);
	int64_t		v[37];
	bool		overflow;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = x;
	overflow = step->stage->batch(step, v, sizeof(v) / sizeof(v[0]));
	if (overflow != (direction != 0))
	{
		print_error("%s(%lld, %lld) batch on %lld: overflow %d, scalar direction %d\n",
					step->stage->name, (long long) step->args[0],
					(long long) step->args[1], (long long) x, overflow, direction);
		_fail(file, line);
	}
	if (!overflow)
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			if (v[i] != want)
			{
				print_error("%s(%lld, %lld) batch on %lld: v[%zu] = %lld, expected %lld\n",
							step->stage->name, (long long) step->args[0],
							(long long) step->args[1], (long long) x, i,
							(long long) v[i], (long long) want);
				_fail(file, line);
			}
}

#define check_batch_agrees(step, x) \
	check_batch_agrees_at(__FILE__, __LINE__, (step), (x))

/*
 * Checks one stage on one value: the scalar function returns want_direction
 * and, when that is EXACT, the value want; the batch function agrees.
 */
static void
check_stage_at(const char *file, int line, const char *name,
			   int64_t a0, int64_t a1, int64_t x,
			   int want_direction, int64_t want)
{
	ls_step		step;
	int64_t		got = 0;
	int			direction;

	make_step(&step, name, a0, a1);
	direction = step.stage->scalar(&step, x, &got);
	if (direction != want_direction ||
		(want_direction == EXACT && got != want))
	{
		print_error("%s(%lld, %lld) on %lld: direction %d value %lld, "
					"expected direction %d value %lld\n",
					name, (long long) a0, (long long) a1, (long long) x,
					direction, direction == EXACT ? (long long) got : 0LL,
					want_direction, (long long) want);
		_fail(file, line);
	}
	check_batch_agrees_at(file, line, &step, x);
}

/* CHECK(stage, arg0, arg1, input, EXACT or +1 / -1, expected value) */
#define CHECK(name, a0, a1, x, dir, want) \
	check_stage_at(__FILE__, __LINE__, (name), (a0), (a1), (x), (dir), (want))

static void
test_stage_scale(void **state)
{
	(void) state;
	CHECK("scale", 3, 0, 5, EXACT, 15);
	CHECK("scale", -3, 0, 5, EXACT, -15);
	CHECK("scale", -3, 0, -5, EXACT, 15);
	CHECK("scale", 0, 0, MAX, EXACT, 0);
	CHECK("scale", 0, 0, MIN, EXACT, 0);
	CHECK("scale", MAX, 0, 0, EXACT, 0);
	CHECK("scale", 1, 0, MIN, EXACT, MIN);
	CHECK("scale", -1, 0, MAX, EXACT, -MAX);
	CHECK("scale", 2, 0, MIN / 2, EXACT, MIN);
	CHECK("scale", 2, 0, MAX / 2, EXACT, MAX - 1);
	/* overflow, with the sign of the exact product */
	CHECK("scale", -1, 0, MIN, +1, 0);
	CHECK("scale", 2, 0, MAX / 2 + 1, +1, 0);
	CHECK("scale", 2, 0, MIN / 2 - 1, -1, 0);
	CHECK("scale", -2, 0, MAX, -1, 0);
	CHECK("scale", -2, 0, MIN / 2, +1, 0);
	CHECK("scale", MIN, 0, -1, +1, 0);
	CHECK("scale", MAX, 0, MAX, +1, 0);
	CHECK("scale", MIN, 0, MAX, -1, 0);
}

static void
test_stage_shift(void **state)
{
	(void) state;
	CHECK("shift", 10, 0, 5, EXACT, 15);
	CHECK("shift", 3, 0, -5, EXACT, -2);
	CHECK("shift", 0, 0, MIN, EXACT, MIN);
	CHECK("shift", MIN, 0, MAX, EXACT, -1);
	CHECK("shift", MAX, 0, MIN, EXACT, -1);
	CHECK("shift", 1, 0, MAX - 1, EXACT, MAX);
	CHECK("shift", -1, 0, MIN + 1, EXACT, MIN);
	CHECK("shift", 1, 0, MAX, +1, 0);
	CHECK("shift", MAX, 0, 1, +1, 0);
	CHECK("shift", -1, 0, MIN, -1, 0);
	CHECK("shift", MIN, 0, -1, -1, 0);
	CHECK("shift", MIN, 0, MIN, -1, 0);
}

static void
test_stage_abs(void **state)
{
	(void) state;
	CHECK("abs", 0, 0, 0, EXACT, 0);
	CHECK("abs", 0, 0, 5, EXACT, 5);
	CHECK("abs", 0, 0, -5, EXACT, 5);
	CHECK("abs", 0, 0, MAX, EXACT, MAX);
	CHECK("abs", 0, 0, MIN + 1, EXACT, MAX);
	/* |INT64_MIN| = 2^63 is above INT64_MAX */
	CHECK("abs", 0, 0, MIN, +1, 0);
}

static void
test_stage_clamp(void **state)
{
	(void) state;
	CHECK("clamp", 0, 10, -5, EXACT, 0);
	CHECK("clamp", 0, 10, 0, EXACT, 0);
	CHECK("clamp", 0, 10, 5, EXACT, 5);
	CHECK("clamp", 0, 10, 10, EXACT, 10);
	CHECK("clamp", 0, 10, 15, EXACT, 10);
	CHECK("clamp", 0, 10, MIN, EXACT, 0);
	CHECK("clamp", 0, 10, MAX, EXACT, 10);
	CHECK("clamp", -10, -5, MIN, EXACT, -10);
	CHECK("clamp", -10, -5, MAX, EXACT, -5);
	CHECK("clamp", 3, 3, -100, EXACT, 3);
	CHECK("clamp", 3, 3, 100, EXACT, 3);
	CHECK("clamp", MIN, MAX, MIN, EXACT, MIN);
	CHECK("clamp", MIN, MAX, MAX, EXACT, MAX);
	CHECK("clamp", MIN, MIN, MAX, EXACT, MIN);
	CHECK("clamp", MAX, MAX, MIN, EXACT, MAX);
}

static void
test_stage_bucket(void **state)
{
	(void) state;
	CHECK("bucket", 10, 0, 0, EXACT, 0);
	CHECK("bucket", 10, 0, 9, EXACT, 0);
	CHECK("bucket", 10, 0, 10, EXACT, 1);
	CHECK("bucket", 10, 0, 19, EXACT, 1);
	/* floor, not truncation: negatives go down */
	CHECK("bucket", 10, 0, -1, EXACT, -1);
	CHECK("bucket", 10, 0, -9, EXACT, -1);
	CHECK("bucket", 10, 0, -10, EXACT, -1);
	CHECK("bucket", 10, 0, -11, EXACT, -2);
	CHECK("bucket", 3, 0, -2, EXACT, -1);
	CHECK("bucket", 3, 0, -3, EXACT, -1);
	CHECK("bucket", 3, 0, -4, EXACT, -2);
	CHECK("bucket", 10, 0, MAX, EXACT, INT64_C(922337203685477580));
	CHECK("bucket", 10, 0, MIN, EXACT, INT64_C(-922337203685477581));
	CHECK("bucket", 1, 0, MIN, EXACT, MIN);
	CHECK("bucket", 1, 0, MAX, EXACT, MAX);
	CHECK("bucket", 2, 0, MIN, EXACT, MIN / 2);
	CHECK("bucket", MAX, 0, MAX, EXACT, 1);
	CHECK("bucket", MAX, 0, MAX - 1, EXACT, 0);
	CHECK("bucket", MAX, 0, 0, EXACT, 0);
	CHECK("bucket", MAX, 0, -1, EXACT, -1);
	CHECK("bucket", MAX, 0, MIN + 1, EXACT, -1);
	CHECK("bucket", MAX, 0, MIN, EXACT, -2);
}

static void
test_stage_log2(void **state)
{
	(void) state;
	/* x <= 0 has no logarithm and scores -1 */
	CHECK("log2", 0, 0, 0, EXACT, -1);
	CHECK("log2", 0, 0, -1, EXACT, -1);
	CHECK("log2", 0, 0, -1024, EXACT, -1);
	CHECK("log2", 0, 0, MIN, EXACT, -1);
	CHECK("log2", 0, 0, 1, EXACT, 0);
	CHECK("log2", 0, 0, 2, EXACT, 1);
	CHECK("log2", 0, 0, 3, EXACT, 1);
	CHECK("log2", 0, 0, 4, EXACT, 2);
	CHECK("log2", 0, 0, 1023, EXACT, 9);
	CHECK("log2", 0, 0, 1024, EXACT, 10);
	CHECK("log2", 0, 0, (INT64_C(1) << 62) - 1, EXACT, 61);
	CHECK("log2", 0, 0, INT64_C(1) << 62, EXACT, 62);
	CHECK("log2", 0, 0, MAX, EXACT, 62);
}

static void
test_stage_modsquare(void **state)
{
	(void) state;
	/* the founding scorer: squares multiples of m, shifts the rest by c */
	CHECK("modsquare", 7, 5, 0, EXACT, 0);
	CHECK("modsquare", 7, 5, 7, EXACT, 49);
	CHECK("modsquare", 7, 5, 14, EXACT, 196);
	CHECK("modsquare", 7, 5, 8, EXACT, 13);
	CHECK("modsquare", 7, 5, -7, EXACT, 49);
	CHECK("modsquare", 7, 5, -8, EXACT, -3);
	CHECK("modsquare", 7, -5, 1, EXACT, -4);
	/* m = 1 divides everything: plain squaring */
	CHECK("modsquare", 1, 5, 3, EXACT, 9);
	CHECK("modsquare", 1, 5, -3, EXACT, 9);
	CHECK("modsquare", 1, 5, 3037000499, EXACT, INT64_C(9223372030926249001));
	CHECK("modsquare", 1, 5, -3037000499, EXACT, INT64_C(9223372030926249001));
	CHECK("modsquare", 1, 5, 3037000500, +1, 0);
	CHECK("modsquare", 1, 5, -3037000500, +1, 0);
	CHECK("modsquare", 1, 5, MIN, +1, 0);
	CHECK("modsquare", 1, 5, MAX, +1, 0);
	/* 2^63 = 1 (mod 7): INT64_MIN is not a multiple of 7 */
	CHECK("modsquare", 7, 5, MIN, EXACT, MIN + 5);
	CHECK("modsquare", 7, -1, MIN, -1, 0);
	CHECK("modsquare", 7, 1, MAX - 1, EXACT, MAX);
	CHECK("modsquare", 7, 2, MAX - 1, +1, 0);
	CHECK("modsquare", 2, 0, MIN, +1, 0);
	/* the largest modulus */
	CHECK("modsquare", MAX, 0, MAX, +1, 0);
	CHECK("modsquare", MAX, 0, MIN + 1, +1, 0);
	CHECK("modsquare", MAX, 1, MIN, EXACT, MIN + 1);
	CHECK("modsquare", MAX, -1, MIN, -1, 0);
	CHECK("modsquare", MAX, MAX, 1, +1, 0);
	CHECK("modsquare", MAX, MIN, -1, -1, 0);
	CHECK("modsquare", MAX, 7, 0, EXACT, 0);
}

static void
test_stage_square(void **state)
{
	(void) state;
	CHECK("square", 0, 0, 0, EXACT, 0);
	CHECK("square", 0, 0, 1, EXACT, 1);
	CHECK("square", 0, 0, -1, EXACT, 1);
	CHECK("square", 0, 0, -3, EXACT, 9);
	CHECK("square", 0, 0, 3037000499, EXACT, INT64_C(9223372030926249001));
	CHECK("square", 0, 0, -3037000499, EXACT, INT64_C(9223372030926249001));
	/* a square overflows upwards only */
	CHECK("square", 0, 0, 3037000500, +1, 0);
	CHECK("square", 0, 0, -3037000500, +1, 0);
	CHECK("square", 0, 0, MAX, +1, 0);
	CHECK("square", 0, 0, MIN, +1, 0);
}

static void
test_stage_threshold(void **state)
{
	(void) state;
	CHECK("threshold", 0, 0, -1, EXACT, 0);
	CHECK("threshold", 0, 0, 0, EXACT, 1);
	CHECK("threshold", 0, 0, 1, EXACT, 1);
	CHECK("threshold", -5, 0, -5, EXACT, 1);
	CHECK("threshold", -5, 0, -6, EXACT, 0);
	CHECK("threshold", MIN, 0, MIN, EXACT, 1);
	CHECK("threshold", MIN, 0, MAX, EXACT, 1);
	CHECK("threshold", MAX, 0, MAX, EXACT, 1);
	CHECK("threshold", MAX, 0, MAX - 1, EXACT, 0);
	CHECK("threshold", MAX, 0, MIN, EXACT, 0);
}

/*
 * A batch function reports overflow for the call, not per element: one bad
 * element among good ones is enough, and the good ones before it do not
 * hide it.
 */
static void
test_stage_batch_reports_one_overflow(void **state)
{
	int64_t		v[100];
	ls_step		step;

	(void) state;
	for (size_t s = 0; s < ls_stage_count(); s++)
	{
		const int64_t args[LS_MAX_ARGS] = {1, 1};

		ls_step_init(&step, ls_stage_at(s), args);
		for (int i = 0; i < 100; i++)
			v[i] = i;
		assert_false(step.stage->batch(&step, v, 100));
		/* zero elements: nothing to overflow */
		assert_false(step.stage->batch(&step, v, 0));
	}
	make_step(&step, "shift", 1, 0);
	for (int i = 0; i < 100; i++)
		v[i] = i;
	v[63] = MAX;
	assert_true(step.stage->batch(&step, v, 100));
}

/*
 * modsquare tests divisibility with a multiply by the modulus's inverse
 * rather than a division: it must agree with x % m == 0 for every kind of
 * modulus (odd, even, powers of two, the largest) and every kind of x.
 */
static int
reference_modsquare(int64_t m, int64_t c, int64_t x, int64_t *out)
{
	if (x % m == 0)
		return __builtin_mul_overflow(x, x, out) ? 1 : 0;
	if (__builtin_add_overflow(x, c, out))
		return c < 0 ? -1 : 1;
	return 0;
}

static void
check_modsquare(int64_t m, int64_t c, int64_t x)
{
	ls_step		step;
	int64_t		got = 0;
	int64_t		want = 0;
	int			direction;
	int			want_direction;

	make_step(&step, "modsquare", m, c);
	direction = step.stage->scalar(&step, x, &got);
	want_direction = reference_modsquare(m, c, x, &want);
	if (direction != want_direction || (direction == 0 && got != want))
		fail_msg("modsquare(%lld, %lld) on %lld: direction %d value %lld, "
				 "expected direction %d value %lld", (long long) m, (long long) c,
				 (long long) x, direction, (long long) got, want_direction,
				 (long long) want);
	check_batch_agrees(&step, x);
}

static void
test_stage_modsquare_divisibility(void **state)
{
	uint64_t	rng = UINT64_C(0xd1b54a32d192ed03);
	int64_t		moduli[600];
	size_t		nmoduli = 0;

	(void) state;
	for (int64_t m = 1; m <= 300; m++)
		moduli[nmoduli++] = m;
	for (int k = 0; k <= 62; k++)
	{
		moduli[nmoduli++] = INT64_C(1) << k;
		moduli[nmoduli++] = (INT64_C(1) << k) + 1;
		if (k >= 2)
			moduli[nmoduli++] = (INT64_C(1) << k) - 1;
		if (k <= 60)
			moduli[nmoduli++] = INT64_C(3) << k;
	}
	moduli[nmoduli++] = MAX;
	moduli[nmoduli++] = MAX - 1;
	moduli[nmoduli++] = MAX / 2;
	moduli[nmoduli++] = MAX / 2 + 1;
	moduli[nmoduli++] = 3037000499;
	moduli[nmoduli++] = 3037000500;
	while (nmoduli < sizeof(moduli) / sizeof(moduli[0]))
	{
		/* large odd or even moduli, and small ones times a power of two */
		moduli[nmoduli] = nmoduli % 2 ? xs_range(&rng, 1, MAX)
			: xs_range(&rng, 1, 1000) << xs_range(&rng, 0, 52);
		nmoduli++;
	}

	for (size_t i = 0; i < nmoduli; i++)
	{
		int64_t		m = moduli[i];
		int64_t		c = xs_range(&rng, -10, 10);

		/* multiples of m across the whole range, and their neighbours */
		for (int j = 0; j < 12; j++)
		{
			int64_t		q = xs_range(&rng, MIN / m, MAX / m);

			check_modsquare(m, c, q * m);
			if (q * m > MIN)
				check_modsquare(m, c, q * m - 1);
			if (q * m < MAX)
				check_modsquare(m, c, q * m + 1);
		}
		check_modsquare(m, c, (MIN / m) * m);
		check_modsquare(m, c, (MAX / m) * m);
		check_modsquare(m, c, m);
		check_modsquare(m, c, -m);
		check_modsquare(m, c, 0);
		check_modsquare(m, c, MIN);
		check_modsquare(m, c, MIN + 1);
		check_modsquare(m, c, MAX);
		check_modsquare(m, MIN, -1);
		check_modsquare(m, MAX, 1);
		for (int j = 0; j < 8; j++)
			check_modsquare(m, xs_value(&rng), xs_value(&rng));
	}
}

/*
 * The batch loops of scale, shift and modsquare test overflow against bounds
 * derived from the arguments.  Around every bound, for arguments of every
 * size, they must agree with the scalar functions' exact builtins.
 */
static void
test_stage_batch_bounds(void **state)
{
	static const char *const names[] = {"scale", "shift", "modsquare", "square"};
	uint64_t	rng = UINT64_C(0x8cb92ba72f3d8dd7);

	(void) state;
	for (int round = 0; round < 3000; round++)
	{
		const char *name = names[round % 4];
		ls_step		step;
		int64_t		a0 = xs_value(&rng);
		int64_t		a1 = xs_value(&rng);
		int64_t		centres[8];

		if (round % 8 < 2)
			a0 = xs_range(&rng, -3, 3);
		/* modsquare's modulus must be positive */
		if (strcmp(name, "modsquare") == 0 && (a0 == 0 || a0 == MIN))
			a0 = 1;
		else if (strcmp(name, "modsquare") == 0 && a0 < 0)
			a0 = -a0;
		make_step(&step, name, a0, a1);

		centres[0] = step.lo;
		centres[1] = step.hi;
		centres[2] = MIN;
		centres[3] = MAX;
		centres[4] = 0;
		centres[5] = 3037000499;
		centres[6] = -3037000499;
		centres[7] = xs_value(&rng);
		for (int c = 0; c < 8; c++)
			for (int d = -2; d <= 2; d++)
			{
				int64_t		x;

				if (__builtin_add_overflow(centres[c], d, &x))
					continue;
				check_batch_agrees(&step, x);
			}
	}
}

/* ls_step_init copies the arguments a stage takes and nothing else. */
static void
test_stage_step_init(void **state)
{
	const int64_t args[LS_MAX_ARGS] = {5, 99};
	ls_step		step;

	(void) state;
	memset(&step, 0x5a, sizeof(step));
	ls_step_init(&step, ls_stage_lookup("abs", 3), args);
	assert_ptr_equal(step.stage, ls_stage_lookup("abs", 3));
	assert_i64_equal(step.args[0], 0);
	assert_i64_equal(step.args[1], 0);

	memset(&step, 0x5a, sizeof(step));
	ls_step_init(&step, ls_stage_lookup("scale", 5), args);
	assert_i64_equal(step.args[0], 5);
	assert_i64_equal(step.args[1], 0);

	ls_step_init(&step, ls_stage_lookup("clamp", 5), args);
	assert_i64_equal(step.args[0], 5);
	assert_i64_equal(step.args[1], 99);
}

int
run_stage_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_scale),
		cmocka_unit_test(test_stage_shift),
		cmocka_unit_test(test_stage_abs),
		cmocka_unit_test(test_stage_clamp),
		cmocka_unit_test(test_stage_bucket),
		cmocka_unit_test(test_stage_log2),
		cmocka_unit_test(test_stage_modsquare),
		cmocka_unit_test(test_stage_square),
		cmocka_unit_test(test_stage_threshold),
		cmocka_unit_test(test_stage_batch_reports_one_overflow),
		cmocka_unit_test(test_stage_modsquare_divisibility),
		cmocka_unit_test(test_stage_batch_bounds),
		cmocka_unit_test(test_stage_step_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
