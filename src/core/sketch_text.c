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
#include "text_form.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
		char		digits[LS_TEXT_DOUBLE_SIZE];

		ls_text_format_double(digits, sizeof(digits), d);
		put(w, ",\"%s\":%s", key, digits);
	}
}

/* Appends n bytes, like put: counts them all, stores what fits. */
static void
put_bytes(writer *w, const char *bytes, size_t n)
{
	if (w->length + 1 < w->size)
	{
		size_t		copy = n < w->size - w->length - 1 ? n : w->size - w->length - 1;

		memcpy(w->buffer + w->length, bytes, copy);
		w->buffer[w->length + copy] = '\0';
	}
	w->length += n;
}

/*
 * Appends separator (unless NUL), sign (unless NUL) and v in decimal.  The
 * bucket lists are most of a sketch's text, and a vsnprintf per count was
 * most of the time it took to write one.
 */
static void
put_count(writer *w, char separator, char sign, uint64_t v)
{
	char		digits[24];
	size_t		n = sizeof(digits);

	do
	{
		digits[--n] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (sign != '\0')
		digits[--n] = sign;
	if (separator != '\0')
		digits[--n] = separator;
	put_bytes(w, digits + n, sizeof(digits) - n);
}

static void
put_store(writer *w, const char *key, const ls_store *st)
{
	uint32_t	lo;
	uint32_t	hi;
	uint32_t	i;

	/* trimmed as the binary form is, and offset 0 when empty */
	ls_store_trim(st, &lo, &hi);
	put(w, ",\"%s\":{\"offset\":%" PRId32 ",\"counts\":[", key,
		lo == hi ? 0 : st->offset + (int32_t) lo);
	for (i = lo; i < hi; i++)
	{
		uint32_t	run = 0;
		char		separator = i > lo ? ',' : '\0';

		while (i + run < hi && st->counts[i + run] == 0)
			run++;
		if (run > 1)
		{
			put_count(w, separator, '-', run);
			i += run - 1;
		}
		else
			put_count(w, separator, '\0', st->counts[i]);
	}
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

/* The token, or "expected <token>" (unquoted, unlike the ewm's form). */
static bool
expect(ls_text_reader *r, const char *token)
{
	if (ls_text_accept(r, token))
		return true;
	return ls_text_fail(r, r->pos, "expected %s", token);
}

/* ',' (unless first) then "key" ':' */
static bool
expect_key(ls_text_reader *r, const char *key, bool first)
{
	size_t		n = strlen(key);
	const char *p;

	if (!first && !expect(r, ","))
		return false;
	ls_text_skip_space(r);
	p = r->text + r->pos;
	if (r->len - r->pos < n + 2 || p[0] != '"' || memcmp(p + 1, key, n) != 0 ||
		p[n + 1] != '"')
		return ls_text_fail(r, r->pos, "expected key \"%s\"", key);
	r->pos += n + 2;
	return expect(r, ":");
}

/* A JSON integer without sign: no leading zeros, at most UINT64_MAX. */
static bool
parse_uint64(ls_text_reader *r, uint64_t *value)
{
	size_t		start;

	ls_text_skip_space(r);
	start = r->pos;
	if (r->pos >= r->len || !ls_text_is_digit(r->text[r->pos]))
		return ls_text_fail(r, start, "expected an unsigned integer");
	if (r->text[r->pos] == '0' && r->pos + 1 < r->len &&
		ls_text_is_digit(r->text[r->pos + 1]))
		return ls_text_fail(r, start, "integer with a leading zero");
	return ls_text_read_digits(r, start, UINT64_MAX, value);
}

static bool
parse_int32(ls_text_reader *r, int32_t *value)
{
	size_t		start;
	bool		negative;
	uint64_t	magnitude;

	ls_text_skip_space(r);
	start = r->pos;
	negative = ls_text_accept(r, "-");
	if (!parse_uint64(r, &magnitude))
		return false;
	if (magnitude > (negative ? (uint64_t) INT32_MAX + 1 : (uint64_t) INT32_MAX) ||
		(negative && magnitude == 0))
		return ls_text_fail(r, start, "offset out of range");
	*value = negative ? (int32_t) (-(int64_t) magnitude) : (int32_t) magnitude;
	return true;
}

/*
 * A JSON number, or NaN, Infinity or -Infinity (what an overflowed sum or m2
 * holds).
 */
static bool
parse_double(ls_text_reader *r, double *value)
{
	size_t		start;

	ls_text_skip_space(r);
	start = r->pos;
	if (ls_text_accept(r, "NaN"))
	{
		*value = NAN;
		return true;
	}
	if (ls_text_accept(r, "Infinity") || ls_text_accept(r, "-Infinity"))
	{
		*value = r->text[start] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	return ls_text_read_double(r, true, "expected a number", value);
}

/*
 * '{' "offset": n, "counts": [c, ...] '}' into st, whose array has room for
 * MAX.  A negative entry -k stands for k empty buckets, as the writer puts
 * every run of two or more: a sketch's buckets are mostly empty between the
 * few it fills, and its text is what Citus ships between nodes.
 */
static bool
parse_store(ls_text_reader *r, ls_store *st)
{
	size_t		first_count = 0;
	size_t		last_count = 0;
	size_t		start;

	if (!expect(r, "{") || !expect_key(r, "offset", true))
		return false;
	ls_text_skip_space(r);
	start = r->pos;
	if (!parse_int32(r, &st->offset) ||
		!expect_key(r, "counts", false) || !expect(r, "["))
		return false;
	if (!ls_text_accept(r, "]"))
	{
		do
		{
			uint64_t	run = 1;

			ls_text_skip_space(r);
			if (st->nbuckets == LS_SKETCH_MAX_BUCKETS)
				return ls_text_fail(r, r->pos, "more than %d buckets", LS_SKETCH_MAX_BUCKETS);
			if (st->nbuckets == 0)
				first_count = r->pos;
			last_count = r->pos;
			if (ls_text_accept_char(r, '-'))
			{
				/* -k: k empty buckets */
				if (!parse_uint64(r, &run))
					return false;
				if (run == 0)
					return ls_text_fail(r, last_count, "a run of empty buckets must not be -0");
				if (run > LS_SKETCH_MAX_BUCKETS - st->nbuckets)
					return ls_text_fail(r, last_count, "more than %d buckets", LS_SKETCH_MAX_BUCKETS);
				memset(&st->counts[st->nbuckets], 0, run * sizeof(uint64_t));
			}
			else if (!parse_uint64(r, &st->counts[st->nbuckets]))
				return false;
			st->nbuckets += (uint32_t) run;
		} while (ls_text_accept_char(r, ','));
		if (!expect(r, "]"))
			return false;
	}
	if (!expect(r, "}"))
		return false;

	/* the binary form would trim these silently, and the text then differ */
	if (st->nbuckets == 0 && st->offset != 0)
		return ls_text_fail(r, start, "an empty store must have offset 0");
	if (st->nbuckets > 0 && st->counts[0] == 0)
		return ls_text_fail(r, first_count, "the first bucket count must not be 0");
	if (st->nbuckets > 0 && st->counts[st->nbuckets - 1] == 0)
		return ls_text_fail(r, last_count, "the last bucket count must not be 0");
	return true;
}

/* The whole text into t's fields and stores; where the object starts. */
static bool
parse_sketch(ls_text_reader *r, ls_sketch *t, size_t *object_start)
{
	uint64_t	version;
	size_t		start;

	ls_text_skip_space(r);
	*object_start = r->pos;
	if (!expect(r, "{") || !expect_key(r, "version", true))
		return false;
	ls_text_skip_space(r);
	start = r->pos;
	if (!parse_uint64(r, &version))
		return false;
	if (version != LS_SKETCH_FORMAT_VERSION)
		return ls_text_fail(r, start, "unsupported format version %" PRIu64 " (expected %d)",
							version, LS_SKETCH_FORMAT_VERSION);
	if (!expect_key(r, "alpha", false))
		return false;
	ls_text_skip_space(r);
	start = r->pos;
	if (!parse_double(r, &t->alpha))
		return false;
	if (!(t->alpha >= LS_SKETCH_MIN_ALPHA && t->alpha <= LS_SKETCH_MAX_ALPHA))
		return ls_text_fail(r, start, "alpha %g outside [%g, %g]", t->alpha,
							LS_SKETCH_MIN_ALPHA, LS_SKETCH_MAX_ALPHA);
	if (!expect_key(r, "count", false) || !parse_uint64(r, &t->count) ||
		!expect_key(r, "zero", false) || !parse_uint64(r, &t->zero_count) ||
		!expect_key(r, "sum", false) || !parse_double(r, &t->sum) ||
		!expect_key(r, "mean", false) || !parse_double(r, &t->mean) ||
		!expect_key(r, "m2", false) || !parse_double(r, &t->m2) ||
		!expect_key(r, "min", false) || !parse_double(r, &t->min) ||
		!expect_key(r, "max", false) || !parse_double(r, &t->max) ||
		!expect_key(r, "collapsed", false))
		return false;
	if (ls_text_accept(r, "true"))
		t->collapsed = true;
	else if (!ls_text_accept(r, "false"))
		return ls_text_fail(r, r->pos, "expected true or false");
	if (!expect_key(r, "positive", false) || !parse_store(r, &t->positive) ||
		!expect_key(r, "negative", false) || !parse_store(r, &t->negative) ||
		!expect(r, "}"))
		return false;
	ls_text_skip_space(r);
	if (r->pos < r->len)
		return ls_text_fail(r, r->pos, "unexpected text after the sketch");
	return true;
}

ls_sketch_status
ls_sketch_from_text(ls_sketch *s, const char *text, size_t length,
					const ls_allocator *allocator, ls_error *err)
{
	ls_text_reader r;
	ls_sketch	t;
	uint8_t    *bytes;
	size_t		size;
	size_t		array_size = LS_SKETCH_MAX_BUCKETS * sizeof(uint64_t);
	ls_sketch_status status = LS_SKETCH_BAD_FORMAT;
	ls_error	why;
	size_t		object_start = 0;

	ls_error_clear(err);
	ls_text_reader_init(&r, text, length, err);
	memset(s, 0, sizeof(*s));
	s->allocator = allocator;

	memset(&t, 0, sizeof(t));
	t.positive.counts = allocator->alloc(allocator->context, array_size);
	t.negative.counts = allocator->alloc(allocator->context, array_size);
	if (parse_sketch(&r, &t, &object_start))
	{
		size = ls_sketch_encoded_size(&t);
		bytes = allocator->alloc(allocator->context, size);
		ls_sketch_encode(&t, bytes);
		status = ls_sketch_decode(s, bytes, size, allocator, &why);
		if (status != LS_SKETCH_OK)
			ls_text_fail(&r, object_start, "%.127s in the sketch", why.message);
		allocator->release(allocator->context, bytes);
	}
	allocator->release(allocator->context, t.positive.counts);
	allocator->release(allocator->context, t.negative.counts);
	return status;
}
