/*
 * test_format.c
 *	  Tests of the canonical text: ls_step_format, its snprintf-like
 *	  truncation, and the format / parse round trip of the steps joined.
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static void
test_format_steps(void **state)
{
	ls_pipeline p;
	char		buf[128];

	(void) state;
	must_parse("abs | scale(-3) | clamp(-9223372036854775808, 9223372036854775807)", &p);
	assert_int_equal(ls_step_format(&p.steps[0], buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abs");
	assert_int_equal(ls_step_format(&p.steps[1], buf, sizeof(buf)), 9);
	assert_string_equal(buf, "scale(-3)");
	assert_int_equal(ls_step_format(&p.steps[2], buf, sizeof(buf)), 48);
	assert_string_equal(buf, "clamp(-9223372036854775808, 9223372036854775807)");

	/* truncated like snprintf: the full length back, a terminated prefix */
	assert_int_equal(ls_step_format(&p.steps[2], buf, 4), 48);
	assert_string_equal(buf, "cla");
	assert_int_equal(ls_step_format(&p.steps[1], NULL, 0), 9);
}

static void
test_format_pipeline(void **state)
{
	ls_pipeline p;
	char	   *buf;

	(void) state;
	must_parse("seed|BUCKET( 10 )|abs()", &p);
	buf = format_alloc(&p);
	assert_string_equal(buf, "scale(2) | modsquare(7, 5) | bucket(10) | abs");
	free(buf);

	/* no steps at all formats as the empty string */
	memset(&p, 0, sizeof(p));
	buf = format_alloc(&p);
	assert_string_equal(buf, "");
	free(buf);
}

/*
 * For every buffer size from 0 to past the full length: the same return
 * value, a NUL-terminated prefix of the full text, nothing written past size.
 */
static void
test_format_truncation(void **state)
{
	ls_pipeline p;
	char		full[128];
	size_t		len;

	(void) state;
	must_parse("clamp(-9223372036854775808, 9223372036854775807)", &p);
	len = (size_t) ls_step_format(&p.steps[0], full, sizeof(full));
	assert_int_equal(strlen(full), len);

	for (size_t size = 0; size <= len + 2; size++)
	{
		char	   *buf = malloc(size + 1);
		size_t		kept = size == 0 ? 0 : (size - 1 < len ? size - 1 : len);

		assert_non_null(buf);
		memset(buf, '#', size + 1);
		assert_int_equal(ls_step_format(&p.steps[0], buf, size), len);
		if (size > 0)
		{
			assert_int_equal(strlen(buf), kept);
			assert_memory_equal(buf, full, kept);
		}
		assert_int_equal(buf[size], '#');
		free(buf);
	}

	/* measuring with a NULL buffer, as with snprintf(NULL, 0, ...) */
	assert_int_equal(ls_step_format(&p.steps[0], NULL, 0), len);
}

/* The canonical text of a long pipeline with extreme arguments re-parses. */
static void
test_format_round_trip_extremes(void **state)
{
	ls_pipeline p;
	ls_pipeline again;
	char	   *text;
	char	   *text_again;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.nsteps = LS_MAX_STEPS;
	for (int i = 0; i < LS_MAX_STEPS; i++)
	{
		const ls_stage *stage = ls_stage_at((size_t) i % ls_stage_count());
		int64_t		args[LS_MAX_ARGS];

		args[0] = i % 2 ? INT64_MIN : INT64_MAX;
		args[1] = INT64_MAX;
		/* the stages that check their arguments want m, w > 0, lo <= hi */
		if (stage->check != NULL)
			args[0] = INT64_MAX;
		ls_step_init(&p.steps[i], stage, args);
	}
	text = format_alloc(&p);
	must_parse(text, &again);
	assert_true(pipelines_equal(&p, &again));
	text_again = format_alloc(&again);
	assert_string_equal(text, text_again);
	free(text);
	free(text_again);
}

/* format then parse gives back the same pipeline, for random pipelines. */
static void
test_format_round_trip_random(void **state)
{
	uint64_t	rng = UINT64_C(0x9e3779b97f4a7c15);

	(void) state;
	for (int n = 0; n < 2000; n++)
	{
		ls_pipeline p;
		ls_pipeline again;
		char	   *text;
		char	   *text_again;

		random_pipeline(&rng, &p, LS_MAX_STEPS);
		text = format_alloc(&p);
		must_parse(text, &again);
		if (!pipelines_equal(&p, &again))
			fail_msg("\"%s\" does not parse back to the pipeline it came from", text);
		text_again = format_alloc(&again);
		assert_string_equal(text, text_again);
		free(text);
		free(text_again);
	}
}

/* parse then format then parse: the canonical text is a fixed point. */
static void
test_format_canonical_is_fixed_point(void **state)
{
	static const char *const texts[] = {
		"seed",
		"  SEED | Bucket ( +10 ) | clamp(-0, 000)  ",
		"abs() | log2 | square | threshold(9223372036854775807)",
		"modsquare(9223372036854775807, -9223372036854775808)",
	};

	(void) state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
	{
		ls_pipeline p;
		ls_pipeline again;
		char	   *canonical;
		char	   *canonical_again;

		must_parse(texts[i], &p);
		canonical = format_alloc(&p);
		must_parse(canonical, &again);
		assert_true(pipelines_equal(&p, &again));
		canonical_again = format_alloc(&again);
		assert_string_equal(canonical, canonical_again);
		free(canonical);
		free(canonical_again);
	}
}

int
run_format_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_steps),
		cmocka_unit_test(test_format_pipeline),
		cmocka_unit_test(test_format_truncation),
		cmocka_unit_test(test_format_round_trip_extremes),
		cmocka_unit_test(test_format_round_trip_random),
		cmocka_unit_test(test_format_canonical_is_fixed_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
