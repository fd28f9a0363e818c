/*
 * test_parse.c
 *	  Tests of the pipeline parser: what it accepts, the steps it builds, and
 *	  every error it reports with its kind, byte offset and message.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TEXT "scale(2) | modsquare(7, 5)"

static const ls_stage *
stage(const char *name)
{
	const ls_stage *s = ls_stage_lookup(name, strlen(name));

	assert_non_null(s);
	return s;
}

/*
 * ls_pipeline_parse, answering with the error's kind (LS_ERROR_NONE when it
 * parsed), after checking that its result agrees with that kind.
 */
static ls_error_kind
parse_kind(const char *text, size_t len, ls_pipeline *p, ls_error *err)
{
	bool		ok = ls_pipeline_parse(text, len, p, err);

	assert_int_equal(ok, err->kind == LS_ERROR_NONE);
	return err->kind;
}

static void
test_parse_default_pipeline(void **state)
{
	ls_pipeline p;
	ls_error	err;

	(void) state;
	assert_string_equal(LS_DEFAULT_PIPELINE, DEFAULT_TEXT);
	assert_int_equal(parse_kind(DEFAULT_TEXT, strlen(DEFAULT_TEXT), &p, &err),
					 LS_ERROR_NONE);
	assert_int_equal(err.kind, LS_ERROR_NONE);
	assert_string_equal(err.message, "");
	assert_int_equal(p.nsteps, 2);
	assert_ptr_equal(p.steps[0].stage, stage("scale"));
	assert_i64_equal(p.steps[0].args[0], 2);
	assert_ptr_equal(p.steps[1].stage, stage("modsquare"));
	assert_i64_equal(p.steps[1].args[0], 7);
	assert_i64_equal(p.steps[1].args[1], 5);
}

/*
 * Accepted texts and the canonical text each formats back to; covers
 * whitespace freedom, case, the "seed" alias, empty parentheses, signs and
 * the bigint limits.
 */
static const struct
{
	const char *text;
	int			nsteps;
	const char *canonical;
}			accepted[] = {
	{DEFAULT_TEXT, 2, DEFAULT_TEXT},
	{"scale(2)|modsquare(7,5)", 2, DEFAULT_TEXT},
	{"  \t scale ( 2 )\n|\r\nmodsquare(\t7 ,5 )  \n", 2, DEFAULT_TEXT},
	{"scale(\n2\n)\n|\nmodsquare\n(\n7\n,\n5\n)", 2, DEFAULT_TEXT},
	{"SCALE(2) | ModSquare(7, 5)", 2, DEFAULT_TEXT},
	{"seed", 2, DEFAULT_TEXT},
	{"SEED", 2, DEFAULT_TEXT},
	{"  Seed  ", 2, DEFAULT_TEXT},
	{"seed()", 2, DEFAULT_TEXT},
	{"seed | bucket(10)", 3, DEFAULT_TEXT " | bucket(10)"},
	{"bucket(10)|seed", 3, "bucket(10) | " DEFAULT_TEXT},
	{"seed | seed", 4, DEFAULT_TEXT " | " DEFAULT_TEXT},
	{"abs()", 1, "abs"},
	{"abs ( )", 1, "abs"},
	{"abs", 1, "abs"},
	{"ABS|LOG2()|Square", 3, "abs | log2 | square"},
	{"scale(+5)", 1, "scale(5)"},
	{"scale(007)", 1, "scale(7)"},
	{"shift(-0)", 1, "shift(0)"},
	{"shift(000000000000000000000000000000042)", 1, "shift(42)"},
	{"scale(9223372036854775807)", 1, "scale(9223372036854775807)"},
	{"scale(-9223372036854775808)", 1, "scale(-9223372036854775808)"},
	{"clamp(-9223372036854775808,9223372036854775807)", 1,
	"clamp(-9223372036854775808, 9223372036854775807)"},
	{"clamp(3, 3)", 1, "clamp(3, 3)"},
	{"bucket(1) | modsquare(1, -5)", 2, "bucket(1) | modsquare(1, -5)"},
	{"bucket(9223372036854775807)", 1, "bucket(9223372036854775807)"},
	{"threshold(-1) | square | shift(-3)", 3, "threshold(-1) | square | shift(-3)"},
};

static void
test_parse_accepts(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
	{
		ls_pipeline p;
		ls_error	err;
		char	   *buf;
		ls_error_kind status;

		status = parse_kind(accepted[i].text, strlen(accepted[i].text), &p, &err);
		if (status != LS_ERROR_NONE)
			fail_msg("\"%s\" rejected at %zu: %s", accepted[i].text,
					 err.offset, err.message);
		if (p.nsteps != accepted[i].nsteps)
			fail_msg("\"%s\" has %d steps, expected %d", accepted[i].text,
					 p.nsteps, accepted[i].nsteps);
		buf = format_alloc(&p);
		if (strcmp(buf, accepted[i].canonical) != 0)
			fail_msg("\"%s\" formats as \"%s\", expected \"%s\"",
					 accepted[i].text, buf, accepted[i].canonical);
		free(buf);
	}
}

static void
test_parse_seed_alias_expands(void **state)
{
	ls_pipeline seed;
	ls_pipeline spelled;
	ls_pipeline longer;

	(void) state;
	must_parse("seed", &seed);
	must_parse(LS_DEFAULT_PIPELINE, &spelled);
	assert_int_equal(seed.nsteps, 2);
	assert_true(pipelines_equal(&seed, &spelled));

	must_parse("seed | bucket(10)", &longer);
	assert_int_equal(longer.nsteps, 3);
	assert_ptr_equal(longer.steps[0].stage, stage("scale"));
	assert_ptr_equal(longer.steps[1].stage, stage("modsquare"));
	assert_ptr_equal(longer.steps[2].stage, stage("bucket"));
	assert_i64_equal(longer.steps[2].args[0], 10);

	must_parse("abs | seed | abs", &longer);
	assert_int_equal(longer.nsteps, 4);
	assert_ptr_equal(longer.steps[0].stage, stage("abs"));
	assert_ptr_equal(longer.steps[1].stage, stage("scale"));
	assert_ptr_equal(longer.steps[2].stage, stage("modsquare"));
	assert_ptr_equal(longer.steps[3].stage, stage("abs"));
}

static void
test_parse_integer_limits(void **state)
{
	ls_pipeline p;

	(void) state;
	must_parse("clamp(-9223372036854775808, 9223372036854775807)", &p);
	assert_i64_equal(p.steps[0].args[0], INT64_MIN);
	assert_i64_equal(p.steps[0].args[1], INT64_MAX);
	must_parse("shift(-1) | shift(+1) | shift(0)", &p);
	assert_i64_equal(p.steps[0].args[0], -1);
	assert_i64_equal(p.steps[1].args[0], 1);
	assert_i64_equal(p.steps[2].args[0], 0);
}

/* Only len bytes are read: the text need not be NUL-terminated. */
static void
test_parse_respects_length(void **state)
{
	ls_pipeline p;
	ls_error	err;
	char	   *exact = malloc(4);

	(void) state;
	assert_int_equal(parse_kind("scale(2) | nope", 8, &p, &err), LS_ERROR_NONE);
	assert_int_equal(p.nsteps, 1);
	assert_i64_equal(p.steps[0].args[0], 2);

	/* a heap buffer without a terminator, so ASan sees any over-read */
	assert_non_null(exact);
	memcpy(exact, "abs ", 4);
	assert_int_equal(parse_kind(exact, 4, &p, &err), LS_ERROR_NONE);
	assert_int_equal(p.nsteps, 1);
	assert_int_equal(parse_kind(exact, 3, &p, &err), LS_ERROR_NONE);
	assert_int_equal(parse_kind(exact, 2, &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 0);
	memcpy(exact, "abs(", 4);
	assert_int_equal(parse_kind(exact, 4, &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 4);
	memcpy(exact, "sc(1", 4);
	assert_int_equal(parse_kind(exact, 4, &p, &err), LS_ERROR_INVALID);
	memcpy(exact, "seed", 4);
	assert_int_equal(parse_kind(exact, 4, &p, &err), LS_ERROR_NONE);
	assert_int_equal(p.nsteps, 2);
	memcpy(exact, "| |", 4);
	assert_int_equal(parse_kind(exact, 4, &p, &err), LS_ERROR_INVALID);
	free(exact);
}

/* A parse starts from a clean pipeline, whatever out held before. */
static void
test_parse_resets_output(void **state)
{
	ls_pipeline p;
	ls_error	err;

	(void) state;
	must_parse("abs | abs | abs | abs", &p);
	must_parse("square", &p);
	assert_int_equal(p.nsteps, 1);
	assert_ptr_equal(p.steps[0].stage, stage("square"));

	memset(&err, 0x7f, sizeof(err));
	assert_int_equal(parse_kind("abs", 3, &p, &err), LS_ERROR_NONE);
	assert_int_equal(err.kind, LS_ERROR_NONE);
	assert_int_equal(err.offset, 0);
	assert_string_equal(err.message, "");
}

/* Every error the parser reports: status, byte offset, and message. */
static const struct
{
	const char *text;
	ls_error_kind status;
	size_t		offset;
	const char *message;		/* the whole message must contain this */
}			rejected[] = {
	/* nothing to parse */
	{"", LS_ERROR_INVALID, 0, "pipeline is empty"},
	{" ", LS_ERROR_INVALID, 1, "pipeline is empty"},
	{"   \t\n", LS_ERROR_INVALID, 5, "pipeline is empty"},
	/* names */
	{"nope", LS_ERROR_INVALID, 0, "unknown stage \"nope\""},
	{"nope(1)", LS_ERROR_INVALID, 0, "unknown stage \"nope\""},
	{"scale(2) | nope(1)", LS_ERROR_INVALID, 11, "unknown stage \"nope\""},
	{"seeds", LS_ERROR_INVALID, 0, "unknown stage \"seeds\""},
	{"sca le(2)", LS_ERROR_INVALID, 0, "unknown stage \"sca\""},
	{"2scale", LS_ERROR_INVALID, 0, "expected a stage name"},
	{"scale(2) | (3)", LS_ERROR_INVALID, 11, "expected a stage name"},
	{"-abs", LS_ERROR_INVALID, 0, "expected a stage name"},
	/* argument counts */
	{"scale", LS_ERROR_INVALID, 0, "stage \"scale\" takes 1 argument (k), got 0"},
	{"scale()", LS_ERROR_INVALID, 0, "stage \"scale\" takes 1 argument (k), got 0"},
	{"scale(1, 2)", LS_ERROR_INVALID, 0, "stage \"scale\" takes 1 argument (k), got 2"},
	{"clamp(1)", LS_ERROR_INVALID, 0,
	"stage \"clamp\" takes 2 arguments (lo, hi), got 1"},
	{"modsquare(1, 2, 3)", LS_ERROR_INVALID, 0,
	"stage \"modsquare\" takes 2 arguments (m, c), got 3"},
	{"abs(1)", LS_ERROR_INVALID, 0, "stage \"abs\" takes no arguments, got 1"},
	{"square | LOG2(0, 0)", LS_ERROR_INVALID, 9,
	"stage \"log2\" takes no arguments, got 2"},
	{"seed(1)", LS_ERROR_INVALID, 0,
	"\"seed\" names a whole pipeline and takes no arguments"},
	{"abs | SEED(1, 2)", LS_ERROR_INVALID, 6,
	"\"SEED\" names a whole pipeline and takes no arguments"},
	/* arguments that are not integers */
	{"scale(2.5)", LS_ERROR_INVALID, 6, "argument must be an integer"},
	{"scale(2.)", LS_ERROR_INVALID, 6, "argument must be an integer"},
	{"scale(1e3)", LS_ERROR_INVALID, 6, "argument must be an integer"},
	{"scale(2x)", LS_ERROR_INVALID, 6, "argument must be an integer"},
	{"clamp(1, 2.0)", LS_ERROR_INVALID, 9, "argument must be an integer"},
	{"scale(x)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(.5)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(-)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(- 1)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(--1)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"scale(,1)", LS_ERROR_INVALID, 6, "expected an integer argument"},
	{"clamp(1,)", LS_ERROR_INVALID, 8, "expected an integer argument"},
	/* integers outside bigint */
	{"scale(9223372036854775808)", LS_ERROR_INVALID, 6,
	"argument is out of range for type bigint"},
	{"scale(+9223372036854775808)", LS_ERROR_INVALID, 6,
	"argument is out of range for type bigint"},
	{"scale(-9223372036854775809)", LS_ERROR_INVALID, 6,
	"argument is out of range for type bigint"},
	{"scale(18446744073709551616)", LS_ERROR_INVALID, 6,
	"argument is out of range for type bigint"},
	{"clamp(0, 99999999999999999999)", LS_ERROR_INVALID, 9,
	"argument is out of range for type bigint"},
	/* arguments the stage rejects, at the offending argument */
	{"modsquare(0, 5)", LS_ERROR_INVALID, 10,
	"modsquare: modulus m must be greater than zero"},
	{"modsquare(-7, 5)", LS_ERROR_INVALID, 10,
	"modsquare: modulus m must be greater than zero"},
	{"modsquare( -9223372036854775808 , 5)", LS_ERROR_INVALID, 11,
	"modsquare: modulus m must be greater than zero"},
	{"bucket(0)", LS_ERROR_INVALID, 7, "bucket: width w must be greater than zero"},
	{"bucket(-1)", LS_ERROR_INVALID, 7, "bucket: width w must be greater than zero"},
	{"seed | bucket(0)", LS_ERROR_INVALID, 14, "bucket: width w must be greater than zero"},
	{"clamp(10, 1)", LS_ERROR_INVALID, 6,
	"clamp: lower bound lo is greater than upper bound hi"},
	{"scale(2) | clamp( 5 , 4 )", LS_ERROR_INVALID, 18,
	"clamp: lower bound lo is greater than upper bound hi"},
	{"clamp(9223372036854775807, -9223372036854775808)", LS_ERROR_INVALID, 6,
	"clamp: lower bound lo is greater than upper bound hi"},
	/* the "|" structure */
	{"scale(2) | | square", LS_ERROR_INVALID, 11, "empty stage before \"|\""},
	{"scale(2) || square", LS_ERROR_INVALID, 10, "empty stage before \"|\""},
	{"| scale(2)", LS_ERROR_INVALID, 0, "empty stage before \"|\""},
	{"  |", LS_ERROR_INVALID, 2, "empty stage before \"|\""},
	{"scale(2) |", LS_ERROR_INVALID, 10,
	"pipeline ends with \"|\"; a stage must follow it"},
	{"scale(2) |  \n", LS_ERROR_INVALID, 13,
	"pipeline ends with \"|\"; a stage must follow it"},
	{"seed|", LS_ERROR_INVALID, 5, "pipeline ends with \"|\"; a stage must follow it"},
	/* leftovers and unclosed lists */
	{"scale(2) x", LS_ERROR_INVALID, 9,
	"unexpected text after a stage; expected \"|\" or the end"},
	{"abs abs", LS_ERROR_INVALID, 4,
	"unexpected text after a stage; expected \"|\" or the end"},
	{"scale(2);", LS_ERROR_INVALID, 8,
	"unexpected text after a stage; expected \"|\" or the end"},
	{"abs)", LS_ERROR_INVALID, 3,
	"unexpected text after a stage; expected \"|\" or the end"},
	{"scale(2)(3)", LS_ERROR_INVALID, 8,
	"unexpected text after a stage; expected \"|\" or the end"},
	{"scale(2", LS_ERROR_INVALID, 7, "expected \",\" or \")\" in the argument list"},
	{"scale(2   ", LS_ERROR_INVALID, 10, "expected \",\" or \")\" in the argument list"},
	{"clamp(1, 2", LS_ERROR_INVALID, 10, "expected \",\" or \")\" in the argument list"},
	{"scale(2 3)", LS_ERROR_INVALID, 8, "expected \",\" or \")\" in the argument list"},
	{"clamp(1; 2)", LS_ERROR_INVALID, 7, "expected \",\" or \")\" in the argument list"},
	{"abs(", LS_ERROR_INVALID, 4, "expected an integer argument"},
};

static void
test_parse_rejects(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
	{
		ls_pipeline p;
		ls_error	err;
		ls_error_kind status;
		size_t		len = strlen(rejected[i].text);

		status = parse_kind(rejected[i].text, len, &p, &err);
		if (status != rejected[i].status || err.kind != status ||
			err.offset != rejected[i].offset ||
			strstr(err.message, rejected[i].message) == NULL)
			fail_msg("\"%s\": status %d (err %d) at offset %zu: \"%s\"; "
					 "expected status %d at offset %zu: \"%s\"",
					 rejected[i].text, status, err.kind, err.offset,
					 err.message, rejected[i].status, rejected[i].offset,
					 rejected[i].message);
		/* every parse error points the user at the list of stages */
		assert_string_equal(err.hint, "logscore_stages() lists the stages and their parameters.");
		assert_string_equal(err.detail, "");
		assert_true(err.offset <= len);
		assert_true(strlen(err.message) < LS_MESSAGE_SIZE);
	}
}

/* A NUL byte is just an unexpected character, not the end of the text. */
static void
test_parse_embedded_nul(void **state)
{
	ls_pipeline p;
	ls_error	err;

	(void) state;
	assert_int_equal(parse_kind("abs\0", 4, &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 3);
	assert_int_equal(parse_kind("\0abs", 4, &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 0);
	assert_int_equal(parse_kind("scale(2\0)", 9, &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 7);
}

/* A long unknown name is cut short in the message, which stays terminated. */
static void
test_parse_long_name_message(void **state)
{
	char		text[1000];
	ls_pipeline p;
	ls_error	err;

	(void) state;
	memset(text, 'x', sizeof(text));
	assert_int_equal(parse_kind(text, sizeof(text), &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, 0);
	assert_true(strlen(err.message) < LS_MESSAGE_SIZE);
	assert_non_null(strstr(err.message, "unknown stage \"xxxxxxxx"));
}

/* "abs | abs | ... | abs" with n stages, plus an optional tail. */
static char *
repeat_abs(int n, const char *tail)
{
	size_t		size = (size_t) n * 6 + strlen(tail) + 1;
	char	   *text = malloc(size);
	size_t		used = 0;

	assert_non_null(text);
	text[0] = '\0';
	for (int i = 0; i < n; i++)
		used += (size_t) snprintf(text + used, size - used, i ? " | abs" : "abs");
	snprintf(text + used, size - used, "%s", tail);
	return text;
}

static void
test_parse_max_steps(void **state)
{
	ls_pipeline p;
	ls_error	err;
	char	   *text;

	(void) state;
	/* exactly LS_MAX_STEPS stages fit */
	text = repeat_abs(LS_MAX_STEPS, "");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_NONE);
	assert_int_equal(p.nsteps, LS_MAX_STEPS);
	free(text);

	/* and so does an alias that brings the count to exactly the limit */
	text = repeat_abs(LS_MAX_STEPS - 2, " | seed");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_NONE);
	assert_int_equal(p.nsteps, LS_MAX_STEPS);
	free(text);
}

static void
test_parse_too_long(void **state)
{
	ls_pipeline p;
	ls_error	err;
	char	   *text;
	char		expected[64];

	(void) state;
	snprintf(expected, sizeof(expected), "pipeline has more than %d stages",
			 LS_MAX_STEPS);

	/* the error points at the first stage past the limit */
	text = repeat_abs(LS_MAX_STEPS + 1, "");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_LIMIT);
	assert_int_equal(err.kind, LS_ERROR_LIMIT);
	assert_int_equal(err.offset, (size_t) LS_MAX_STEPS * 6);
	assert_string_equal(err.message, expected);
	free(text);

	text = repeat_abs(LS_MAX_STEPS * 3, "");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_LIMIT);
	assert_int_equal(err.offset, (size_t) LS_MAX_STEPS * 6);
	free(text);

	/* an alias that crosses the limit is reported at the alias */
	text = repeat_abs(LS_MAX_STEPS - 1, " | seed");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_LIMIT);
	assert_int_equal(err.offset, (size_t) (LS_MAX_STEPS - 1) * 6);
	assert_string_equal(err.message, expected);
	free(text);

	text = repeat_abs(LS_MAX_STEPS, " | seed");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_LIMIT);
	assert_int_equal(err.offset, (size_t) LS_MAX_STEPS * 6);
	free(text);

	/* a bad stage past the limit is still reported as what it is */
	text = repeat_abs(LS_MAX_STEPS, " | nope");
	assert_int_equal(parse_kind(text, strlen(text), &p, &err), LS_ERROR_INVALID);
	assert_int_equal(err.offset, (size_t) LS_MAX_STEPS * 6);
	free(text);
}

int
run_parse_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_default_pipeline),
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_seed_alias_expands),
		cmocka_unit_test(test_parse_integer_limits),
		cmocka_unit_test(test_parse_respects_length),
		cmocka_unit_test(test_parse_resets_output),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_embedded_nul),
		cmocka_unit_test(test_parse_long_name_message),
		cmocka_unit_test(test_parse_max_steps),
		cmocka_unit_test(test_parse_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
