/*
 * fuzz_detector_text.c
 *	  libFuzzer harness for the logscore_detector text reader: arbitrary bytes
 *	  in; what is accepted must round-trip exactly through text and binary,
 *	  and scoring and learning from it must keep it valid, with scores in
 *	  [0, 1].
 */
#include "fuzz.h"
#include "core/detector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
to_text(const ls_detector *d)
{
	size_t		n = ls_detector_to_text(d, NULL, 0);
	char	   *text = malloc(n + 1);

	CHECK(text != NULL);
	CHECK(ls_detector_to_text(d, text, n + 1) == n);
	CHECK(strlen(text) == n);
	return text;
}

static void
check_valid(const ls_detector *d)
{
	ls_error	err;

	if (!ls_detector_validate(d, LS_DETECTOR_FORMAT_VERSION, &err))
	{
		char	   *text = to_text(d);

		fprintf(stderr, "state does not validate: %s\n%s\n", err.message, text);
		abort();
	}
}

/* Scores then learns x at t: in [0, 1], equal, and the state stays valid. */
static void
check_row(ls_detector *d, double x, int64_t t)
{
	ls_detector before = *d;
	double		score;
	ls_error	err;
	bool		scored = ls_detector_score(d, x, t, &score, &err);

	CHECK(memcmp(d, &before, sizeof(*d)) == 0);
	if (!ls_detector_update(d, x, t, &err))
	{
		CHECK(!scored);
		CHECK(memcmp(d, &before, sizeof(*d)) == 0);
		return;
	}
	CHECK(scored);
	CHECK(score >= 0 && score <= 1);
	CHECK(memcmp(&score, &d->score, sizeof(score)) == 0);
	check_valid(d);
}

static void
check_operations(const ls_detector *parsed)
{
	ls_detector d = *parsed;
	int64_t		step = d.step > 1 && d.step < 1e15 ? (int64_t) d.step : 60000000;
	int64_t		t = d.last;
	double		level = d.level[1];

	check_row(&d, level, t);
	for (int i = 0; i < 4; i++)
	{
		t = t <= INT64_MAX - step ? t + step : INT64_MAX;
		check_row(&d, i == 2 ? level * 10 + 1e6 : level, t);
	}
	check_row(&d, -LS_DETECTOR_VALUE_MAX, t);
	check_row(&d, LS_DETECTOR_VALUE_MAX, INT64_MAX - 1);
	check_row(&d, 0, d.last - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_detector d;
	ls_detector again;
	ls_error	err;
	char	   *text;
	char	   *again_text;
	unsigned char *bytes;

	memset(&err, 0, sizeof(err));
	memset(&d, 0, sizeof(d));
	if (!ls_detector_from_text(&d, (const char *) data, size, &err))
	{
		CHECK(err.kind == LS_ERROR_BAD_INPUT);
		CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
		CHECK(err.message[0] != '\0');
		return 0;
	}

	check_valid(&d);
	text = to_text(&d);
	if (!ls_detector_from_text(&again, text, strlen(text), &err))
	{
		fprintf(stderr, "text of a valid state fails: %s\n%s\n", err.message, text);
		abort();
	}
	CHECK(memcmp(&again, &d, sizeof(d)) == 0);
	again_text = to_text(&again);
	CHECK(strcmp(text, again_text) == 0);
	free(again_text);
	free(text);

	bytes = malloc(ls_detector_binary_size());
	CHECK(bytes != NULL);
	ls_detector_encode(&d, bytes);
	CHECK(ls_detector_decode(&again, bytes, ls_detector_binary_size(), &err));
	CHECK(memcmp(&again, &d, sizeof(d)) == 0);
	free(bytes);

	check_operations(&d);
	return 0;
}
