/*
 * test_sketch_format.c
 *	  Tests of the sketch's binary and text forms: the exact layout, round
 *	  trips, and that every malformed input is refused without a leak.
 */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sketch of 2, -2, 0 and 2 at alpha 0.01; 2 is in bucket 35. */
static const uint8_t small_bytes[] = {
	0x01, 0x00, 0x00, 0x00,
	0x7b, 0x14, 0xae, 0x47, 0xe1, 0x7a, 0x84, 0x3f,	/* alpha 0.01 */
	0x04, 0, 0, 0, 0, 0, 0, 0,	/* count */
	0x01, 0, 0, 0, 0, 0, 0, 0,	/* zero_count */
	0, 0, 0, 0, 0, 0, 0x00, 0x40,	/* sum 2 */
	0, 0, 0, 0, 0, 0, 0xe0, 0x3f,	/* mean 0.5 */
	0, 0, 0, 0, 0, 0, 0x26, 0x40,	/* m2 11 */
	0, 0, 0, 0, 0, 0, 0x00, 0xc0,	/* min -2 */
	0, 0, 0, 0, 0, 0, 0x00, 0x40,	/* max 2 */
	0x23, 0, 0, 0, 0x01, 0, 0, 0, 0x02,	/* positive: offset 35, [2] */
	0x23, 0, 0, 0, 0x01, 0, 0, 0, 0x01	/* negative: offset 35, [1] */
};

static const char small_text[] =
"{\"version\":1,\"alpha\":0.01,\"count\":4,\"zero\":1,\"sum\":2,\"mean\":0.5,"
"\"m2\":11,\"min\":-2,\"max\":2,\"collapsed\":false,"
"\"positive\":{\"offset\":35,\"counts\":[2]},"
"\"negative\":{\"offset\":35,\"counts\":[1]}}";

#define SMALL_SIZE sizeof(small_bytes)
#define POSITIVE_AT 68
#define NEGATIVE_AT 77

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static void
put_le_double(uint8_t *p, double d)
{
	uint64_t	bits;

	memcpy(&bits, &d, sizeof(bits));
	put_le(p, bits, 8);
}

static void
small_sketch(ls_sketch *s)
{
	/* in an order that keeps Welford's arithmetic exact */
	must_init(s, 0.01);
	must_add(s, 2);
	must_add(s, -2);
	must_add(s, 0);
	must_add(s, 2);
}

/* Decoding fails with exactly this message and leaves nothing allocated. */
static void
expect_decode_error_at(const char *file, int line, const uint8_t *bytes,
					   size_t n, const char *expected)
{
	ls_sketch	s;
	ls_error	err;
	uint8_t    *copy = malloc(n + 1);		/* exact size: ASan sees over-reads */

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, bytes, n);
	memset(&err, 0, sizeof(err));
	if (ls_sketch_decode(&s, copy, n, &test_allocator, &err) !=
		LS_SKETCH_BAD_FORMAT)
	{
		print_error("decoding succeeded, expected \"%s\"\n", expected);
		_fail(file, line);
	}
	if (test_allocations_live != 0)
	{
		print_error("%ld allocations left after \"%s\"\n", test_allocations_live, err.message);
		_fail(file, line);
	}
	if (expected != NULL ? strcmp(err.message, expected) != 0 : err.message[0] == '\0')
	{
		print_error("message \"%s\", expected \"%s\"\n", err.message,
					expected ? expected : "(any)");
		_fail(file, line);
	}
	free(copy);
}

#define expect_decode_error(bytes, n, expected) \
	expect_decode_error_at(__FILE__, __LINE__, (bytes), (n), (expected))

static void
expect_text_error_at(const char *file, int line, const char *text, size_t n,
					 const char *expected)
{
	ls_sketch	s;
	ls_error	err;
	char	   *copy = malloc(n + 1);

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, text, n);
	memset(&err, 0, sizeof(err));
	if (ls_sketch_from_text(&s, copy, n, &test_allocator, &err) !=
		LS_SKETCH_BAD_FORMAT)
	{
		print_error("parsing succeeded, expected \"%s\"\n", expected);
		_fail(file, line);
	}
	if (test_allocations_live != 0)
	{
		print_error("%ld allocations left after \"%s\"\n", test_allocations_live, err.message);
		_fail(file, line);
	}
	if (expected != NULL ? strcmp(err.message, expected) != 0 : err.message[0] == '\0')
	{
		print_error("message \"%s\", expected \"%s\"\n", err.message,
					expected ? expected : "(any)");
		_fail(file, line);
	}
	free(copy);
}

#define expect_text_error(text, expected) \
	expect_text_error_at(__FILE__, __LINE__, (text), strlen(text), (expected))

/* small_text with one substring replaced; a static buffer. */
static const char *
small_text_with(const char *from, const char *to)
{
	static char buf[16384];
	const char *at = strstr(small_text, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int) (at - small_text), small_text,
			 to, at + strlen(from));
	return buf;
}

/*
 * Encoding, decoding and the text form agree both ways: decode(encode(s))
 * re-encodes to the same bytes, the text parses back to the same bytes and
 * the same text, and the decoded sketch answers like the original.
 */
static void
check_round_trip(const ls_sketch *s)
{
	size_t		n;
	size_t		n2;
	uint8_t    *bytes = encode_alloc(s, &n);
	uint8_t    *again;
	char	   *text = text_alloc(s);
	char	   *text2;
	ls_sketch	d;
	ls_sketch	t;
	ls_error	err;
	long		live = test_allocations_live;

	assert_int_equal(ls_sketch_encoded_size(s), n);
	if (ls_sketch_decode(&d, bytes, n, &test_allocator, &err) !=
		LS_SKETCH_OK)
		fail_msg("decode: %s", err.message);
	again = encode_alloc(&d, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(bytes, again, n);
	free(again);

	text2 = text_alloc(&d);
	assert_string_equal(text, text2);
	free(text2);
	if (ls_sketch_from_text(&t, text, strlen(text), &test_allocator, &err) != LS_SKETCH_OK)
		fail_msg("from_text: %s\n%s", err.message, text);
	again = encode_alloc(&t, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(bytes, again, n);
	free(again);
	text2 = text_alloc(&t);
	assert_string_equal(text, text2);
	free(text2);

	for (int k = 0; k <= 20; k++)
	{
		double		a = ls_sketch_quantile(s, k / 20.0);
		double		b = ls_sketch_quantile(&d, k / 20.0);

		assert_true(a == b || (isnan(a) && isnan(b)));
	}
	assert_int_equal(d.count, s->count);
	assert_true(d.gamma == s->gamma && d.log_gamma == s->log_gamma);

	ls_sketch_free(&d);
	ls_sketch_free(&t);
	assert_int_equal(test_allocations_live, live);
	free(bytes);
	free(text);
}

static void
test_format_layout(void **state)
{
	ls_sketch	s;
	size_t		n;
	uint8_t    *bytes;
	char	   *text;

	(void) state;
	small_sketch(&s);
	bytes = encode_alloc(&s, &n);
	assert_int_equal(n, SMALL_SIZE);
	assert_memory_equal(bytes, small_bytes, SMALL_SIZE);
	free(bytes);
	text = text_alloc(&s);
	assert_string_equal(text, small_text);
	free(text);

	/* a count of 300 takes two varint bytes, low seven bits first */
	for (int i = 0; i < 298; i++)
		must_add(&s, 2);
	bytes = encode_alloc(&s, &n);
	assert_int_equal(n, SMALL_SIZE + 1);
	assert_int_equal(bytes[POSITIVE_AT + 8], 0xac);
	assert_int_equal(bytes[POSITIVE_AT + 9], 0x02);
	free(bytes);
	ls_sketch_free(&s);

	/* an empty sketch: zeros, and two empty stores at offset 0 */
	must_init(&s, 0.01);
	bytes = encode_alloc(&s, &n);
	assert_int_equal(n, 68 + 16);
	for (size_t i = 12; i < n; i++)
		assert_int_equal(bytes[i], 0);
	free(bytes);
	text = text_alloc(&s);
	assert_string_equal(text,
						"{\"version\":1,\"alpha\":0.01,\"count\":0,\"zero\":0,\"sum\":0,"
						"\"mean\":0,\"m2\":0,\"min\":0,\"max\":0,\"collapsed\":false,"
						"\"positive\":{\"offset\":0,\"counts\":[]},"
						"\"negative\":{\"offset\":0,\"counts\":[]}}");
	free(text);
	ls_sketch_free(&s);
}

static void
test_format_round_trips(void **state)
{
	static const double trip_alphas[] = {LS_SKETCH_MIN_ALPHA, 0.01, 0.05, 0.3,
	LS_SKETCH_MAX_ALPHA};
	ls_sketch	s;
	ls_sketch	other;
	uint64_t	rng = 17;

	(void) state;
	for (size_t a = 0; a < sizeof(trip_alphas) / sizeof(trip_alphas[0]); a++)
	{
		/* empty, one value, only zeros, only negatives */
		must_init(&s, trip_alphas[a]);
		check_round_trip(&s);
		must_add(&s, 42.5);
		check_round_trip(&s);
		ls_sketch_free(&s);
		must_init(&s, trip_alphas[a]);
		must_add(&s, 0);
		must_add(&s, -0.0);
		must_add(&s, 1e-305);
		check_round_trip(&s);
		ls_sketch_free(&s);
		must_init(&s, trip_alphas[a]);
		for (int i = 0; i < 1000; i++)
			must_add(&s, -exp(10 * xs_normal(&rng)));
		check_round_trip(&s);

		/* and everything, over every magnitude, collapsing */
		for (int i = 0; i < 20000; i++)
		{
			double		m = exp(1380 * (xs_uniform(&rng) - 0.5));

			must_add(&s, xs_next(&rng) % 3 == 0 ? m : -m);
			if (i % 1000 == 0)
				must_add(&s, 0);
		}
		must_add(&s, DBL_MAX);
		must_add(&s, -DBL_MAX);
		assert_true(s.collapsed || trip_alphas[a] > 0.01);
		check_round_trip(&s);
		ls_sketch_free(&s);
	}

	/* a NaN sum from merging overflowed sums, and an infinite m2 */
	must_init(&s, 0.01);
	must_init(&other, 0.01);
	must_add(&s, DBL_MAX);
	must_add(&s, DBL_MAX);
	must_add(&other, -DBL_MAX);
	must_add(&other, -DBL_MAX);
	check_round_trip(&s);
	assert_int_equal(ls_sketch_merge(&s, &other), LS_SKETCH_OK);
	assert_true(isnan(s.sum) && isinf(s.m2));
	check_round_trip(&s);
	s.sum = -NAN;				/* any NaN encodes as the canonical one */
	check_round_trip(&s);
	s.sum = -INFINITY;
	check_round_trip(&s);
	ls_sketch_free(&s);
	ls_sketch_free(&other);
	assert_int_equal(test_allocations_live, 0);
}

/* Untrimmed stores in memory encode like trimmed ones. */
static void
test_format_trims(void **state)
{
	ls_sketch	s;
	size_t		n;
	uint8_t    *bytes;
	char	   *text;

	(void) state;
	small_sketch(&s);
	must_add(&s, 2e10);
	s.positive.counts[s.positive.nbuckets - 1] = 0;	/* as if never added */
	s.count--;
	s.sum -= 2e10;
	s.max = 2;
	bytes = encode_alloc(&s, &n);
	assert_int_equal(n, SMALL_SIZE);
	put_le_double(bytes + 28, 2);	/* the sum lost bits to 2e10 */
	put_le_double(bytes + 36, 0.5);
	put_le_double(bytes + 44, 11);
	assert_memory_equal(bytes, small_bytes, SMALL_SIZE);
	free(bytes);
	text = text_alloc(&s);
	assert_non_null(strstr(text, "\"positive\":{\"offset\":35,\"counts\":[2]}"));
	free(text);
	ls_sketch_free(&s);
}

static void
test_format_truncated(void **state)
{
	ls_sketch	s;
	size_t		n;
	uint8_t    *bytes;
	uint64_t	rng = 8;

	(void) state;
	for (size_t len = 0; len < SMALL_SIZE; len++)
		expect_decode_error(small_bytes, len, NULL);
	expect_decode_error(small_bytes, 0, "empty input");
	expect_decode_error(small_bytes, 67, "truncated: 67 bytes, the header alone is 68");
	expect_decode_error(small_bytes, 70, "positive store header truncated");
	expect_decode_error(small_bytes, 76, "positive store truncated: 1 buckets in 0 bytes");

	/* a bigger sketch, with multi-byte counts, cut everywhere */
	must_init(&s, 0.02);
	for (int i = 0; i < 50000; i++)
		must_add(&s, (xs_next(&rng) % 2 ? 1 : -1) * exp(4 * xs_normal(&rng)));
	bytes = encode_alloc(&s, &n);
	ls_sketch_free(&s);
	for (size_t len = 0; len < n; len++)
		expect_decode_error(bytes, len, NULL);
	free(bytes);
}

static void
test_format_header_errors(void **state)
{
	uint8_t		b[SMALL_SIZE + 32];

	(void) state;
#define RESET() memcpy(b, small_bytes, SMALL_SIZE)

	RESET();
	b[0] = 2;
	expect_decode_error(b, SMALL_SIZE, "unsupported format version 2 (expected 1)");
	/* the version is checked before the length */
	expect_decode_error(b, 1, "unsupported format version 2 (expected 1)");
	b[0] = 0;
	expect_decode_error(b, SMALL_SIZE, "unsupported format version 0 (expected 1)");

	RESET();
	b[1] = 0x02;
	expect_decode_error(b, SMALL_SIZE, "unknown flags 0x02");
	b[1] = 0x81;
	expect_decode_error(b, SMALL_SIZE, "unknown flags 0x81");
	RESET();
	b[3] = 1;
	expect_decode_error(b, SMALL_SIZE, "reserved bytes are not zero");

	RESET();
	put_le_double(b + 4, 0.6);
	expect_decode_error(b, SMALL_SIZE, "alpha 0.6 outside [0.0001, 0.5]");
	put_le_double(b + 4, 0.00001);
	expect_decode_error(b, SMALL_SIZE, "alpha 1e-05 outside [0.0001, 0.5]");
	put_le_double(b + 4, NAN);
	expect_decode_error(b, SMALL_SIZE, "alpha nan outside [0.0001, 0.5]");
	put_le_double(b + 4, -INFINITY);
	expect_decode_error(b, SMALL_SIZE, "alpha -inf outside [0.0001, 0.5]");

	RESET();
	put_le(b + 12, 5, 8);
	expect_decode_error(b, SMALL_SIZE, "bucket counts add up to 4, not count 5");
	put_le(b + 12, 3, 8);
	expect_decode_error(b, SMALL_SIZE, "bucket counts add up to 4, not count 3");
	RESET();
	put_le(b + 20, 5, 8);
	expect_decode_error(b, SMALL_SIZE, "zero count 5 exceeds count 4");

	RESET();
	put_le_double(b + 52, 3);
	expect_decode_error(b, SMALL_SIZE, "min 3 exceeds max 2");
	put_le_double(b + 52, INFINITY);
	expect_decode_error(b, SMALL_SIZE, "min or max is not finite");
	RESET();
	put_le_double(b + 60, NAN);
	expect_decode_error(b, SMALL_SIZE, "min or max is not finite");
	RESET();
	put_le_double(b + 36, 5);
	expect_decode_error(b, SMALL_SIZE, "mean 5 outside min -2 and max 2");
	put_le_double(b + 36, INFINITY);
	expect_decode_error(b, SMALL_SIZE, "mean is not finite");
	RESET();
	put_le_double(b + 44, -1);
	expect_decode_error(b, SMALL_SIZE, "m2 is negative or nan");
	put_le_double(b + 44, NAN);
	expect_decode_error(b, SMALL_SIZE, "m2 is negative or nan");
	RESET();
	put_le(b + 28, UINT64_C(0x7ff8000000000001), 8);
	expect_decode_error(b, SMALL_SIZE, "sum is a nan other than the canonical one");
	put_le(b + 28, UINT64_C(0xfff8000000000000), 8);
	expect_decode_error(b, SMALL_SIZE, "sum is a nan other than the canonical one");

	/* max says positive values, but none are counted (mean kept in range) */
	RESET();
	put_le_double(b + 60, 1e-301);
	put_le_double(b + 36, 0);
	expect_decode_error(b, SMALL_SIZE, "max 1.0000000000000001e-301 disagrees with the positive store");
	RESET();
	put_le_double(b + 52, -1e-301);
	put_le_double(b + 36, 0);
	expect_decode_error(b, SMALL_SIZE, "min -1.0000000000000001e-301 disagrees with the negative store");
	/* zeros counted but min and max exclude them */
	RESET();
	put_le(b + 28, 0, 8);
	put_le_double(b + 52, 1);
	put_le_double(b + 36, 1.5);
	expect_decode_error(b, SMALL_SIZE, "zero count 1 but min and max exclude zero");
#undef RESET
}

static void
test_format_store_errors(void **state)
{
	uint8_t		b[SMALL_SIZE + 32];
	uint8_t		e[68 + 16];
	ls_sketch	s;
	ls_error	err;

	(void) state;
#define RESET() memcpy(b, small_bytes, SMALL_SIZE)

	RESET();
	put_le(b + POSITIVE_AT + 4, LS_SKETCH_MAX_BUCKETS + 1, 4);
	expect_decode_error(b, SMALL_SIZE, "positive store has 2049 buckets, more than 2048");
	put_le(b + POSITIVE_AT + 4, UINT32_MAX, 4);
	expect_decode_error(b, SMALL_SIZE, "positive store has 4294967295 buckets, more than 2048");
	RESET();
	put_le(b + NEGATIVE_AT + 4, 2, 4);
	expect_decode_error(b, SMALL_SIZE, "negative store truncated: 2 buckets in 1 bytes");

	/* index ranges: about +-35,500 at alpha 0.01 */
	RESET();
	put_le(b + POSITIVE_AT, 10000000, 4);
	expect_decode_error(b, SMALL_SIZE,
						"positive store indexes 10000000 to 10000000 outside -34546 to 35496 for alpha 0.01");
	put_le(b + POSITIVE_AT, 35496, 4);
	assert_int_equal(ls_sketch_decode(&s, b, SMALL_SIZE, &test_allocator, &err), LS_SKETCH_OK);
	ls_sketch_free(&s);
	put_le(b + POSITIVE_AT, 35497, 4);
	expect_decode_error(b, SMALL_SIZE,
						"positive store indexes 35497 to 35497 outside -34546 to 35496 for alpha 0.01");
	put_le(b + POSITIVE_AT, (uint32_t) INT32_MIN, 4);
	expect_decode_error(b, SMALL_SIZE,
						"positive store indexes -2147483648 to -2147483648 outside -34546 to 35496 for alpha 0.01");

	/* trailing bytes */
	RESET();
	b[SMALL_SIZE] = 0;
	expect_decode_error(b, SMALL_SIZE + 1, "1 bytes after the end of the sketch");

	/* varints: overlong, too long, overflowing */
	RESET();
	b[NEGATIVE_AT + 8] = 0x81;
	b[NEGATIVE_AT + 9] = 0x00;
	expect_decode_error(b, SMALL_SIZE + 1, "negative store bucket 0 is an overlong varint");
	RESET();
	memset(b + NEGATIVE_AT + 8, 0xff, 9);
	b[NEGATIVE_AT + 17] = 0x02;
	expect_decode_error(b, SMALL_SIZE + 9, "negative store bucket 0 overflows 64 bits");
	b[NEGATIVE_AT + 17] = 0x81;
	expect_decode_error(b, SMALL_SIZE + 9, "negative store bucket 0 overflows 64 bits");
	/* UINT64_MAX itself reads, but then the counts overflow */
	b[NEGATIVE_AT + 17] = 0x01;
	expect_decode_error(b, SMALL_SIZE + 9, "bucket counts overflow 64 bits");
	/* 2^63 in ten bytes is valid, with count to match */
	RESET();
	memset(b + NEGATIVE_AT + 8, 0x80, 9);
	b[NEGATIVE_AT + 17] = 0x01;
	put_le(b + 12, (UINT64_C(1) << 63) + 3, 8);
	assert_int_equal(ls_sketch_decode(&s, b, SMALL_SIZE + 9, &test_allocator, &err), LS_SKETCH_OK);
	assert_true(s.negative.counts[0] == UINT64_C(1) << 63);
	check_round_trip(&s);
	ls_sketch_free(&s);

	/* zero buckets at either end of a store */
	RESET();
	put_le(b + NEGATIVE_AT + 4, 2, 4);
	b[NEGATIVE_AT + 8] = 0;
	b[NEGATIVE_AT + 9] = 1;
	expect_decode_error(b, SMALL_SIZE + 1, "negative store has a zero bucket at its low end");
	b[NEGATIVE_AT + 8] = 1;
	b[NEGATIVE_AT + 9] = 0;
	expect_decode_error(b, SMALL_SIZE + 1, "negative store has a zero bucket at its high end");

	/* the empty sketch, and what it may not have */
	must_init(&s, 0.01);
	assert_int_equal(ls_sketch_encode(&s, e), sizeof(e));
	ls_sketch_free(&s);
	put_le(e + POSITIVE_AT, 5, 4);
	expect_decode_error(e, sizeof(e), "empty positive store has offset 5, not 0");
	put_le(e + POSITIVE_AT, 0, 4);
	e[1] = 1;
	expect_decode_error(e, sizeof(e), "empty sketch is marked collapsed");
	e[1] = 0;
	put_le_double(e + 28, 1);
	expect_decode_error(e, sizeof(e), "empty sketch has a nonzero sum, mean, m2, min or max");
	put_le_double(e + 28, 0);
	put_le_double(e + 60, 1);
	expect_decode_error(e, sizeof(e), "empty sketch has a nonzero sum, mean, m2, min or max");
	put_le_double(e + 60, -0.0);
	expect_decode_error(e, sizeof(e), "empty sketch has a nonzero sum, mean, m2, min or max");

	/* a single value has no spread */
	must_init(&s, 0.01);
	must_add(&s, 7);
	assert_int_equal(ls_sketch_encode(&s, b), 68 + 9 + 8);
	ls_sketch_free(&s);
	put_le_double(b + 44, 0.5);
	expect_decode_error(b, 68 + 9 + 8, "a sketch of one value has min != max or nonzero m2");
	assert_int_equal(test_allocations_live, 0);
#undef RESET
}

/*
 * Arbitrary and mutated bytes never crash or leak; what decodes re-encodes
 * to the same bytes.
 */
static void
test_format_random_bytes(void **state)
{
	uint64_t	rng = 2024;
	uint8_t    *valid;
	size_t		valid_n;
	ls_sketch	s;
	uint8_t		buf[4096];
	int			decoded = 0;

	(void) state;
	must_init(&s, 0.05);
	for (int i = 0; i < 300; i++)
		must_add(&s, (double) (xs_next(&rng) % 2000) - 500.0);
	valid = encode_alloc(&s, &valid_n);
	ls_sketch_free(&s);
	assert_true(valid_n < sizeof(buf));

	for (int iter = 0; iter < 100000; iter++)
	{
		size_t		n;
		ls_error	err;
		ls_sketch	d;

		if (iter % 2 == 0)
		{
			/* junk, sometimes behind a valid header */
			n = xs_next(&rng) % 200;
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t) xs_next(&rng);
			if (iter % 4 == 0 && n >= 68)
				memcpy(buf, valid, 68);
		}
		else
		{
			/* a valid encoding with a few bytes changed, cut or extended */
			int			changes = 1 + (int) (xs_next(&rng) % 3);

			n = valid_n;
			memcpy(buf, valid, n);
			for (int c = 0; c < changes; c++)
				buf[xs_next(&rng) % n] ^= (uint8_t) (1 + xs_next(&rng) % 255);
			if (xs_next(&rng) % 8 == 0)
				n = xs_next(&rng) % (valid_n + 4);
		}
		if (ls_sketch_decode(&d, buf, n, &test_allocator, &err) ==
			LS_SKETCH_OK)
		{
			size_t		n2;
			uint8_t    *again = encode_alloc(&d, &n2);

			assert_int_equal(n, n2);
			assert_memory_equal(buf, again, n);
			free(again);
			ls_sketch_free(&d);
			decoded++;
		}
		else
			assert_true(err.message[0] != '\0');
		assert_int_equal(test_allocations_live, 0);
	}
	/* some mutations land on counts or stats and still validate */
	assert_true(decoded > 0);
	free(valid);
}

/* --- text --- */

/*
 * Runs of empty buckets: written as -k, read as -k or as k zeros alike; a
 * run must not be -0, start or end a store, or pass the bucket limit.
 */
static void
test_text_zero_runs(void **state)
{
	ls_sketch	s;
	ls_sketch	t;
	char	   *text;
	char	   *again;
	char		expanded[16384];
	ls_error	err;
	const char *run;
	char	   *end;
	unsigned long k;
	char		too_many[64];

	(void) state;
	must_init(&s, 0.01);
	must_add(&s, 1.0);
	must_add(&s, 1.0);
	must_add(&s, 2.0);
	text = text_alloc(&s);
	run = strstr(text, "\"counts\":[2,-");
	assert_non_null(run);
	run += strlen("\"counts\":[2,-");
	k = strtoul(run, &end, 10);
	assert_true(k > 1);
	assert_string_equal(end, ",1]},\"negative\":{\"offset\":0,\"counts\":[]}}");

	/* the same buckets with every zero written out */
	snprintf(expanded, sizeof(expanded), "%.*s", (int) (run - 1 - text), text);
	for (unsigned long i = 0; i < k; i++)
		strcat(expanded, "0,");
	strcat(expanded, end + 1);
	if (ls_sketch_from_text(&t, expanded, strlen(expanded), &test_allocator, &err) != LS_SKETCH_OK)
		fail_msg("from_text: %s\n%s", err.message, expanded);
	again = text_alloc(&t);
	assert_string_equal(again, text);
	free(again);
	ls_sketch_free(&t);
	free(text);
	ls_sketch_free(&s);

	expect_text_error(small_text_with("[2]", "[1,-0,1]"),
					  "a run of empty buckets must not be -0 at offset 143");
	expect_text_error(small_text_with("[2]", "[-3,2]"),
					  "the first bucket count must not be 0 at offset 141");
	expect_text_error(small_text_with("[2]", "[2,-3]"),
					  "the last bucket count must not be 0 at offset 143");
	snprintf(too_many, sizeof(too_many), "[1,-%d,1]", LS_SKETCH_MAX_BUCKETS);
	expect_text_error(small_text_with("[2]", too_many),
					  "more than 2048 buckets at offset 143");
}

static void
test_text_whitespace(void **state)
{
	char		spaced[4096];
	size_t		n = 0;
	ls_sketch	s;
	size_t		size;
	uint8_t    *bytes;
	ls_error	err;

	(void) state;
	/* whitespace of every kind around every token */
	spaced[n++] = '\n';
	for (const char *p = small_text; *p; p++)
	{
		if (strchr("{}[]:,", *p))
		{
			memcpy(spaced + n, " \t", 2);
			n += 2;
			spaced[n++] = *p;
			memcpy(spaced + n, "\r\n ", 3);
			n += 3;
		}
		else
			spaced[n++] = *p;
	}
	spaced[n] = '\0';
	if (ls_sketch_from_text(&s, spaced, n, &test_allocator, &err) !=
		LS_SKETCH_OK)
		fail_msg("%s", err.message);
	bytes = encode_alloc(&s, &size);
	assert_int_equal(size, SMALL_SIZE);
	assert_memory_equal(bytes, small_bytes, SMALL_SIZE);
	free(bytes);
	ls_sketch_free(&s);

	/* other spellings of the same numbers */
	if (ls_sketch_from_text(&s, small_text_with("\"alpha\":0.01", "\"alpha\":1.0E-2"),
							strlen(small_text) + 2, &test_allocator, &err) != LS_SKETCH_OK)
		fail_msg("%s", err.message);
	bytes = encode_alloc(&s, &size);
	assert_memory_equal(bytes, small_bytes, SMALL_SIZE);
	free(bytes);
	ls_sketch_free(&s);
	assert_int_equal(test_allocations_live, 0);
}

static void
test_text_truncation(void **state)
{
	ls_sketch	s;
	size_t		len = strlen(small_text);

	(void) state;
	small_sketch(&s);
	assert_int_equal(ls_sketch_to_text(&s, NULL, 0), len);
	for (size_t size = 0; size <= len + 2; size++)
	{
		char	   *buf = malloc(size + 1);
		size_t		kept = size == 0 ? 0 : (size - 1 < len ? size - 1 : len);

		assert_non_null(buf);
		memset(buf, '#', size + 1);
		assert_int_equal(ls_sketch_to_text(&s, buf, size), len);
		if (size > 0)
		{
			assert_int_equal(strlen(buf), kept);
			assert_memory_equal(buf, small_text, kept);
		}
		assert_int_equal(buf[size], '#');
		free(buf);
	}
	ls_sketch_free(&s);

	/* every prefix of the text is an error, and never an over-read */
	for (size_t n = 0; n < len; n++)
		expect_text_error_at(__FILE__, __LINE__, small_text, n, NULL);
}

static void
test_text_errors(void **state)
{
	char		many[30000];
	size_t		n;

	(void) state;
	expect_text_error("", "expected { at offset 0");
	expect_text_error("  ", "expected { at offset 2");
	expect_text_error(small_text_with("version", "versio"),
					  "expected key \"version\" at offset 1");
	expect_text_error(small_text_with("\"version\":1,\"alpha\":0.01",
									  "\"alpha\":0.01,\"version\":1"),
					  "expected key \"version\" at offset 1");
	expect_text_error(small_text_with("\"version\"", "\"version\" x"),
					  "expected : at offset 11");
	expect_text_error(small_text_with("1,\"alpha\"", "1 \"alpha\""),
					  "expected , at offset 13");
	expect_text_error(small_text_with("{\"version\":1", "{\"version\":2"),
					  "unsupported format version 2 (expected 1) at offset 11");
	expect_text_error(small_text_with("0.01", "0.9"),
					  "alpha 0.9 outside [0.0001, 0.5] at offset 21");
	expect_text_error(small_text_with("0.01", "NaN"),
					  "alpha nan outside [0.0001, 0.5] at offset 21");
	expect_text_error(small_text_with("\"count\":4", "\"count\":04"),
					  "integer with a leading zero at offset 34");
	expect_text_error(small_text_with("\"count\":4", "\"count\":-4"),
					  "expected an unsigned integer at offset 34");
	expect_text_error(small_text_with("\"count\":4", "\"count\":4.0"),
					  "expected an integer at offset 34");
	expect_text_error(small_text_with("\"count\":4", "\"count\":18446744073709551616"),
					  "integer out of range at offset 34");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":2."),
					  "expected digits after \".\" at offset 51");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":2e"),
					  "expected digits in the exponent at offset 51");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":+2"),
					  "expected a number at offset 51");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":.5"),
					  "expected a number at offset 51");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":inf"),
					  "expected a number at offset 51");
	expect_text_error(small_text_with("\"sum\":2", "\"sum\":1e999"),
					  "number out of range at offset 51");
	expect_text_error(small_text_with("\"sum\":2",
									  "\"sum\":2.0000000000000000000000000000000000000000"),
					  "number longer than 40 characters at offset 51");
	expect_text_error(small_text_with("false", "maybe"),
					  "expected true or false at offset 101");
	expect_text_error(small_text_with("\"counts\":[2]", "\"counts\":[0,2]"),
					  "the first bucket count must not be 0 at offset 141");
	expect_text_error(small_text_with("\"counts\":[2]", "\"counts\":[2,0]"),
					  "the last bucket count must not be 0 at offset 143");
	expect_text_error(small_text_with("\"counts\":[2]", "\"counts\":[2,]"),
					  "expected an unsigned integer at offset 143");
	expect_text_error(small_text_with("\"counts\":[2]", "\"counts\":[2"),
					  "expected ] at offset 142");
	expect_text_error(small_text_with("\"offset\":35", "\"offset\":2147483648"),
					  "offset out of range at offset 128");
	expect_text_error(small_text_with("\"offset\":35", "\"offset\":-0"),
					  "offset out of range at offset 128");
	expect_text_error(small_text_with("\"offset\":35,\"counts\":[1]",
									  "\"offset\":5,\"counts\":[]"),
					  "an empty store must have offset 0 at offset 166");
	expect_text_error(small_text_with("}}", "}} x"),
					  "unexpected text after the sketch at offset 184");

	/* what only the whole can show comes from the binary checks */
	expect_text_error(small_text_with("\"count\":4", "\"count\":5"),
					  "bucket counts add up to 4, not count 5 in the sketch at offset 0");
	expect_text_error(small_text_with("\"min\":-2", "\"min\":-Infinity"),
					  "min or max is not finite in the sketch at offset 0");
	expect_text_error(small_text_with("\"offset\":35", "\"offset\":-2147483648"),
					  "positive store indexes -2147483648 to -2147483648 outside "
					  "-34546 to 35496 for alpha 0.01 in the sketch at offset 0");

	/* more buckets than a store may have */
	n = (size_t) snprintf(many, sizeof(many), "%s", "[1");
	for (int i = 0; i < LS_SKETCH_MAX_BUCKETS; i++)
		n += (size_t) snprintf(many + n, sizeof(many) - n, ",1");
	snprintf(many + n, sizeof(many) - n, "]");
	expect_text_error(small_text_with("[2]", many),
					  "more than 2048 buckets at offset 4237");
	assert_int_equal(test_allocations_live, 0);
}

/*
 * Without an error to fill the outcome is the same; with one, it is an
 * input error, and the detail and hint an earlier error left are gone.
 */
static void
test_text_small_message(void **state)
{
	ls_sketch	s;
	ls_error	err;

	(void) state;
	assert_int_equal(ls_sketch_from_text(&s, "{", 1, &test_allocator, NULL),
					 LS_SKETCH_BAD_FORMAT);
	memset(&err, '#', sizeof(err));
	assert_int_equal(ls_sketch_from_text(&s, "{", 1, &test_allocator, &err),
					 LS_SKETCH_BAD_FORMAT);
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);
	assert_true(strlen(err.message) < sizeof(err.message));
	assert_string_equal(err.detail, "");
	assert_string_equal(err.hint, "");
	assert_int_equal(ls_sketch_decode(&s, small_bytes, 3, &test_allocator, NULL),
					 LS_SKETCH_BAD_FORMAT);
	memset(&err, '#', sizeof(err));
	assert_int_equal(ls_sketch_decode(&s, small_bytes, 3, &test_allocator, &err),
					 LS_SKETCH_BAD_FORMAT);
	assert_int_equal(err.kind, LS_ERROR_BAD_INPUT);
	assert_true(strlen(err.message) < sizeof(err.message));
	assert_int_equal(test_allocations_live, 0);
}

int
run_sketch_format_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_format_layout, reset_allocations),
		cmocka_unit_test_setup(test_format_round_trips, reset_allocations),
		cmocka_unit_test_setup(test_format_trims, reset_allocations),
		cmocka_unit_test_setup(test_format_truncated, reset_allocations),
		cmocka_unit_test_setup(test_format_header_errors, reset_allocations),
		cmocka_unit_test_setup(test_format_store_errors, reset_allocations),
		cmocka_unit_test_setup(test_format_random_bytes, reset_allocations),
		cmocka_unit_test_setup(test_text_whitespace, reset_allocations),
		cmocka_unit_test_setup(test_text_truncation, reset_allocations),
		cmocka_unit_test_setup(test_text_errors, reset_allocations),
		cmocka_unit_test_setup(test_text_zero_runs, reset_allocations),
		cmocka_unit_test_setup(test_text_small_message, reset_allocations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
