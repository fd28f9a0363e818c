/*
 * test_detector.c
 *	  Tests of the online detector: a score is the state-of-the-rows-before's
 *	  score, every score is in [0, 1] and repeatable, spikes and shifts score
 *	  high and are then learned, near-constant series and gaps stay finite,
 *	  the options' parser, and the text and binary forms' exact round trips
 *	  and refusals.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/detector.h"

#define PI 3.14159265358979323846
#define MINUTE INT64_C(60000000)
/* 2024-01-01 00:00 UTC, as microseconds since 2000-01-01 UTC */
#define T0 INT64_C(757382400000000)

/* A standard normal draw from the fixed-seed generator (Box-Muller). */
static double
normal(uint64_t *seed)
{
	double		u1 = ((double) (xs_next(seed) >> 11) + 0.5) / 9007199254740992.0;
	double		u2 = ((double) (xs_next(seed) >> 11) + 0.5) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * PI * u2);
}

static void
defaults(ls_detector_options *o)
{
	ls_detector_default_options(o);
}

static void
must_update(ls_detector *d, double x, int64_t t)
{
	ls_error	err;

	if (!ls_detector_update(d, x, t, &err))
		fail_msg("update failed: %s", err.message);
}

/* A daily cycle with noise, one row a minute, n rows into d. */
static void
feed_daily(ls_detector *d, uint64_t *seed, int n, int64_t *t)
{
	for (int i = 0; i < n; i++)
	{
		double		x = 100 + 20 * sin(2 * PI * (double) i / 1440) + 2 * normal(seed);

		*t += MINUTE;
		must_update(d, x, *t);
		if (!(d->score >= 0 && d->score <= 1))
			fail_msg("score %g out of [0, 1] at row %d", d->score, i);
	}
}

/* The score update gives a row is the score of the state before it. */
static void
test_detector_score_is_update(void **unused)
{
	ls_detector_options o;
	ls_detector d;
	uint64_t	seed = 14;
	int64_t		t = T0;

	(void) unused;
	defaults(&o);
	ls_detector_init(&d, &o, 100, t);
	assert_true(d.score == 0);
	for (int i = 0; i < 5000; i++)
	{
		double		x = 100 + 5 * normal(&seed) + (i % 997 == 0 ? 60 : 0);
		double		predicted;
		ls_error	err;

		t += MINUTE * (1 + (i % 13 == 0));
		assert_true(ls_detector_score(&d, x, t, &predicted, &err));
		must_update(&d, x, t);
		if (memcmp(&predicted, &d.score, sizeof(double)) != 0)
			fail_msg("row %d: score %.17g, update %.17g", i, predicted, d.score);
	}
}

/* The same rows give the same bits. */
static void
test_detector_deterministic(void **unused)
{
	ls_detector_options o;
	ls_detector a;
	ls_detector b;
	uint64_t	seed_a = 7;
	uint64_t	seed_b = 7;
	int64_t		ta = T0;
	int64_t		tb = T0;

	(void) unused;
	defaults(&o);
	ls_detector_init(&a, &o, 100, T0);
	ls_detector_init(&b, &o, 100, T0);
	feed_daily(&a, &seed_a, 6000, &ta);
	feed_daily(&b, &seed_b, 6000, &tb);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* A spike after days of a daily cycle is the day's top score, then learned. */
static void
test_detector_spike(void **unused)
{
	ls_detector_options o;
	ls_detector d;
	uint64_t	seed = 3;
	int64_t		t = T0;
	double		highest = 0;

	(void) unused;
	defaults(&o);
	ls_detector_init(&d, &o, 100, t);
	feed_daily(&d, &seed, 5 * 1440, &t);
	/* a quiet stretch scores below a strict threshold almost everywhere */
	for (int i = 0; i < 1440; i++)
	{
		t += MINUTE;
		must_update(&d, 100 + 20 * sin(2 * PI * (double) i / 1440) + 2 * normal(&seed), t);
		if (d.score > highest)
			highest = d.score;
	}
	t += MINUTE;
	must_update(&d, 100 + 60, t);
	if (!(d.score > 0.999 && d.score > highest))
		fail_msg("the spike scored %.6f, the quiet day's highest %.6f", d.score, highest);
}

/* A lasting shift scores high at once and is learned within hours. */
static void
test_detector_shift(void **unused)
{
	ls_detector_options o;
	ls_detector d;
	uint64_t	seed = 5;
	int64_t		t = T0;
	double		first = 0;
	double		later = 0;

	(void) unused;
	defaults(&o);
	o.season = 0;
	ls_detector_init(&d, &o, 50, t);
	for (int i = 0; i < 3000; i++)
	{
		t += MINUTE;
		must_update(&d, 50 + normal(&seed), t);
	}
	for (int i = 0; i < 600; i++)
	{
		t += MINUTE;
		must_update(&d, 58 + normal(&seed), t);
		if (i < 5 && d.score > first)
			first = d.score;
		if (i >= 300 && d.score > later)
			later = d.score;
	}
	if (!(first > 0.999 && later < 0.999))
		fail_msg("the shift's first rows scored up to %.6f, rows 300 on up to %.6f", first, later);
}

/* One value but for a rare neighbour: finite scores, and a real move stands out. */
static void
test_detector_near_constant(void **unused)
{
	ls_detector_options o;
	ls_detector d;
	uint64_t	seed = 11;
	int64_t		t = T0;

	(void) unused;
	defaults(&o);
	ls_detector_init(&d, &o, 12, t);
	for (int i = 0; i < 5000; i++)
	{
		double		x = 12 + (xs_range(&seed, 0, 49) == 0 ? (xs_range(&seed, 0, 1) ? 1 : -1) : 0);

		t += MINUTE;
		must_update(&d, x, t);
		assert_true(d.score >= 0 && d.score <= 1);
	}
	t += MINUTE;
	must_update(&d, 16, t);
	assert_true(d.score > 0.999);
	/* a constant series: the floor keeps every z finite */
	ls_detector_init(&d, &o, 0, T0);
	t = T0;
	for (int i = 0; i < 500; i++)
	{
		t += MINUTE;
		must_update(&d, 0, t);
		assert_true(d.score == 0 || (d.score > 0 && d.score <= 1));
	}
	t += MINUTE;
	must_update(&d, 1e-300, t);
	assert_true(d.score >= 0 && d.score <= 1);
}

/* Gaps, equal times and time going backwards. */
static void
test_detector_time(void **unused)
{
	ls_detector_options o;
	ls_detector d;
	ls_detector before;
	uint64_t	seed = 9;
	int64_t		t = T0;
	ls_error	err;
	double		score;

	(void) unused;
	defaults(&o);
	ls_detector_init(&d, &o, 100, t);
	feed_daily(&d, &seed, 2000, &t);
	/* a day missing, then rows at one time */
	t += 1440 * MINUTE;
	must_update(&d, 100, t);
	must_update(&d, 101, t);
	assert_true(d.score >= 0 && d.score <= 1);
	before = d;
	assert_false(ls_detector_update(&d, 100, t - 1, &err));
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "detector rows must come in time order");
	assert_memory_equal(&d, &before, sizeof(d));
	assert_false(ls_detector_score(&d, 100, t - 1, &score, &err));
	assert_false(ls_detector_update(&d, NAN, t, &err));
	assert_false(ls_detector_update(&d, INFINITY, t, &err));
	assert_string_equal(err.message, "a detector value must be finite");
	assert_false(ls_detector_update(&d, -2e150, t, &err));
	assert_int_equal(err.kind, LS_ERROR_OUT_OF_RANGE);
	assert_memory_equal(&d, &before, sizeof(d));
	/* the extremes of the range, far apart in time, keep the state valid */
	must_update(&d, 1e150, t);
	must_update(&d, -1e150, INT64_MAX - 1);
	assert_true(ls_detector_validate(&d, LS_DETECTOR_FORMAT_VERSION, &err));
	assert_true(d.score >= 0 && d.score <= 1);
}

static void
expect_options_error(const char *text, const char *message)
{
	ls_detector_options o;
	ls_error	err;

	if (ls_detector_parse_options(&o, text, strlen(text), &err))
		fail_msg("options \"%s\" parsed", text);
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	if (strcmp(err.message, message) != 0)
		fail_msg("options \"%s\": \"%s\", expected \"%s\"", text, err.message, message);
}

static void
test_detector_options(void **unused)
{
	ls_detector_options o;
	ls_detector_options def;
	ls_error	err;
	const char *text = " fast = 2, medium=16 ,slow=256, memory=1000, season=off ";

	(void) unused;
	ls_detector_default_options(&def);
	assert_true(def.fast == 4 && def.medium == 32 && def.slow == 512 &&
				def.memory == 8192 && def.season == 1);
	assert_true(ls_detector_parse_options(&o, "", 0, &err));
	assert_memory_equal(&o, &def, sizeof(o));
	assert_true(ls_detector_parse_options(&o, text, strlen(text), &err));
	assert_true(o.fast == 2 && o.medium == 16 && o.slow == 256 && o.memory == 1000 && o.season == 0);
	assert_true(ls_detector_parse_options(&o, "season=true", 11, &err));
	assert_true(o.season == 1 && o.slow == 512);
	expect_options_error("speed=3", "unknown detector option \"speed\"");
	assert_string_equal(err.hint, "");
	expect_options_error("fast=2,fast=3", "detector option fast is given twice");
	expect_options_error("fast", "expected key=value in detector options at offset 0");
	expect_options_error("fast=", "detector option fast needs a value");
	expect_options_error("fast=x", "detector option fast must be a number of rows, not \"x\"");
	expect_options_error("fast=nan", "detector option fast must be a number of rows, not \"nan\"");
	expect_options_error("fast=0.5", "detector option fast must be between 1 and 1e9 rows");
	expect_options_error("memory=1e10", "detector option memory must be between 1 and 1e9 rows");
	expect_options_error("fast=64", "detector options must have fast <= medium <= slow");
	expect_options_error("season=maybe", "detector option season must be on or off, not \"maybe\"");
	expect_options_error("fast=2 slow=3", "expected \",\" in detector options at offset 7");
}

/* A state after rows of every kind: gaps, a spike, a shift, a season. */
static void
busy_state(ls_detector *d)
{
	ls_detector_options o;
	uint64_t	seed = 21;
	int64_t		t = T0;

	defaults(&o);
	ls_detector_init(d, &o, 100, t);
	feed_daily(d, &seed, 4 * 1440, &t);
	t += 600 * MINUTE;
	must_update(d, 190, t);
	feed_daily(d, &seed, 100, &t);
}

static void
test_detector_round_trips(void **unused)
{
	ls_detector d;
	ls_detector back;
	ls_error	err;
	size_t		size;
	char	   *text;
	unsigned char *bytes;

	(void) unused;
	busy_state(&d);
	assert_true(ls_detector_validate(&d, LS_DETECTOR_FORMAT_VERSION, &err));
	size = ls_detector_to_text(&d, NULL, 0) + 1;
	text = malloc(size);
	assert_int_equal(ls_detector_to_text(&d, text, size), size - 1);
	memset(&back, 0x55, sizeof(back));
	if (!ls_detector_from_text(&back, text, size - 1, &err))
		fail_msg("text did not read back: %s", err.message);
	assert_memory_equal(&d, &back, sizeof(d));
	/* a short buffer gets a terminated prefix and the length it needed */
	{
		char		small[16];

		assert_int_equal(ls_detector_to_text(&d, small, sizeof(small)), size - 1);
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
	free(text);

	bytes = malloc(ls_detector_binary_size());
	ls_detector_encode(&d, bytes);
	memset(&back, 0x55, sizeof(back));
	assert_true(ls_detector_decode(&back, bytes, ls_detector_binary_size(), &err));
	assert_memory_equal(&d, &back, sizeof(d));
	assert_false(ls_detector_decode(&back, bytes, ls_detector_binary_size() - 1, &err));
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);
	assert_false(ls_detector_decode(&back, bytes, 0, &err));
	assert_string_equal(err.message, "no data");
	bytes[0] = 2;
	assert_false(ls_detector_decode(&back, bytes, ls_detector_binary_size(), &err));
	assert_string_equal(err.message, "unsupported format version 2 (expected 1)");
	free(bytes);
}

static void
expect_invalid(const ls_detector *d, const char *message)
{
	ls_error	err;

	assert_false(ls_detector_validate(d, LS_DETECTOR_FORMAT_VERSION, &err));
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);
	if (strcmp(err.message, message) != 0)
		fail_msg("\"%s\", expected \"%s\"", err.message, message);
}

static void
test_detector_validate(void **unused)
{
	ls_detector good;
	ls_detector d;
	ls_error	err;

	(void) unused;
	busy_state(&good);
	assert_false(ls_detector_validate(&good, 9, &err));
	d = good;
	d.count = 0;
	expect_invalid(&d, "count must be at least 1");
	d = good;
	d.last = d.first - 1;
	expect_invalid(&d, "first and last must be finite times, first <= last");
	d = good;
	d.options.medium = 1e10;
	expect_invalid(&d, "detector option medium must be between 1 and 1e9 rows");
	d = good;
	d.score = 2;
	expect_invalid(&d, "score must be in [0, 1], or -1 for none");
	d = good;
	d.level[1] = NAN;
	expect_invalid(&d, "levels, offsets and spreads must be within the range of values");
	d = good;
	d.week_level[7] = 1e152;
	expect_invalid(&d, "levels, offsets and spreads must be within the range of values");
	d = good;
	d.cusum[0] = -1;
	expect_invalid(&d, "levels, offsets, previous, cusum and alarm must be finite (cusum, alarm >= 0)");
	d = good;
	d.hist[1][3] = -1;
	expect_invalid(&d, "step, spreads, errors, jump, weights and histograms must be finite and >= 0");
	d = good;
	d.weight[2] = 0.5;
	expect_invalid(&d, "weights must be at least 1");
}

static void
expect_text_error(const char *text, const char *message)
{
	ls_detector d;
	ls_error	err;

	if (ls_detector_from_text(&d, text, strlen(text), &err))
		fail_msg("\"%.60s...\" was read", text);
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);
	if (strcmp(err.message, message) != 0)
		fail_msg("\"%s\", expected \"%s\"", err.message, message);
}

/*
 * The error for text with one field's text replaced, at that field's offset
 * plus into.
 */
static void
expect_field_error(const char *text, const char *field, size_t into,
				   const char *replacement, const char *message)
{
	char		edited[8192];
	char		expected[LS_MESSAGE_SIZE];
	const char *at = strstr(text, field);
	size_t		offset = (size_t) (at - text);

	assert_non_null(at);
	assert_true(strlen(text) + strlen(replacement) < sizeof(edited));
	memcpy(edited, text, offset);
	strcpy(edited + offset, replacement);
	strcat(edited, at + strlen(field));
	snprintf(expected, sizeof(expected), message, offset + into);
	expect_text_error(edited, expected);
}

static void
test_detector_text_errors(void **unused)
{
	ls_detector d;
	char		text[8192];

	(void) unused;
	busy_state(&d);
	assert_true(ls_detector_to_text(&d, text, sizeof(text)) < sizeof(text));
	expect_text_error("", "expected \"(\" at offset 0");
	expect_text_error("(version=2", "unsupported format version 2 (expected 1) at offset 9");
	expect_text_error("(version=1,count=1,first=0,last=0,fast=4,slow=1",
					  "expected field \"medium\" at offset 41");
	/* offsets are those of the edited field (its comma for a missing one) */
	expect_field_error(text, ",medium=", 1, ",mediun=", "expected field \"medium\" at offset %zu");
	expect_field_error(text, "fast=4", 5, "fast=x", "expected a finite number at offset %zu");
	expect_field_error(text, "count=", 6, "count=x", "expected an integer at offset %zu");
	expect_field_error(text, "weight=[", 7, "weight=", "expected \"[\" at offset %zu");
	expect_field_error(text, "fast=4", 0, "fast=0", "detector option fast must be between 1 and 1e9 rows");
	expect_field_error(text, "season=1", 0, "season=2", "detector option season must be on or off");
	expect_field_error(text, ",alarm=", 0, "x,alarm=", "expected \",\" at offset %zu");
	/* text after the value */
	{
		char		edited[8200];
		char		expected[LS_MESSAGE_SIZE];

		snprintf(edited, sizeof(edited), "%s x", text);
		snprintf(expected, sizeof(expected), "unexpected text after the value at offset %zu",
				 strlen(text) + 1);
		expect_text_error(edited, expected);
	}
}

int
run_detector_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detector_score_is_update),
		cmocka_unit_test(test_detector_deterministic),
		cmocka_unit_test(test_detector_spike),
		cmocka_unit_test(test_detector_shift),
		cmocka_unit_test(test_detector_near_constant),
		cmocka_unit_test(test_detector_time),
		cmocka_unit_test(test_detector_options),
		cmocka_unit_test(test_detector_round_trips),
		cmocka_unit_test(test_detector_validate),
		cmocka_unit_test(test_detector_text_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
