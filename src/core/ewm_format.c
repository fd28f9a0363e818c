/*
 * ewm_format.c
 *	  The readable text form of an ewm state (ewm.h shows it), written
 *	  exactly and read back strictly: every field once, in order, every
 *	  number parsed to its end, nothing after the closing parenthesis.
 *
 * What parses is then checked by ls_ewm_validate, the check binary input
 * goes through too.  Numbers are C-locale: PostgreSQL keeps LC_NUMERIC at
 * "C" in every backend.
 */
#include "ewm.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer than any number this form writes ("-2.2250738585072014e-308"). */
#define NUMBER_MAX_LENGTH 40

/* --- writing --- */

/* The shortest of 15, 16 or 17 significant digits that reads back exactly. */
static void
format_double(char *digits, size_t size, double d)
{
	for (int precision = 15; precision <= 17; precision++)
	{
		snprintf(digits, size, "%.*g", precision, d);
		if (strtod(digits, NULL) == d)
			break;
	}
}

size_t
ls_ewm_to_text(const ls_ewm *e, char *buffer, size_t size)
{
	char		weight[32];
	char		mean[32];
	char		m2[32];
	int			n;

	format_double(weight, sizeof(weight), e->weight);
	format_double(mean, sizeof(mean), e->mean);
	format_double(m2, sizeof(m2), e->m2);
	n = snprintf(buffer, buffer == NULL ? 0 : size,
				 "(version=%d,n=%" PRId64 ",half_life=%" PRId64 ",anchor=%" PRId64
				 ",weight=%s,mean=%s,m2=%s)",
				 LS_EWM_FORMAT_VERSION, e->count, e->half_life, e->anchor,
				 weight, mean, m2);
	return n < 0 ? 0 : (size_t) n;
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

/* Sets the message to "<what> at offset N"; returns false. */
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

static bool
expect(parser *ps, const char *token)
{
	size_t		n = strlen(token);

	skip_space(ps);
	if (ps->len - ps->pos < n || memcmp(ps->text + ps->pos, token, n) != 0)
		return fail(ps, ps->pos, "expected \"%s\"", token);
	ps->pos += n;
	return true;
}

/* [','] key '=' : the key must be this one, whole */
static bool
expect_key(parser *ps, const char *key, bool first)
{
	size_t		n = strlen(key);
	size_t		start;

	if (!first && !expect(ps, ","))
		return false;
	skip_space(ps);
	start = ps->pos;
	if (ps->len - ps->pos < n || memcmp(ps->text + ps->pos, key, n) != 0)
		return fail(ps, start, "expected field \"%s\"", key);
	ps->pos += n;
	skip_space(ps);
	if (ps->pos >= ps->len || ps->text[ps->pos] != '=')
		return fail(ps, start, "expected field \"%s\"", key);
	ps->pos++;
	return true;
}

/* An optional '-' and decimal digits, within int64. */
static bool
parse_int64(parser *ps, int64_t *value)
{
	size_t		start;
	bool		negative = false;
	uint64_t	magnitude = 0;
	uint64_t	limit;

	skip_space(ps);
	start = ps->pos;
	if (ps->pos < ps->len && ps->text[ps->pos] == '-')
	{
		negative = true;
		ps->pos++;
	}
	if (ps->pos >= ps->len || !is_digit(ps->text[ps->pos]))
		return fail(ps, start, "expected an integer");
	limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	while (ps->pos < ps->len && is_digit(ps->text[ps->pos]))
	{
		if (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
			__builtin_add_overflow(magnitude, (uint64_t) (ps->text[ps->pos] - '0'),
								   &magnitude) ||
			magnitude > limit)
			return fail(ps, start, "integer out of range");
		ps->pos++;
	}
	if (ps->pos < ps->len && (ps->text[ps->pos] == '.' ||
							  ps->text[ps->pos] == 'e' || ps->text[ps->pos] == 'E'))
		return fail(ps, start, "expected an integer");
	if (!negative)
		*value = (int64_t) magnitude;
	else if (magnitude == (uint64_t) INT64_MAX + 1)
		*value = INT64_MIN;
	else
		*value = -(int64_t) magnitude;
	return true;
}

/*
 * A finite decimal number: '-'? digits ('.' digits)? ([eE] [+-]? digits)?.
 * No NaN, infinity or hexadecimal, which strtod alone would take.  strtod
 * gets a terminated copy, since the text is not terminated.
 */
static bool
parse_double(parser *ps, double *value)
{
	char		number[NUMBER_MAX_LENGTH + 1];
	size_t		start;
	size_t		p;

	skip_space(ps);
	start = p = ps->pos;
	if (p < ps->len && ps->text[p] == '-')
		p++;
	if (p >= ps->len || !is_digit(ps->text[p]))
		return fail(ps, start, "expected a finite number");
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
	*value = strtod(number, NULL);
	if (errno == ERANGE && isinf(*value))
		return fail(ps, start, "number out of range");
	ps->pos = p;
	return true;
}

static bool
parse_ewm(parser *ps, ls_ewm *e)
{
	int64_t		version;
	size_t		start;

	if (!expect(ps, "(") || !expect_key(ps, "version", true))
		return false;
	skip_space(ps);
	start = ps->pos;
	if (!parse_int64(ps, &version))
		return false;
	if (version != LS_EWM_FORMAT_VERSION)
		return fail(ps, start, "unsupported format version %" PRId64 " (expected %d)",
					version, LS_EWM_FORMAT_VERSION);
	if (!expect_key(ps, "n", false) || !parse_int64(ps, &e->count) ||
		!expect_key(ps, "half_life", false) || !parse_int64(ps, &e->half_life) ||
		!expect_key(ps, "anchor", false) || !parse_int64(ps, &e->anchor) ||
		!expect_key(ps, "weight", false) || !parse_double(ps, &e->weight) ||
		!expect_key(ps, "mean", false) || !parse_double(ps, &e->mean) ||
		!expect_key(ps, "m2", false) || !parse_double(ps, &e->m2) ||
		!expect(ps, ")"))
		return false;
	skip_space(ps);
	if (ps->pos < ps->len)
		return fail(ps, ps->pos, "unexpected text after the value");
	return true;
}

ls_ewm_status
ls_ewm_from_text(ls_ewm *e, const char *text, size_t length,
				 char *message, size_t message_size)
{
	parser		ps;
	ls_ewm		parsed;

	ps.text = text;
	ps.len = length;
	ps.pos = 0;
	ps.message = message;
	ps.message_size = message_size;
	memset(&parsed, 0, sizeof(parsed));
	if (!parse_ewm(&ps, &parsed))
		return LS_EWM_BAD_FORMAT;
	if (ls_ewm_validate(&parsed, LS_EWM_FORMAT_VERSION, message, message_size) != LS_EWM_OK)
		return LS_EWM_BAD_FORMAT;
	*e = parsed;
	return LS_EWM_OK;
}
