/*
 * sketch_format.c
 *	  The sketch's versioned binary form (sketch.h documents the layout):
 *	  encoding, and decoding that validates every field before use.
 *
 * Bytes are written one by one, little-endian, so the form is the same on
 * every host.  Stores are written trimmed to their nonzero buckets and the
 * decoder accepts only that canonical form, so equal sketches encode equally
 * and a decoded sketch re-encodes to the bytes it came from.
 */
#include "sketch.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define HEADER_SIZE 68			/* 4 bytes, then 8 fields of 8 */
#define STORE_HEADER_SIZE 8
#define VARINT_MAX_SIZE 10
#define FLAG_COLLAPSED 0x01

/*
 * A NaN sum (from merging sums that overflowed to +inf and -inf) is always
 * written with these bits, and no other NaN is accepted, so that decoding and
 * re-encoding keeps the bytes.
 */
#define CANONICAL_NAN_BITS UINT64_C(0x7ff8000000000000)

/* Slack on the reachable index range, for libm's log differing by an ulp. */
#define INDEX_MARGIN 8

static uint64_t
double_bits(double d)
{
	uint64_t	bits;

	memcpy(&bits, &d, sizeof(bits));
	return bits;
}

static double
bits_double(uint64_t bits)
{
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static uint8_t *
put_u64(uint8_t *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static uint8_t *
put_double(uint8_t *p, double d)
{
	return put_u64(p, isnan(d) ? CANONICAL_NAN_BITS : double_bits(d));
}

static uint8_t *
put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

static size_t
varint_size(uint64_t v)
{
	size_t		size = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		size++;
	}
	return size;
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 |
		(uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static size_t
store_encoded_size(const ls_store *st)
{
	uint32_t	first;
	uint32_t	end;
	uint32_t	i;
	size_t		size = STORE_HEADER_SIZE;

	ls_store_trim(st, &first, &end);
	for (i = first; i < end; i++)
		size += varint_size(st->counts[i]);
	return size;
}

static uint8_t *
store_encode(const ls_store *st, uint8_t *p)
{
	uint32_t	first;
	uint32_t	end;
	uint32_t	n;
	uint32_t	i;

	ls_store_trim(st, &first, &end);
	n = end - first;
	/* an empty store's offset means nothing; write 0 so it encodes one way */
	p = put_u32(p, n == 0 ? 0 : (uint32_t) (st->offset + (int32_t) first));
	p = put_u32(p, n);
	for (i = 0; i < n; i++)
		p = put_varint(p, st->counts[first + i]);
	return p;
}

size_t
ls_sketch_encoded_size(const ls_sketch *s)
{
	return HEADER_SIZE + store_encoded_size(&s->positive) +
		store_encoded_size(&s->negative);
}

size_t
ls_sketch_encode(const ls_sketch *s, uint8_t *buffer)
{
	uint8_t    *p = buffer;

	*p++ = LS_SKETCH_FORMAT_VERSION;
	*p++ = s->collapsed ? FLAG_COLLAPSED : 0;
	*p++ = 0;
	*p++ = 0;
	p = put_double(p, s->alpha);
	p = put_u64(p, s->count);
	p = put_u64(p, s->zero_count);
	p = put_double(p, s->sum);
	p = put_double(p, s->mean);
	p = put_double(p, s->m2);
	p = put_double(p, s->min);
	p = put_double(p, s->max);
	p = store_encode(&s->positive, p);
	p = store_encode(&s->negative, p);
	return (size_t) (p - buffer);
}

/* --- decoding --- */

typedef struct reader
{
	const uint8_t *p;
	const uint8_t *start;
	const uint8_t *end;
	ls_error   *err;
} reader;

/* An input that does not validate, reported at the byte being read. */
#define fail(r, ...) \
	ls_error_set((r)->err, LS_ERROR_BAD_INPUT, (size_t) ((r)->p - (r)->start), __VA_ARGS__)

static size_t
remaining(const reader *r)
{
	return (size_t) (r->end - r->p);
}

/*
 * One unsigned LEB128 value of at most 64 bits: at most ten bytes, the tenth
 * holding only bit 63, and no overlong form (a last byte of zero after the
 * first), so that every value has exactly one encoding.
 */
static bool
read_varint(reader *r, uint64_t *value, const char *store, uint32_t bucket)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < VARINT_MAX_SIZE; i++)
	{
		uint8_t		byte;

		if (r->p == r->end)
			return fail(r, "%s store truncated in bucket %" PRIu32, store, bucket);
		byte = *r->p++;
		if (i == VARINT_MAX_SIZE - 1 && byte > 1)
			return fail(r, "%s store bucket %" PRIu32 " overflows 64 bits",
						store, bucket);
		v |= (uint64_t) (byte & 0x7f) << (7 * i);
		if ((byte & 0x80) == 0)
		{
			if (i > 0 && byte == 0)
				return fail(r, "%s store bucket %" PRIu32 " is an overlong varint",
							store, bucket);
			*value = v;
			return true;
		}
	}
	/* not reached: the tenth byte either ends the value or fails above */
	return fail(r, "%s store bucket %" PRIu32 " is too long", store, bucket);
}

/*
 * The bucket indexes finite doubles can reach at this alpha, widened by a
 * margin: magnitudes run from LS_SKETCH_MIN_MAGNITUDE to DBL_MAX.  About
 * +-35,500 at alpha 0.01 and +-3,550,000 at the smallest alpha.
 */
static void
index_bounds(const ls_sketch *s, int64_t *lo, int64_t *hi)
{
	*lo = (int64_t) floor(log(LS_SKETCH_MIN_MAGNITUDE) / s->log_gamma) - INDEX_MARGIN;
	*hi = (int64_t) ceil(log(DBL_MAX) / s->log_gamma) + INDEX_MARGIN;
}

/*
 * n counts into st->counts, added to *total; the ends must be nonzero, as
 * the encoder trims them.
 */
static bool
read_counts(reader *r, ls_store *st, const char *name, uint64_t *total)
{
	uint32_t	i;

	for (i = 0; i < st->nbuckets; i++)
	{
		if (!read_varint(r, &st->counts[i], name, i))
			return false;
		if (__builtin_add_overflow(*total, st->counts[i], total))
			return fail(r, "bucket counts overflow 64 bits");
	}
	if (st->counts[0] == 0 || st->counts[st->nbuckets - 1] == 0)
		return fail(r, "%s store has a zero bucket at its %s end", name,
					st->counts[0] == 0 ? "low" : "high");
	return true;
}

/*
 * Reads one store into st (allocating its array) and adds its counts to
 * *total.  On failure st owns nothing.
 */
static bool
read_store(reader *r, ls_sketch *s, ls_store *st, const char *name,
		   uint64_t *total)
{
	int32_t		offset;
	uint32_t	n;
	int64_t		lo;
	int64_t		hi;

	if (remaining(r) < STORE_HEADER_SIZE)
		return fail(r, "%s store header truncated", name);
	offset = (int32_t) get_u32(r->p);
	n = get_u32(r->p + 4);
	r->p += STORE_HEADER_SIZE;

	if (n > LS_SKETCH_MAX_BUCKETS)
		return fail(r, "%s store has %" PRIu32 " buckets, more than %d",
					name, n, LS_SKETCH_MAX_BUCKETS);
	if (n == 0)
	{
		if (offset != 0)
			return fail(r, "empty %s store has offset %" PRId32 ", not 0",
						name, offset);
		return true;
	}
	index_bounds(s, &lo, &hi);
	if (offset < lo || (int64_t) offset + n - 1 > hi)
		return fail(r, "%s store indexes %" PRId32 " to %" PRId64
					" outside %" PRId64 " to %" PRId64 " for alpha %g",
					name, offset, (int64_t) offset + n - 1, lo, hi, s->alpha);
	/* every count takes a byte at least: no allocation for absent data */
	if (remaining(r) < n)
		return fail(r, "%s store truncated: %" PRIu32 " buckets in %zu bytes",
					name, n, remaining(r));

	st->counts = s->allocator->alloc(s->allocator->context, n * sizeof(uint64_t));
	st->capacity = n;
	st->nbuckets = n;
	st->offset = offset;
	if (read_counts(r, st, name, total))
		return true;
	s->allocator->release(s->allocator->context, st->counts);
	memset(st, 0, sizeof(*st));
	return false;
}

/* The checks on the fixed fields, before any store is read. */
static bool
check_header(reader *r, const ls_sketch *s, uint64_t sum_bits)
{
	if (s->zero_count > s->count)
		return fail(r, "zero count %" PRIu64 " exceeds count %" PRIu64,
					s->zero_count, s->count);
	if (!isfinite(s->min) || !isfinite(s->max))
		return fail(r, "min or max is not finite");
	if (!isfinite(s->mean))
		return fail(r, "mean is not finite");
	if (!(s->m2 >= 0))
		return fail(r, "m2 is negative or nan");
	if (isnan(s->sum) && sum_bits != CANONICAL_NAN_BITS)
		return fail(r, "sum is a nan other than the canonical one");
	if (s->count == 0)
	{
		if (s->collapsed)
			return fail(r, "empty sketch is marked collapsed");
		/* all bits zero, -0 too being refused: the empty sketch is one */
		if (double_bits(s->sum) != 0 || double_bits(s->mean) != 0 ||
			double_bits(s->m2) != 0 || double_bits(s->min) != 0 ||
			double_bits(s->max) != 0)
			return fail(r, "empty sketch has a nonzero sum, mean, m2, min or max");
		return true;
	}
	if (s->min > s->max)
		return fail(r, "min %.17g exceeds max %.17g", s->min, s->max);
	if (s->mean < s->min || s->mean > s->max)
		return fail(r, "mean %.17g outside min %.17g and max %.17g",
					s->mean, s->min, s->max);
	if (s->count == 1 && (s->min != s->max || s->m2 != 0))
		return fail(r, "a sketch of one value has min != max or nonzero m2");
	if (s->zero_count > 0 &&
		!(s->min < LS_SKETCH_MIN_MAGNITUDE && s->max > -LS_SKETCH_MIN_MAGNITUDE))
		return fail(r, "zero count %" PRIu64 " but min and max exclude zero",
					s->zero_count);
	return true;
}

/* The four leading bytes and the eight fixed fields, into s. */
static bool
read_header(reader *r, ls_sketch *s, const ls_allocator *allocator)
{
	const uint8_t *b = r->p;
	size_t		length = remaining(r);
	double		alpha;
	uint64_t	sum_bits;

	/* the version first: another version may well be shorter */
	if (length == 0)
		return fail(r, "empty input");
	if (b[0] != LS_SKETCH_FORMAT_VERSION)
		return fail(r, "unsupported format version %u (expected %d)",
					b[0], LS_SKETCH_FORMAT_VERSION);
	if (length < HEADER_SIZE)
		return fail(r, "truncated: %zu bytes, the header alone is %d",
					length, HEADER_SIZE);
	if ((b[1] & ~FLAG_COLLAPSED) != 0)
		return fail(r, "unknown flags 0x%02x", b[1]);
	if (b[2] != 0 || b[3] != 0)
		return fail(r, "reserved bytes are not zero");
	alpha = bits_double(get_u64(b + 4));
	if (ls_sketch_init(s, alpha, allocator) != LS_SKETCH_OK)
		return fail(r, "alpha %g outside [%g, %g]", alpha,
					LS_SKETCH_MIN_ALPHA, LS_SKETCH_MAX_ALPHA);
	s->collapsed = (b[1] & FLAG_COLLAPSED) != 0;
	s->count = get_u64(b + 12);
	s->zero_count = get_u64(b + 20);
	sum_bits = get_u64(b + 28);
	s->sum = bits_double(sum_bits);
	s->mean = bits_double(get_u64(b + 36));
	s->m2 = bits_double(get_u64(b + 44));
	s->min = bits_double(get_u64(b + 52));
	s->max = bits_double(get_u64(b + 60));
	r->p += HEADER_SIZE;
	return check_header(r, s, sum_bits);
}

/* What can be checked only with both stores read. */
static bool
check_totals(reader *r, const ls_sketch *s, uint64_t total)
{
	if (remaining(r) > 0)
		return fail(r, "%zu bytes after the end of the sketch", remaining(r));
	if (total != s->count)
		return fail(r, "bucket counts add up to %" PRIu64 ", not count %" PRIu64,
					total, s->count);
	if ((s->positive.nbuckets > 0) != (s->max >= LS_SKETCH_MIN_MAGNITUDE))
		return fail(r, "max %.17g disagrees with the positive store", s->max);
	if ((s->negative.nbuckets > 0) != (s->min <= -LS_SKETCH_MIN_MAGNITUDE))
		return fail(r, "min %.17g disagrees with the negative store", s->min);
	return true;
}

ls_sketch_status
ls_sketch_decode(ls_sketch *s, const uint8_t *buffer, size_t length,
				 const ls_allocator *allocator, ls_error *err)
{
	reader		r;
	uint64_t	total;

	r.p = buffer;
	r.start = buffer;
	r.end = buffer + length;
	r.err = err;
	ls_error_clear(err);
	memset(s, 0, sizeof(*s));
	s->allocator = allocator;

	if (!read_header(&r, s, allocator))
		return LS_SKETCH_BAD_FORMAT;
	total = s->zero_count;
	if (!read_store(&r, s, &s->positive, "positive", &total))
		return LS_SKETCH_BAD_FORMAT;
	if (read_store(&r, s, &s->negative, "negative", &total) &&
		check_totals(&r, s, total))
		return LS_SKETCH_OK;
	ls_sketch_free(s);
	return LS_SKETCH_BAD_FORMAT;
}
