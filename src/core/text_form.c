/*
 * text_form.c
 *	  The strict text reader and the exact double writer that the sketch's,
 *	  the ewm's and the detector's text forms share (text_form.h says what
 *	  each piece does).
 */
#include "text_form.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writing --- */

void
ls_text_format_double(char *digits, size_t size, double d)
{
	for (int precision = 15; precision <= 17; precision++)
	{
		snprintf(digits, size, "%.*g", precision, d);
		if (strtod(digits, NULL) == d)
			break;
	}
}

/* --- reading --- */

void
ls_text_reader_init(ls_text_reader *r, const char *text, size_t length, ls_error *err)
{
	r->text = text;
	r->len = length;
	r->pos = 0;
	r->err = err;
}

bool
ls_text_fail(ls_text_reader *r, size_t offset, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (r->err == NULL)
		return false;
	va_start(ap, fmt);
	n = ls_error_vset(r->err, LS_ERROR_BAD_INPUT, offset, fmt, ap);
	va_end(ap);
	/* the position goes into the message only when it fits whole */
	if ((size_t) n < sizeof(r->err->message))
		snprintf(r->err->message + n, sizeof(r->err->message) - (size_t) n,
				 " at offset %zu", offset);
	return false;
}

void
ls_text_skip_space(ls_text_reader *r)
{
	while (r->pos < r->len &&
		   (r->text[r->pos] == ' ' || r->text[r->pos] == '\t' ||
			r->text[r->pos] == '\n' || r->text[r->pos] == '\r'))
		r->pos++;
}

bool
ls_text_accept(ls_text_reader *r, const char *word)
{
	size_t		n = strlen(word);

	ls_text_skip_space(r);
	if (r->len - r->pos < n || memcmp(r->text + r->pos, word, n) != 0)
		return false;
	r->pos += n;
	return true;
}

bool
ls_text_read_digits(ls_text_reader *r, size_t start, uint64_t limit, uint64_t *value)
{
	uint64_t	v = 0;

	while (r->pos < r->len && ls_text_is_digit(r->text[r->pos]))
	{
		if (__builtin_mul_overflow(v, 10, &v) ||
			__builtin_add_overflow(v, (uint64_t) (r->text[r->pos] - '0'), &v) ||
			v > limit)
			return ls_text_fail(r, start, "integer out of range");
		r->pos++;
	}
	if (r->pos < r->len && (r->text[r->pos] == '.' ||
							r->text[r->pos] == 'e' || r->text[r->pos] == 'E'))
		return ls_text_fail(r, start, "expected an integer");
	*value = v;
	return true;
}

bool
ls_text_read_double(ls_text_reader *r, bool json, const char *expected, double *value)
{
	char		number[LS_TEXT_NUMBER_MAX_LENGTH + 1];
	const char *text = r->text;
	size_t		start;
	size_t		p;

	ls_text_skip_space(r);
	start = p = r->pos;
	if (p < r->len && text[p] == '-')
		p++;
	if (p >= r->len || !ls_text_is_digit(text[p]))
		return ls_text_fail(r, start, "%s", expected);
	if (json && text[p] == '0')
		p++;
	else
		while (p < r->len && ls_text_is_digit(text[p]))
			p++;
	if (p < r->len && text[p] == '.')
	{
		p++;
		if (p >= r->len || !ls_text_is_digit(text[p]))
			return ls_text_fail(r, start, "expected digits after \".\"");
		while (p < r->len && ls_text_is_digit(text[p]))
			p++;
	}
	if (p < r->len && (text[p] == 'e' || text[p] == 'E'))
	{
		p++;
		if (p < r->len && (text[p] == '+' || text[p] == '-'))
			p++;
		if (p >= r->len || !ls_text_is_digit(text[p]))
			return ls_text_fail(r, start, "expected digits in the exponent");
		while (p < r->len && ls_text_is_digit(text[p]))
			p++;
	}
	if (p - start > LS_TEXT_NUMBER_MAX_LENGTH)
		return ls_text_fail(r, start, "number longer than %d characters",
							LS_TEXT_NUMBER_MAX_LENGTH);

	/* strtod gets a terminated copy, since the text is not terminated */
	memcpy(number, text + start, p - start);
	number[p - start] = '\0';
	errno = 0;
	*value = strtod(number, NULL);
	if (errno == ERANGE && isinf(*value))
		return ls_text_fail(r, start, "number out of range");
	r->pos = p;
	return true;
}

/* --- the key=value forms --- */

bool
ls_text_expect(ls_text_reader *r, const char *token)
{
	if (ls_text_accept(r, token))
		return true;
	return ls_text_fail(r, r->pos, "expected \"%s\"", token);
}

bool
ls_text_expect_key(ls_text_reader *r, const char *key, bool first)
{
	size_t		start;

	if (!first && !ls_text_expect(r, ","))
		return false;
	ls_text_skip_space(r);
	start = r->pos;
	if (!ls_text_accept(r, key) || !ls_text_accept(r, "="))
		return ls_text_fail(r, start, "expected field \"%s\"", key);
	return true;
}

bool
ls_text_read_int64(ls_text_reader *r, int64_t *value)
{
	size_t		start;
	bool		negative = false;
	uint64_t	magnitude;

	ls_text_skip_space(r);
	start = r->pos;
	if (r->pos < r->len && r->text[r->pos] == '-')
	{
		negative = true;
		r->pos++;
	}
	if (r->pos >= r->len || !ls_text_is_digit(r->text[r->pos]))
		return ls_text_fail(r, start, "expected an integer");
	if (!ls_text_read_digits(r, start,
							 negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX,
							 &magnitude))
		return false;
	if (!negative)
		*value = (int64_t) magnitude;
	else if (magnitude == (uint64_t) INT64_MAX + 1)
		*value = INT64_MIN;
	else
		*value = -(int64_t) magnitude;
	return true;
}

bool
ls_text_expect_version(ls_text_reader *r, int expected)
{
	int64_t		version;
	size_t		start;

	if (!ls_text_expect(r, "(") || !ls_text_expect_key(r, "version", true))
		return false;
	ls_text_skip_space(r);
	start = r->pos;
	if (!ls_text_read_int64(r, &version))
		return false;
	if (version != expected)
		return ls_text_fail(r, start, "unsupported format version %lld (expected %d)",
							(long long) version, expected);
	return true;
}

bool
ls_text_expect_end(ls_text_reader *r)
{
	if (!ls_text_expect(r, ")"))
		return false;
	ls_text_skip_space(r);
	if (r->pos < r->len)
		return ls_text_fail(r, r->pos, "unexpected text after the value");
	return true;
}
