/*
 * sketch_text.c
 *	  The sketch's readable text form (sketch.h shows it): a JSON object with
 *	  fixed keys in a fixed order, written exactly and read back exactly.
 *
 * Reading builds the fields, encodes them in the binary form and decodes that,
 * so the text is checked by the very same code as binary input and the two
 * cannot drift apart.  Only what the binary form cannot see (a token, a key,
 * untrimmed bucket lists) is checked here.  Numbers are C-locale: PostgreSQL
 * keeps LC_NUMERIC at "C" in every backend.
 */
#include "sketch.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer than any number %.17g writes ("-2.2250738585072014e-308"). */
#define NUMBER_MAX_LENGTH 40

/* --- writing --- */

typedef struct writer
{
	char	   *buffer;
	size_t		size;
	size_t		length;			/* what the whole text needs */
} writer;

static void put(writer *w, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* Appends like snprintf: counts everything, stores what fits. */
static void
put(writer *w, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	if (w->length < w->size)
		n = vsnprintf(w->buffer + w->length, w->size - w->length, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->length += (size_t) n;
}

/* Non-finite values only ever appear in sum and m2 (an overflow). */
static void
put_double(writer *w, const char *key, double d)
{
	if (isnan(d))
		put(w, ",\"%s\":NaN", key);
	else if (isinf(d))
		put(w, ",\"%s\":%sInfinity", key, d < 0 ? "-" : "");
	else
	{
		/* the shortest of 15, 16 or 17 digits that reads back exactly */
		char		digits[32];

		for (int precision = 15; precision <= 17; precision++)
		{
			snprintf(digits, sizeof(digits), "%.*g", precision, d);
			if (strtod(digits, NULL) == d)
				break;
		}
		put(w, ",\"%s\":%s", key, digits);
	}
}

static void
put_store(writer *w, const char *key, const ls_store *st)
{
	uint32_t	lo = 0;
	uint32_t	hi = st->nbuckets;
	uint32_t	i;

	/* trimmed as the binary form is, and offset 0 when empty */
	while (lo < hi && st->counts[lo] == 0)
		lo++;
	while (hi > lo && st->counts[hi - 1] == 0)
		hi--;
	put(w, ",\"%s\":{\"offset\":%" PRId32 ",\"counts\":[", key,
		lo == hi ? 0 : st->offset + (int32_t) lo);
	for (i = lo; i < hi; i++)
		put(w, i == lo ? "%" PRIu64 : ",%" PRIu64, st->counts[i]);
	put(w, "]}");
}

size_t
ls_sketch_to_text(const ls_sketch *s, char *buffer, size_t size)
{
	writer		w;

	w.buffer = buffer;
	w.size = buffer == NULL ? 0 : size;
	w.length = 0;
	if (w.size > 0)
		buffer[0] = '\0';

	put(&w, "{\"version\":%d", LS_SKETCH_FORMAT_VERSION);
	put_double(&w, "alpha", s->alpha);
	put(&w, ",\"count\":%" PRIu64 ",\"zero\":%" PRIu64, s->count, s->zero_count);
	put_double(&w, "sum", s->sum);
	put_double(&w, "mean", s->mean);
	put_double(&w, "m2", s->m2);
	put_double(&w, "min", s->min);
	put_double(&w, "max", s->max);
	put(&w, ",\"collapsed\":%s", s->collapsed ? "true" : "false");
	put_store(&w, "positive", &s->positive);
	put_store(&w, "negative", &s->negative);
	put(&w, "}");
	return w.length;
}

/* --- reading --- */

typedef struct parser
{
	const char *text;
	size_t		len;
	size_t		pos;
	char	   *message;
	size_t		message_size;
} parser;

static bool fail(parser *ps, size_t offset, const char *fmt,...) __attribute__((format(printf, 3, 4)));

/* Sets the message to "<what> at offset N". */
static bool
fail(parser *ps, size_t offset, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (ps->message == NULL || ps->message_size == 0)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(ps->message, ps->message_size, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t) n < ps->message_size)
		snprintf(ps->message + n, ps->message_size - (size_t) n,
				 " at offset %zu", offset);
	return false;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
skip_space(parser *ps)
{
	while (ps->pos < ps->len &&
		   (ps->text[ps->pos] == ' ' || ps->text[ps->pos] == '\t' ||
			ps->text[ps->pos] == '\n' || ps->text[ps->pos] == '\r'))
		ps->pos++;
}

/* Whether the next token is word; consumes it if so. */
static bool
accept(parser *ps, const char *word)
{
	size_t		n = strlen(word);

	skip_space(ps);
	if (ps->len - ps->pos < n || memcmp(ps->text + ps->pos, word, n) != 0)
		return false;
	ps->pos += n;
	return true;
}

static bool
expect(parser *ps, const char *token)
{
	if (accept(ps, token))
		return true;
	return fail(ps, ps->pos, "expected %s", token);
}

/* ',' (unless first) then "key" ':' */
static bool
expect_key(parser *ps, const char *key, bool first)
{
	size_t		n = strlen(key);
	const char *p;

	if (!first && !expect(ps, ","))
		return false;
	skip_space(ps);
	p = ps->text + ps->pos;
	if (ps->len - ps->pos < n + 2 || p[0] != '"' || memcmp(p + 1, key, n) != 0 ||
		p[n + 1] != '"')
		return fail(ps, ps->pos, "expected key \"%s\"", key);
	ps->pos += n + 2;
	return expect(ps, ":");
}

/* A JSON integer without sign: no leading zeros, at most UINT64_MAX. */
static bool
parse_uint64(parser *ps, uint64_t *value)
{
	size_t		start;
	uint64_t	v = 0;

	skip_space(ps);
	start = ps->pos;
	if (ps->pos >= ps->len || !is_digit(ps->text[ps->pos]))
		return fail(ps, start, "expected an unsigned integer");
	if (ps->text[ps->pos] == '0' && ps->pos + 1 < ps->len &&
		is_digit(ps->text[ps->pos + 1]))
		return fail(ps, start, "integer with a leading zero");
	while (ps->pos < ps->len && is_digit(ps->text[ps->pos]))
	{
		if (__builtin_mul_overflow(v, 10, &v) ||
			__builtin_add_overflow(v, (uint64_t) (ps->text[ps->pos] - '0'), &v))
			return fail(ps, start, "integer out of range");
		ps->pos++;
	}
	if (ps->pos < ps->len && (ps->text[ps->pos] == '.' ||
							  ps->text[ps->pos] == 'e' || ps->text[ps->pos] == 'E'))
		return fail(ps, start, "expected an integer");
	*value = v;
	return true;
}

static bool
parse_int32(parser *ps, int32_t *value)
{
	size_t		start;
	bool		negative;
	uint64_t	magnitude;

	skip_space(ps);
	start = ps->pos;
	negative = accept(ps, "-");
	if (!parse_uint64(ps, &magnitude))
		return false;
	if (magnitude > (negative ? (uint64_t) INT32_MAX + 1 : (uint64_t) INT32_MAX) ||
		(negative && magnitude == 0))
		return fail(ps, start, "offset out of range");
	*value = negative ? (int32_t) (-(int64_t) magnitude) : (int32_t) magnitude;
	return true;
}

/*
 * A JSON number, or NaN, Infinity or -Infinity (what an overflowed sum or m2
 * holds).  strtod gets a terminated copy, since the text is not terminated.
 */
static bool
parse_double(parser *ps, double *value)
{
	char		number[NUMBER_MAX_LENGTH + 1];
	size_t		start;
	size_t		p;
	char	   *end;

	skip_space(ps);
	start = ps->pos;
	if (accept(ps, "NaN"))
	{
		*value = NAN;
		return true;
	}
	if (accept(ps, "Infinity") || accept(ps, "-Infinity"))
	{
		*value = ps->text[start] == '-' ? -INFINITY : INFINITY;
		return true;
	}

	p = start;
	if (p < ps->len && ps->text[p] == '-')
		p++;
	if (p >= ps->len || !is_digit(ps->text[p]))
		return fail(ps, start, "expected a number");
	if (ps->text[p] == '0')
		p++;
	else
		while (p < ps->len && is_digit(ps->text[p]))
			p++;
	if (p < ps->len && ps->text[p] == '.')
	{
		p++;
		if (p >= ps->len || !is_digit(ps->text[p]))
			return fail(ps, start, "expected digits after \".\"");
		while (p < ps->len && is_digit(ps->text[p]))
			p++;
	}
	if (p < ps->len && (ps->text[p] == 'e' || ps->text[p] == 'E'))
	{
		p++;
		if (p < ps->len && (ps->text[p] == '+' || ps->text[p] == '-'))
			p++;
		if (p >= ps->len || !is_digit(ps->text[p]))
			return fail(ps, start, "expected digits in the exponent");
		while (p < ps->len && is_digit(ps->text[p]))
			p++;
	}
	if (p - start > NUMBER_MAX_LENGTH)
		return fail(ps, start, "number longer than %d characters", NUMBER_MAX_LENGTH);

	memcpy(number, ps->text + start, p - start);
	number[p - start] = '\0';
	errno = 0;
	*value = strtod(number, &end);
	if (errno == ERANGE && isinf(*value))
		return fail(ps, start, "number out of range");
	ps->pos = p;
	return true;
}

/* '{' "offset": n, "counts": [c, ...] '}' into st, whose array has room for MAX. */
static bool
parse_store(parser *ps, ls_store *st)
{
	size_t		first_count = 0;
	size_t		last_count = 0;
	size_t		start;

	if (!expect(ps, "{") || !expect_key(ps, "offset", true))
		return false;
	skip_space(ps);
	start = ps->pos;
	if (!parse_int32(ps, &st->offset) ||
		!expect_key(ps, "counts", false) || !expect(ps, "["))
		return false;
	if (!accept(ps, "]"))
	{
		do
		{
			skip_space(ps);
			if (st->nbuckets == LS_SKETCH_MAX_BUCKETS)
				return fail(ps, ps->pos, "more than %d buckets", LS_SKETCH_MAX_BUCKETS);
			if (st->nbuckets == 0)
				first_count = ps->pos;
			last_count = ps->pos;
			if (!parse_uint64(ps, &st->counts[st->nbuckets]))
				return false;
			st->nbuckets++;
		} while (accept(ps, ","));
		if (!expect(ps, "]"))
			return false;
	}
	if (!expect(ps, "}"))
		return false;

	/* the binary form would trim these silently, and the text then differ */
	if (st->nbuckets == 0 && st->offset != 0)
		return fail(ps, start, "an empty store must have offset 0");
	if (st->nbuckets > 0 && st->counts[0] == 0)
		return fail(ps, first_count, "the first bucket count must not be 0");
	if (st->nbuckets > 0 && st->counts[st->nbuckets - 1] == 0)
		return fail(ps, last_count, "the last bucket count must not be 0");
	return true;
}

/* The whole text into t's fields and stores; where the object starts. */
static bool
parse_sketch(parser *ps, ls_sketch *t, size_t *object_start)
{
	uint64_t	version;
	size_t		start;

	skip_space(ps);
	*object_start = ps->pos;
	if (!expect(ps, "{") || !expect_key(ps, "version", true))
		return false;
	skip_space(ps);
	start = ps->pos;
	if (!parse_uint64(ps, &version))
		return false;
	if (version != LS_SKETCH_FORMAT_VERSION)
		return fail(ps, start, "unsupported format version %" PRIu64 " (expected %d)",
					version, LS_SKETCH_FORMAT_VERSION);
	if (!expect_key(ps, "alpha", false))
		return false;
	skip_space(ps);
	start = ps->pos;
	if (!parse_double(ps, &t->alpha))
		return false;
	if (!(t->alpha >= LS_SKETCH_MIN_ALPHA && t->alpha <= LS_SKETCH_MAX_ALPHA))
		return fail(ps, start, "alpha %g outside [%g, %g]", t->alpha,
					LS_SKETCH_MIN_ALPHA, LS_SKETCH_MAX_ALPHA);
	if (!expect_key(ps, "count", false) || !parse_uint64(ps, &t->count) ||
		!expect_key(ps, "zero", false) || !parse_uint64(ps, &t->zero_count) ||
		!expect_key(ps, "sum", false) || !parse_double(ps, &t->sum) ||
		!expect_key(ps, "mean", false) || !parse_double(ps, &t->mean) ||
		!expect_key(ps, "m2", false) || !parse_double(ps, &t->m2) ||
		!expect_key(ps, "min", false) || !parse_double(ps, &t->min) ||
		!expect_key(ps, "max", false) || !parse_double(ps, &t->max) ||
		!expect_key(ps, "collapsed", false))
		return false;
	if (accept(ps, "true"))
		t->collapsed = true;
	else if (!accept(ps, "false"))
		return fail(ps, ps->pos, "expected true or false");
	if (!expect_key(ps, "positive", false) || !parse_store(ps, &t->positive) ||
		!expect_key(ps, "negative", false) || !parse_store(ps, &t->negative) ||
		!expect(ps, "}"))
		return false;
	skip_space(ps);
	if (ps->pos < ps->len)
		return fail(ps, ps->pos, "unexpected text after the sketch");
	return true;
}

ls_sketch_status
ls_sketch_from_text(ls_sketch *s, const char *text, size_t length,
					const ls_allocator *allocator, char *message, size_t message_size)
{
	parser		ps;
	ls_sketch	t;
	uint8_t    *bytes;
	size_t		size;
	size_t		array_size = LS_SKETCH_MAX_BUCKETS * sizeof(uint64_t);
	ls_sketch_status status = LS_SKETCH_BAD_FORMAT;
	char		why[128];
	size_t		object_start = 0;

	ps.text = text;
	ps.len = length;
	ps.pos = 0;
	ps.message = message;
	ps.message_size = message_size;
	memset(s, 0, sizeof(*s));
	s->allocator = allocator;

	memset(&t, 0, sizeof(t));
	t.positive.counts = allocator->alloc(allocator->context, array_size);
	t.negative.counts = allocator->alloc(allocator->context, array_size);
	if (parse_sketch(&ps, &t, &object_start))
	{
		size = ls_sketch_encoded_size(&t);
		bytes = allocator->alloc(allocator->context, size);
		ls_sketch_encode(&t, bytes);
		why[0] = '\0';
		status = ls_sketch_decode(s, bytes, size, allocator, why, sizeof(why));
		if (status != LS_SKETCH_OK)
			fail(&ps, object_start, "%s in the sketch", why);
		allocator->release(allocator->context, bytes);
	}
	allocator->release(allocator->context, t.positive.counts);
	allocator->release(allocator->context, t.negative.counts);
	return status;
}
