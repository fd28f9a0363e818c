/*
 * detector_format.c
 *	  The text and binary forms of a detector state (detector.h), both walking
 *	  one table of its fields, so the two cannot disagree.  Text is written
 *	  exactly and read strictly: every field once, in order, each number to
 *	  its end; what parses is then checked by ls_detector_validate, as binary
 *	  input is.
 */
#include "detector.h"
#include "text_form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct field
{
	const char *name;
	size_t		offset;			/* of the first double in ls_detector */
	int			count;			/* 1: a scalar, more: an array in brackets */
} field;

#define F(name, member, n) {name, offsetof(ls_detector, member), n}

static const field fields[] = {
	F("fast", options.fast, 1),
	F("medium", options.medium, 1),
	F("slow", options.slow, 1),
	F("memory", options.memory, 1),
	F("season", options.season, 1),
	F("score", score, 1),
	F("step", step, 1),
	F("previous", previous, 1),
	F("jump", jump, 1),
	F("jump_weight", jump_weight, 1),
	F("weight", weight, 3),
	F("level", level, 3),
	F("var", var, 3),
	F("error", error, 4),
	F("error_weight", error_weight, 4),
	F("offset", offset, 2),
	F("cusum", cusum, 2),
	F("alarm", alarm, 1),
	F("day_level", day_level, LS_DETECTOR_HOURS),
	F("day_weight", day_weight, LS_DETECTOR_HOURS),
	F("week_level", week_level, LS_DETECTOR_WEEK_HOURS),
	F("week_weight", week_weight, LS_DETECTOR_WEEK_HOURS),
	F("hist_scale", hist_scale, 1),
	F("hist_total", hist_total, LS_DETECTOR_STATS),
	F("hist", hist, LS_DETECTOR_STATS * LS_DETECTOR_BINS),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))
#define NDOUBLES (5 + 2 + 3 + 12 + 2 + 3 + 2 + 2 + 1 + 1 + 2 * LS_DETECTOR_HOURS + \
				  2 * LS_DETECTOR_WEEK_HOURS + LS_DETECTOR_STATS * (1 + LS_DETECTOR_BINS))

static double *
field_at(ls_detector *d, const field *f)
{
	return (double *) ((char *) d + f->offset);
}

static const double *
field_at_const(const ls_detector *d, const field *f)
{
	return (const double *) ((const char *) d + f->offset);
}

/* --- text: writing --- */

/* Appends like snprintf, keeping the length needed in *n. */
static void
append(char *buffer, size_t size, size_t *n, const char *s)
{
	size_t		len = strlen(s);

	if (buffer != NULL && *n < size)
	{
		size_t		room = size - *n - 1;

		memcpy(buffer + *n, s, len < room ? len : room);
		buffer[*n + (len < room ? len : room)] = '\0';
	}
	*n += len;
}

size_t
ls_detector_to_text(const ls_detector *d, char *buffer, size_t size)
{
	char		head[128];
	char		digits[LS_TEXT_DOUBLE_SIZE];
	size_t		n = 0;

	if (buffer != NULL && size > 0)
		buffer[0] = '\0';
	snprintf(head, sizeof(head), "(version=%d,count=%" PRId64 ",first=%" PRId64 ",last=%" PRId64,
			 LS_DETECTOR_FORMAT_VERSION, d->count, d->first, d->last);
	append(buffer, size, &n, head);
	for (size_t i = 0; i < NFIELDS; i++)
	{
		const double *v = field_at_const(d, &fields[i]);

		append(buffer, size, &n, ",");
		append(buffer, size, &n, fields[i].name);
		append(buffer, size, &n, fields[i].count > 1 ? "=[" : "=");
		for (int j = 0; j < fields[i].count; j++)
		{
			if (j > 0)
				append(buffer, size, &n, ",");
			ls_text_format_double(digits, sizeof(digits), v[j]);
			append(buffer, size, &n, digits);
		}
		if (fields[i].count > 1)
			append(buffer, size, &n, "]");
	}
	append(buffer, size, &n, ")");
	return n;
}

/* --- text: reading --- */

static bool
parse_double(ls_text_reader *r, double *value)
{
	return ls_text_read_double(r, false, "expected a finite number", value);
}

static bool
parse_detector(ls_text_reader *r, ls_detector *d)
{
	if (!ls_text_expect_version(r, LS_DETECTOR_FORMAT_VERSION))
		return false;
	if (!ls_text_expect_key(r, "count", false) || !ls_text_read_int64(r, &d->count) ||
		!ls_text_expect_key(r, "first", false) || !ls_text_read_int64(r, &d->first) ||
		!ls_text_expect_key(r, "last", false) || !ls_text_read_int64(r, &d->last))
		return false;
	for (size_t i = 0; i < NFIELDS; i++)
	{
		double	   *v = field_at(d, &fields[i]);

		if (!ls_text_expect_key(r, fields[i].name, false))
			return false;
		if (fields[i].count > 1 && !ls_text_expect(r, "["))
			return false;
		for (int j = 0; j < fields[i].count; j++)
			if ((j > 0 && !ls_text_expect(r, ",")) || !parse_double(r, &v[j]))
				return false;
		if (fields[i].count > 1 && !ls_text_expect(r, "]"))
			return false;
	}
	return ls_text_expect_end(r);
}

bool
ls_detector_from_text(ls_detector *d, const char *text, size_t length, ls_error *err)
{
	ls_text_reader r;
	ls_detector parsed;

	ls_error_clear(err);
	ls_text_reader_init(&r, text, length, err);
	memset(&parsed, 0, sizeof(parsed));
	if (!parse_detector(&r, &parsed))
		return false;
	if (!ls_detector_validate(&parsed, LS_DETECTOR_FORMAT_VERSION, err))
		return false;
	*d = parsed;
	return true;
}

/* --- binary --- */

size_t
ls_detector_binary_size(void)
{
	return 1 + 3 * 8 + NDOUBLES * 8;
}

static void
put64(unsigned char **out, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		*(*out)++ = (unsigned char) (v >> (8 * i));
}

static uint64_t
get64(const unsigned char **in)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | *(*in)++;
	return v;
}

static void
put_double(unsigned char **out, double d)
{
	uint64_t	bits;

	memcpy(&bits, &d, sizeof(bits));
	put64(out, bits);
}

static double
get_double(const unsigned char **in)
{
	uint64_t	bits = get64(in);
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

void
ls_detector_encode(const ls_detector *d, unsigned char *out)
{
	*out++ = LS_DETECTOR_FORMAT_VERSION;
	put64(&out, (uint64_t) d->count);
	put64(&out, (uint64_t) d->first);
	put64(&out, (uint64_t) d->last);
	for (size_t i = 0; i < NFIELDS; i++)
	{
		const double *v = field_at_const(d, &fields[i]);

		for (int j = 0; j < fields[i].count; j++)
			put_double(&out, v[j]);
	}
}

bool
ls_detector_decode(ls_detector *d, const unsigned char *in, size_t length, ls_error *err)
{
	ls_detector parsed;
	int			version;

	ls_error_clear(err);
	if (length < 1)
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "no data");
	version = in[0];
	if (version != LS_DETECTOR_FORMAT_VERSION)
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"unsupported format version %d (expected %d)",
							version, LS_DETECTOR_FORMAT_VERSION);
	if (length != ls_detector_binary_size())
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "%zu bytes, expected %zu",
							length, ls_detector_binary_size());
	in++;
	memset(&parsed, 0, sizeof(parsed));
	parsed.count = (int64_t) get64(&in);
	parsed.first = (int64_t) get64(&in);
	parsed.last = (int64_t) get64(&in);
	for (size_t i = 0; i < NFIELDS; i++)
	{
		double	   *v = field_at(&parsed, &fields[i]);

		for (int j = 0; j < fields[i].count; j++)
			v[j] = get_double(&in);
	}
	if (!ls_detector_validate(&parsed, version, err))
		return false;
	*d = parsed;
	return true;
}

/* The table covers every double of the state: a new field must be added. */
typedef char ls_detector_fields_cover_the_state
			[sizeof(ls_detector) == 3 * sizeof(int64_t) + NDOUBLES * sizeof(double) ? 1 : -1];
