/*
 * fuzz_ewm_text.c
 *	  libFuzzer harness for the logscore_ewm text reader: arbitrary bytes in;
 *	  what is accepted must round-trip exactly, and every state that adding
 *	  and merging make from it must validate again.
 */
#include "fuzz.h"
#include "core/ewm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
to_text(const ls_ewm *e)
{
	size_t		n = ls_ewm_to_text(e, NULL, 0);
	char	   *text = malloc(n + 1);

	CHECK(text != NULL);
	CHECK(ls_ewm_to_text(e, text, n + 1) == n);
	CHECK(strlen(text) == n);
	return text;
}

static void
check_valid(const ls_ewm *e)
{
	ls_error	err;

	if (ls_ewm_validate(e, LS_EWM_FORMAT_VERSION, &err) != LS_EWM_OK)
	{
		char	   *text = to_text(e);

		fprintf(stderr, "state does not validate: %s\n%s\n", err.message, text);
		abort();
	}
}

/* The accessors never give NaN on a valid state. */
static void
check_reads(const ls_ewm *e)
{
	double		stddev = ls_ewm_stddev(e);
	double		z;

	CHECK(stddev >= 0 && !isnan(stddev));
	if (ls_ewm_zscore(e, e->mean, &z))
		CHECK(z == 0.0);
}

/* An operation either fails cleanly, leaving e alone, or keeps e valid. */
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
check_step(ls_ewm *e, ls_ewm_status status, const ls_ewm *before)
{
	if (status == LS_EWM_OK)
	{
		check_valid(e);
		check_reads(e);
	}
	else
	{
		CHECK(status == LS_EWM_BAD_TIME || status == LS_EWM_COUNT_OVERFLOW ||
			  status == LS_EWM_OUT_OF_RANGE);
		CHECK(memcmp(e, before, sizeof(*e)) == 0);
	}
}

static void
check_operations(const ls_ewm *parsed)
{
	ls_ewm		e = *parsed;
	ls_ewm		before;
	ls_ewm		copy;
	int64_t		t;

	before = e;
	check_step(&e, ewm_add(&e, e.mean, e.anchor, e.half_life), &before);
	before = e;
	t = e.anchor < INT64_MAX - e.half_life ? e.anchor + e.half_life : INT64_MAX;
	check_step(&e, ewm_add(&e, -e.mean, t, e.half_life), &before);
	before = e;
	t = e.anchor > INT64_MIN + e.half_life ? e.anchor - e.half_life : INT64_MIN;
	check_step(&e, ewm_add(&e, 1.0, t, e.half_life), &before);

	copy = e;
	before = e;
	check_step(&e, ls_ewm_merge(&e, &copy), &before);
	before = copy;
	check_step(&copy, ls_ewm_merge(&copy, parsed), &before);
	CHECK(ewm_add(&copy, 1.0, e.anchor, e.half_life == INT64_MAX ? 1 : e.half_life + 1) ==
		  LS_EWM_HALF_LIFE_MISMATCH);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_ewm		e;
	ls_ewm		again;
	ls_error	err;
	char	   *text;
	char	   *again_text;
	ls_ewm_status status;

	memset(&err, 0, sizeof(err));
	memset(&e, 0, sizeof(e));
	status = ls_ewm_from_text(&e, (const char *) data, size, &err);
	if (status != LS_EWM_OK)
	{
		CHECK(status == LS_EWM_BAD_FORMAT);
		CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
		CHECK(err.message[0] != '\0');
		return 0;
	}

	check_valid(&e);
	check_reads(&e);
	text = to_text(&e);
	if (ls_ewm_from_text(&again, text, strlen(text), &err) != LS_EWM_OK)
	{
		fprintf(stderr, "text of a valid state fails: %s\n%s\n", err.message, text);
		abort();
	}
	CHECK(memcmp(&again, &e, sizeof(e)) == 0);
	again_text = to_text(&again);
	CHECK(strcmp(text, again_text) == 0);
	free(again_text);
	free(text);

	check_operations(&e);
	return 0;
}
