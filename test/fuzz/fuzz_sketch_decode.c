/*
 * fuzz_sketch_decode.c
 *	  libFuzzer harness for the sketch's binary and text readers: arbitrary
 *	  bytes in; what is accepted must re-encode to itself and round-trip.
 */
#include "fuzz.h"
#include "core/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* malloc, counting what is live so that a leak on any path shows. */
static long live;

static void *
counting_alloc(void *context, size_t size)
{
	void	   *p = malloc(size == 0 ? 1 : size);

	(void) context;
	CHECK(p != NULL);
	live++;
	return p;
}

static void
counting_release(void *context, void *pointer)
{
	(void) context;
	CHECK(pointer != NULL);
	live--;
	free(pointer);
}

static const ls_allocator allocator = {counting_alloc, counting_release, NULL};

static uint8_t *
encode(const ls_sketch *s, size_t *size)
{
	uint8_t    *bytes;

	*size = ls_sketch_encoded_size(s);
	bytes = malloc(*size);
	CHECK(bytes != NULL);
	CHECK(ls_sketch_encode(s, bytes) == *size);
	return bytes;
}

static char *
to_text(const ls_sketch *s)
{
	size_t		n = ls_sketch_to_text(s, NULL, 0);
	char	   *text = malloc(n + 1);

	CHECK(text != NULL);
	CHECK(ls_sketch_to_text(s, text, n + 1) == n);
	CHECK(strlen(text) == n);
	return text;
}

static void
check_failure(ls_sketch_status status, const ls_error *err)
{
	CHECK(status == LS_SKETCH_BAD_FORMAT);
	CHECK(err->kind == LS_ERROR_BAD_INPUT);
	CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	CHECK(err->message[0] != '\0');
	CHECK(live == 0);
}

/* The accessors stay within the sketch's own range and never crash. */
static void
check_reads(const ls_sketch *s)
{
	for (int k = 0; k <= 8; k++)
	{
		double		v = ls_sketch_quantile(s, k / 8.0);
		double		r;

		if (s->count == 0)
		{
			CHECK(isnan(v));
			continue;
		}
		CHECK(v >= s->min && v <= s->max);
		r = ls_sketch_rank(s, v);
		CHECK(r >= 0 && r <= 1);
	}
	CHECK(s->count >= 2 || isnan(ls_sketch_stddev(s)));
}

/* Text form: parses back to the same bytes and the same text. */
static void
check_text_round_trip(const ls_sketch *s, const uint8_t *bytes, size_t size)
{
	char	   *text = to_text(s);
	char	   *again_text;
	ls_error	err;
	ls_sketch	t;
	uint8_t    *again;
	size_t		again_size;

	if (ls_sketch_from_text(&t, text, strlen(text), &allocator, &err) != LS_SKETCH_OK)
	{
		fprintf(stderr, "text of a valid sketch fails: %s\n%s\n", err.message, text);
		abort();
	}
	again = encode(&t, &again_size);
	CHECK(again_size == size && memcmp(again, bytes, size) == 0);
	again_text = to_text(&t);
	CHECK(strcmp(text, again_text) == 0);
	ls_sketch_free(&t);
	free(again);
	free(again_text);
	free(text);
}

/* Merging works on any valid sketch: into an empty one copies it. */
static void
check_merges(ls_sketch *s, const uint8_t *bytes, size_t size)
{
	ls_sketch	copy;
	uint8_t    *again;
	size_t		again_size;
	uint64_t	count = s->count;
	ls_sketch_status status;

	CHECK(ls_sketch_init(&copy, s->alpha, &allocator) == LS_SKETCH_OK);
	CHECK(ls_sketch_merge(&copy, s) == LS_SKETCH_OK);
	again = encode(&copy, &again_size);
	CHECK(again_size == size && memcmp(again, bytes, size) == 0);
	free(again);

	status = ls_sketch_merge(s, &copy);
	CHECK(status == LS_SKETCH_OK || status == LS_SKETCH_BAD_VALUE);
	if (status == LS_SKETCH_OK)
		CHECK(s->count == 2 * count);
	ls_sketch_free(&copy);

	/* growing a decoded store, whose array is exactly full */
	if (ls_sketch_add(s, s->max * 1.5) == LS_SKETCH_OK &&
		ls_sketch_add(s, s->min * 1.5) == LS_SKETCH_OK &&
		ls_sketch_add(s, s->max / 3) == LS_SKETCH_OK)
		check_reads(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_sketch	s;
	ls_error	err;
	ls_sketch_status status;

	memset(&err, 0, sizeof(err));
	status = ls_sketch_decode(&s, data, size, &allocator, &err);
	if (status == LS_SKETCH_OK)
	{
		size_t		again_size;
		uint8_t    *again = encode(&s, &again_size);

		CHECK(again_size == size && memcmp(again, data, size) == 0);
		free(again);
		check_reads(&s);
		check_text_round_trip(&s, data, size);
		check_merges(&s, data, size);
		ls_sketch_free(&s);
		CHECK(live == 0);
	}
	else
		check_failure(status, &err);

	/* the same bytes as text */
	memset(&err, 0, sizeof(err));
	status = ls_sketch_from_text(&s, (const char *) data, size, &allocator,
								 &err);
	if (status == LS_SKETCH_OK)
	{
		size_t		bytes_size;
		uint8_t    *bytes = encode(&s, &bytes_size);
		ls_sketch	d;

		CHECK(ls_sketch_decode(&d, bytes, bytes_size, &allocator, &err) == LS_SKETCH_OK);
		ls_sketch_free(&d);
		check_reads(&s);
		check_text_round_trip(&s, bytes, bytes_size);
		ls_sketch_free(&s);
		free(bytes);
		CHECK(live == 0);
	}
	else
		check_failure(status, &err);
	return 0;
}
