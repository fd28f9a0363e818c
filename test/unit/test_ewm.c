/*
 * test_ewm.c
 *	  Tests of the time-decayed statistics: closed-form half-life cases,
 *	  merges in every order against the whole, underflow and rescaling, the
 *	  text form's exact round trip, and malformed input refused.
 */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ewm.h"

#define HOUR INT64_C(3600000000)
/* 1995-11-22 06:00 UTC, as microseconds since 2000-01-01 UTC */
#define T0 INT64_C(-129664800000000)

/*
 * Adds x at t the way the logscore_ewm aggregate does: the state of that
 * one value, merged in.  The core has no add of its own, so this exercises
 * exactly the calls SQL makes.
 */
static ls_ewm_status
ewm_add(ls_ewm *e, double x, int64_t t, int64_t half_life)
{
	ls_ewm		one;
	ls_ewm_status status = ls_ewm_init(&one, x, t, half_life);

	if (status != LS_EWM_OK)
		return status;
	return ls_ewm_merge(e, &one);
}

static void
must_ewm(ls_ewm_status status)
{
	if (status != LS_EWM_OK)
		fail_msg("ewm status %d", (int) status);
}

static void
assert_close(double actual, double expected, double relative)
{
	double		scale = fabs(expected) > 1.0 ? fabs(expected) : 1.0;

	if (!(fabs(actual - expected) <= relative * scale))
		fail_msg("%.17g is not within %g of %.17g", actual, relative, expected);
}

static void
assert_same_state(const ls_ewm *a, const ls_ewm *b, double relative)
{
	assert_i64_equal(a->count, b->count);
	assert_i64_equal(a->anchor, b->anchor);
	assert_i64_equal(a->half_life, b->half_life);
	assert_close(a->weight, b->weight, relative);
	assert_close(a->mean, b->mean, relative);
	assert_close(a->m2, b->m2, relative);
}

/* x = 0 at t0 and x = 1 at t0 + h: weights 1/2 and 1. */
static void
test_ewm_closed_form(void **state)
{
	ls_ewm		e;
	ls_ewm		reverse;
	double		z;

	(void) state;
	must_ewm(ls_ewm_init(&e, 0.0, T0, HOUR));
	must_ewm(ewm_add(&e, 1.0, T0 + HOUR, HOUR));
	assert_i64_equal(e.count, 2);
	assert_i64_equal(e.anchor, T0 + HOUR);
	assert_true(e.weight == 1.5);
	assert_close(e.mean, 2.0 / 3.0, 1e-15);
	assert_close(e.m2, 1.0 / 3.0, 1e-15);
	/* weights 1/3 and 2/3 of 1.5: variance p (1 - p) = 2/9 */
	assert_close(ls_ewm_stddev(&e), sqrt(2.0 / 9.0), 1e-15);
	assert_true(ls_ewm_zscore(&e, 1.0, &z));
	assert_close(z, (1.0 / 3.0) / sqrt(2.0 / 9.0), 1e-15);

	/* the older value second: it weighs half when it arrives */
	must_ewm(ls_ewm_init(&reverse, 1.0, T0 + HOUR, HOUR));
	must_ewm(ewm_add(&reverse, 0.0, T0, HOUR));
	assert_same_state(&reverse, &e, 1e-15);

	/* a value exactly one half-life old weighs half, two: a quarter */
	assert_true(ls_ewm_decay(T0, T0 + HOUR, HOUR) == 0.5);
	assert_true(ls_ewm_decay(T0, T0 + 2 * HOUR, HOUR) == 0.25);
	assert_true(ls_ewm_decay(T0 + HOUR, T0, HOUR) == 1.0);
	assert_close(ls_ewm_decay(0, HOUR / 2, HOUR), sqrt(0.5), 1e-15);

	/* three values at one instant: plain mean and population variance */
	must_ewm(ls_ewm_init(&e, 2.0, T0, HOUR));
	must_ewm(ewm_add(&e, 4.0, T0, HOUR));
	must_ewm(ewm_add(&e, 9.0, T0, HOUR));
	assert_true(e.weight == 3.0);
	assert_close(e.mean, 5.0, 1e-15);
	assert_close(ls_ewm_stddev(&e), sqrt(26.0 / 3.0), 1e-15);
}

/* A random state of values over about 20 half-lives, and its parts by i % 3. */
static void
random_parts(uint64_t *rng, int n, ls_ewm *whole, ls_ewm parts[3])
{
	bool		started[3] = {false, false, false};

	for (int i = 0; i < n; i++)
	{
		double		x = 100.0 + 15.0 * xs_normal(rng);
		int64_t		t = T0 + xs_range(rng, 0, 20 * HOUR);

		if (i == 0)
			must_ewm(ls_ewm_init(whole, x, t, HOUR));
		else
			must_ewm(ewm_add(whole, x, t, HOUR));
		if (!started[i % 3])
			must_ewm(ls_ewm_init(&parts[i % 3], x, t, HOUR));
		else
			must_ewm(ewm_add(&parts[i % 3], x, t, HOUR));
		started[i % 3] = true;
	}
}

static void
test_ewm_merge_orders(void **state)
{
	static const int orders[6][3] = {
		{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}
	};
	uint64_t	rng = 20240611;

	(void) state;
	for (int round = 0; round < 20; round++)
	{
		ls_ewm		whole;
		ls_ewm		parts[3];

		random_parts(&rng, 30 + round * 50, &whole, parts);
		for (int o = 0; o < 6; o++)
		{
			ls_ewm		left = parts[orders[o][0]];
			ls_ewm		right = parts[orders[o][1]];

			/* ((a + b) + c) */
			must_ewm(ls_ewm_merge(&left, &parts[orders[o][1]]));
			must_ewm(ls_ewm_merge(&left, &parts[orders[o][2]]));
			assert_same_state(&left, &whole, 1e-9);
			/* (a + (b + c)) */
			must_ewm(ls_ewm_merge(&right, &parts[orders[o][2]]));
			left = parts[orders[o][0]];
			must_ewm(ls_ewm_merge(&left, &right));
			assert_same_state(&left, &whole, 1e-9);
		}
	}
}

/* Values ~2000 half-lives old weigh 0 and leave the statistics alone. */
static void
test_ewm_underflow(void **state)
{
	ls_ewm		e;
	ls_ewm		old;
	ls_ewm		fresh;

	(void) state;
	assert_true(ls_ewm_decay(T0, T0 + 2000 * HOUR, HOUR) == 0.0);

	must_ewm(ls_ewm_init(&e, 1e308, T0, HOUR));
	must_ewm(ewm_add(&e, -1e308, T0 + 2000 * HOUR, HOUR));
	assert_i64_equal(e.count, 2);
	assert_true(e.weight == 1.0);
	assert_true(e.mean == -1e308);
	assert_true(e.m2 == 0.0);
	assert_int_equal(ls_ewm_validate(&e, LS_EWM_FORMAT_VERSION, NULL), LS_EWM_OK);

	/* the same, merged the other way round */
	must_ewm(ls_ewm_init(&old, 1e308, T0, HOUR));
	must_ewm(ls_ewm_init(&fresh, -1e308, T0 + 2000 * HOUR, HOUR));
	must_ewm(ls_ewm_merge(&fresh, &old));
	assert_same_state(&fresh, &e, 0.0);
	must_ewm(ls_ewm_merge(&old, &fresh));
	assert_i64_equal(old.count, 3);
	assert_true(old.mean == -1e308 && old.weight == 1.0);

	/* partly underflowed: a subnormal weight still counts, harmlessly */
	must_ewm(ls_ewm_init(&e, 5.0, T0, HOUR));
	must_ewm(ewm_add(&e, 7.0, T0 + 1070 * HOUR, HOUR));
	assert_true(e.weight == 1.0);
	assert_true(e.mean == 7.0);
}

static void
test_ewm_rescale(void **state)
{
	ls_ewm		e;
	ls_ewm		before;

	(void) state;
	must_ewm(ls_ewm_init(&e, 3.0, T0, HOUR));
	must_ewm(ewm_add(&e, 5.0, T0, HOUR));
	before = e;
	ls_ewm_rescale(&e, T0 + 3 * HOUR);
	assert_i64_equal(e.anchor, T0 + 3 * HOUR);
	assert_true(e.weight == before.weight / 8);
	assert_true(e.m2 == before.m2 / 8);
	assert_true(e.mean == before.mean);
	assert_close(ls_ewm_stddev(&e), ls_ewm_stddev(&before), 1e-15);

	/* never backwards */
	before = e;
	ls_ewm_rescale(&e, T0);
	assert_same_state(&e, &before, 0.0);

	/* anchors at the ends of the timestamp range: no overflow */
	assert_true(ls_ewm_decay(INT64_MIN + 1, INT64_MAX - 1, HOUR) == 0.0);
	assert_close(ls_ewm_decay(INT64_MIN + 1, INT64_MAX - 1, INT64_MAX), 0.25, 1e-15);
}

/* What each failing status says, in the words a SQL user sees. */
static void
test_ewm_error_words(void **state)
{
	static const struct
	{
		ls_ewm_status status;
		ls_error_kind kind;
		const char *message;
		const char *detail;
		const char *hint;
	}			words[] = {
		{LS_EWM_BAD_VALUE, LS_ERROR_INVALID, "value cannot be added to a logscore_ewm",
		"A logscore_ewm holds finite values only.", ""},
		{LS_EWM_BAD_TIME, LS_ERROR_INVALID, "logscore_ewm timestamps must be finite",
		"An infinite timestamp has no weight relative to other values.", ""},
		{LS_EWM_BAD_HALF_LIFE, LS_ERROR_INVALID, "logscore_ewm half-life must be positive", "", ""},
		{LS_EWM_HALF_LIFE_MISMATCH, LS_ERROR_INVALID,
			"cannot merge logscore_ewm values of different half-life", "",
		"Merge only values aggregated with the same half_life argument."},
		{LS_EWM_COUNT_OVERFLOW, LS_ERROR_OUT_OF_RANGE, "logscore_ewm count out of range",
		"A logscore_ewm holds at most 9223372036854775807 values.", ""},
		{LS_EWM_OUT_OF_RANGE, LS_ERROR_OUT_OF_RANGE, "logscore_ewm variance out of range",
		"The squared deviations of the values exceed the range of double precision.", ""},
		{LS_EWM_BAD_FORMAT, LS_ERROR_BAD_INPUT, "invalid logscore_ewm", "", ""},
		{LS_EWM_OK, LS_ERROR_NONE, "", "", ""},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
	{
		ls_error	err;

		ls_ewm_error(words[i].status, &err);
		assert_int_equal(err.kind, words[i].kind);
		assert_string_equal(err.message, words[i].message);
		assert_string_equal(err.detail, words[i].detail);
		assert_string_equal(err.hint, words[i].hint);
	}
}

static void
test_ewm_errors(void **state)
{
	ls_ewm		e;
	ls_ewm		other;
	ls_ewm		before;

	(void) state;
	assert_int_equal(ls_ewm_init(&e, 1.0, T0, 0), LS_EWM_BAD_HALF_LIFE);
	assert_int_equal(ls_ewm_init(&e, 1.0, T0, -HOUR), LS_EWM_BAD_HALF_LIFE);
	assert_int_equal(ls_ewm_init(&e, NAN, T0, HOUR), LS_EWM_BAD_VALUE);
	assert_int_equal(ls_ewm_init(&e, INFINITY, T0, HOUR), LS_EWM_BAD_VALUE);
	assert_int_equal(ls_ewm_init(&e, 1.0, LS_EWM_TIME_NOEND, HOUR), LS_EWM_BAD_TIME);
	assert_int_equal(ls_ewm_init(&e, 1.0, LS_EWM_TIME_NOBEGIN, HOUR), LS_EWM_BAD_TIME);

	must_ewm(ls_ewm_init(&e, 1.0, T0, HOUR));
	must_ewm(ewm_add(&e, 2.0, T0 + 1, HOUR));
	before = e;
	assert_int_equal(ewm_add(&e, 1.0, T0, 2 * HOUR), LS_EWM_HALF_LIFE_MISMATCH);
	assert_int_equal(ewm_add(&e, -INFINITY, T0, HOUR), LS_EWM_BAD_VALUE);
	must_ewm(ls_ewm_init(&other, 1.0, T0, 2 * HOUR));
	assert_int_equal(ls_ewm_merge(&e, &other), LS_EWM_HALF_LIFE_MISMATCH);

	/* the variance overflows double: refused, state untouched */
	assert_int_equal(ewm_add(&e, 1.5e308, T0, HOUR), LS_EWM_OUT_OF_RANGE);
	must_ewm(ls_ewm_init(&other, -1.5e308, T0, HOUR));
	assert_int_equal(ewm_add(&other, 1.5e308, T0, HOUR), LS_EWM_OUT_OF_RANGE);

	other = e;
	other.count = INT64_MAX;
	assert_int_equal(ls_ewm_merge(&e, &other), LS_EWM_COUNT_OVERFLOW);
	assert_same_state(&e, &before, 0.0);

	/* no z-score without spread */
	must_ewm(ls_ewm_init(&e, 4.0, T0, HOUR));
	{
		double		z = 42.0;

		assert_false(ls_ewm_zscore(&e, 5.0, &z));
		assert_true(z == 42.0);
	}
}

static void
expect_invalid(const ls_ewm *e, const char *expected)
{
	ls_error	err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(ls_ewm_validate(e, LS_EWM_FORMAT_VERSION, &err),
					 LS_EWM_BAD_FORMAT);
	assert_string_equal(err.message, expected);
}

static void
test_ewm_validate(void **state)
{
	ls_ewm		good;
	ls_ewm		e;
	ls_error	err;

	(void) state;
	must_ewm(ls_ewm_init(&good, 0.0, T0, HOUR));
	must_ewm(ewm_add(&good, 1.0, T0 + HOUR, HOUR));
	assert_int_equal(ls_ewm_validate(&good, LS_EWM_FORMAT_VERSION, NULL), LS_EWM_OK);
	assert_int_equal(ls_ewm_validate(&good, 2, &err), LS_EWM_BAD_FORMAT);
	assert_string_equal(err.message, "unsupported format version 2 (expected 1)");

	e = good;
	e.half_life = 0;
	expect_invalid(&e, "half_life must be positive");
	e = good;
	e.count = 0;
	expect_invalid(&e, "n must be at least 1");
	e = good;
	e.anchor = INT64_MAX;
	expect_invalid(&e, "anchor must be a finite time");
	e = good;
	e.weight = 0.5;
	expect_invalid(&e, "weight must be between 1 and n (the newest value weighs 1, none more)");
	e.weight = 2.5;
	expect_invalid(&e, "weight must be between 1 and n (the newest value weighs 1, none more)");
	e.weight = NAN;
	expect_invalid(&e, "weight must be between 1 and n (the newest value weighs 1, none more)");
	e = good;
	e.mean = INFINITY;
	expect_invalid(&e, "mean must be finite");
	e = good;
	e.m2 = -1e-300;
	expect_invalid(&e, "m2 must be finite and not negative");
	e.m2 = NAN;
	expect_invalid(&e, "m2 must be finite and not negative");
	must_ewm(ls_ewm_init(&e, 1.0, T0, HOUR));
	e.m2 = 1.0;
	expect_invalid(&e, "a single value must have weight 1 and m2 0");

	/* rounding within the tolerance passes */
	e = good;
	e.weight = 2.0 * (1.0 + 1e-12);
	assert_int_equal(ls_ewm_validate(&e, LS_EWM_FORMAT_VERSION, NULL), LS_EWM_OK);
}

static char *
ewm_text(const ls_ewm *e)
{
	size_t		n = ls_ewm_to_text(e, NULL, 0);
	char	   *text = malloc(n + 1);

	assert_non_null(text);
	assert_int_equal(ls_ewm_to_text(e, text, n + 1), n);
	assert_int_equal(strlen(text), n);
	return text;
}

static void
test_ewm_text_round_trip(void **state)
{
	ls_ewm		e;
	ls_ewm		back;
	char	   *text;
	ls_error	err;
	uint64_t	rng = 77;

	(void) state;
	must_ewm(ls_ewm_init(&e, 0.0, T0, HOUR));
	must_ewm(ewm_add(&e, 1.0, T0 + HOUR, HOUR));
	text = ewm_text(&e);
	assert_string_equal(text,
						"(version=1,n=2,half_life=3600000000,anchor=-129661200000000,"
						"weight=1.5,mean=0.6666666666666666,m2=0.3333333333333333)");
	free(text);

	for (int round = 0; round < 200; round++)
	{
		ls_ewm		parts[3];
		char	   *again;

		random_parts(&rng, 1 + round % 17, &e, parts);
		e.mean *= pow(10.0, (double) xs_range(&rng, -300, 300));
		e.m2 *= pow(10.0, (double) xs_range(&rng, -300, 300));
		if (!isfinite(e.m2))
			e.m2 = DBL_MAX;
		if (e.count == 1)
			e.m2 = 0.0;
		text = ewm_text(&e);
		memset(&err, 0, sizeof(err));
		if (ls_ewm_from_text(&back, text, strlen(text), &err) != LS_EWM_OK)
			fail_msg("%s: %s", text, err.message);
		assert_memory_equal(&back, &e, sizeof(e));
		again = ewm_text(&back);
		assert_string_equal(again, text);
		free(again);
		free(text);
	}

	/* spaces around the punctuation, and extreme integers */
	text = "  ( version = 1 , n = 9223372036854775807 , half_life=1, anchor = "
		"-9223372036854775807,weight=1e0,mean=-0.0,m2=0 )\n";
	must_ewm(ls_ewm_from_text(&back, text, strlen(text), &err));
	assert_i64_equal(back.count, INT64_MAX);
	assert_i64_equal(back.anchor, -INT64_MAX);
	assert_true(back.weight == 1.0 && back.m2 == 0.0);
}

static const char valid_text[] =
"(version=1,n=2,half_life=3600000000,anchor=0,weight=1.5,mean=2,m2=3)";

/* valid_text with its first `from` replaced by `to` */
static const char *
valid_with(const char *from, const char *to)
{
	static char buffer[256];
	const char *at = strstr(valid_text, from);

	assert_non_null(at);
	snprintf(buffer, sizeof(buffer), "%.*s%s%s", (int) (at - valid_text), valid_text,
			 to, at + strlen(from));
	return buffer;
}

#define expect_text_error(text, expected) \
	expect_text_error_at(__FILE__, __LINE__, (text), sizeof(text) - 1, (expected))
#define expect_text_error_s(text, expected) \
	expect_text_error_at(__FILE__, __LINE__, (text), strlen(text), (expected))

static void
expect_text_error_at(const char *file, int line, const char *text, size_t n,
					 const char *expected)
{
	ls_ewm		e;
	ls_ewm		untouched;
	ls_error	err;
	char	   *copy = malloc(n + 1);	/* exact size: ASan sees over-reads */

	assert_non_null(copy);
	memcpy(copy, text, n);
	memset(&e, 0x5a, sizeof(e));
	untouched = e;
	memset(&err, 0, sizeof(err));
	if (ls_ewm_from_text(&e, copy, n, &err) != LS_EWM_BAD_FORMAT)
		fail_msg("%s:%d: accepted: %s", file, line, text);
	if (strcmp(err.message, expected) != 0)
		fail_msg("%s:%d: message \"%s\", expected \"%s\"", file, line, err.message, expected);
	assert_memory_equal(&e, &untouched, sizeof(e));
	free(copy);
}

static void
test_ewm_text_errors(void **state)
{
	ls_ewm		e;

	(void) state;
	must_ewm(ls_ewm_from_text(&e, valid_text, strlen(valid_text), NULL));
	expect_text_error("", "expected \"(\" at offset 0");
	expect_text_error("garbage", "expected \"(\" at offset 0");
	expect_text_error("(", "expected field \"version\" at offset 1");
	expect_text_error_s(valid_with("version=1", "version=2"),
						"unsupported format version 2 (expected 1) at offset 9");
	expect_text_error_s(valid_with("version=1", "version=99999999999999999999"),
						"integer out of range at offset 9");
	expect_text_error_s(valid_with("n=2,", ""), "expected field \"n\" at offset 11");
	expect_text_error_s(valid_with("n=2,half_life=3600000000",
								   "half_life=3600000000,n=2"),
						"expected field \"n\" at offset 11");
	expect_text_error_s(valid_with("n=2", "n=2,n=2"), "expected field \"half_life\" at offset 15");
	expect_text_error_s(valid_with("n=2", "nn=2"), "expected field \"n\" at offset 11");
	expect_text_error_s(valid_with("n=2", "n=2.0"), "expected an integer at offset 13");
	expect_text_error_s(valid_with("n=2", "n="), "expected an integer at offset 13");
	expect_text_error_s(valid_with("n=2", "n=0"), "n must be at least 1");
	expect_text_error_s(valid_with("n=2", "n=-2"), "n must be at least 1");
	expect_text_error_s(valid_with("half_life=3600000000", "half_life=0"),
						"half_life must be positive");
	expect_text_error_s(valid_with("anchor=0", "anchor=9223372036854775807"),
						"anchor must be a finite time");
	expect_text_error_s(valid_with("anchor=0", "anchor=9223372036854775808"),
						"integer out of range at offset 43");
	expect_text_error_s(valid_with("weight=1.5", "weight=-1.5"),
						"weight must be between 1 and n (the newest value weighs 1, none more)");
	expect_text_error_s(valid_with("weight=1.5", "weight=2.5"),
						"weight must be between 1 and n (the newest value weighs 1, none more)");
	expect_text_error_s(valid_with("weight=1.5", "weight=NaN"),
						"expected a finite number at offset 52");
	expect_text_error_s(valid_with("weight=1.5", "weight=inf"),
						"expected a finite number at offset 52");
	expect_text_error_s(valid_with("weight=1.5", "weight=0x1p0"),
						"expected \",\" at offset 53");
	expect_text_error_s(valid_with("weight=1.5", "weight=1."),
						"expected digits after \".\" at offset 52");
	expect_text_error_s(valid_with("weight=1.5", "weight=1e"),
						"expected digits in the exponent at offset 52");
	expect_text_error_s(valid_with("weight=1.5", "weight=.5"),
						"expected a finite number at offset 52");
	expect_text_error_s(valid_with("mean=2", "mean=1e400"), "number out of range at offset 61");
	expect_text_error_s(valid_with("m2=3", "m2=-3"), "m2 must be finite and not negative");
	expect_text_error_s(valid_with("m2=3)", "m2=3"), "expected \")\" at offset 67");
	expect_text_error_s(valid_with("m2=3)", "m2=3))"), "unexpected text after the value at offset 68");
	expect_text_error_s(valid_with("m2=3)", "m2=3) x"), "unexpected text after the value at offset 69");
	expect_text_error_s(valid_with("m2=3)", "m2=3,x=1)"), "expected \")\" at offset 67");
	expect_text_error_s(valid_with("mean=2", "mean=000000000000000000000000000000000000000002"),
						"number longer than 40 characters at offset 61");
	/* a NUL inside: the length counts, not the terminator */
	expect_text_error("(version=1\0,n=2", "expected \",\" at offset 10");
}

int
run_ewm_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ewm_closed_form),
		cmocka_unit_test(test_ewm_merge_orders),
		cmocka_unit_test(test_ewm_underflow),
		cmocka_unit_test(test_ewm_rescale),
		cmocka_unit_test(test_ewm_errors),
		cmocka_unit_test(test_ewm_error_words),
		cmocka_unit_test(test_ewm_validate),
		cmocka_unit_test(test_ewm_text_round_trip),
		cmocka_unit_test(test_ewm_text_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
