/*
 * text_form.h
 *	  What the readable text forms of logscore_sketch (sketch_text.c) and
 *	  logscore_ewm (ewm_format.c) share: a strict reader over a text that is
 *	  not terminated, whose every error reads "<what> at offset N", and the
 *	  exact writer of a double.
 *
 * Each form keeps its own grammar (tokens, keys, which numbers); only the
 * pieces that must behave alike in both live here.  Numbers are C-locale.
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_TEXT_FORM_H
#define LOGSCORE_TEXT_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * The longest number ls_text_read_double takes: longer than any that
 * ls_text_format_double writes ("-2.2250738585072014e-308").
 */
#define LS_TEXT_NUMBER_MAX_LENGTH 40

/* Room for any number ls_text_format_double writes, with its terminator. */
#define LS_TEXT_DOUBLE_SIZE 32

typedef struct ls_text_reader
{
	const char *text;
	size_t		len;
	size_t		pos;			/* the next byte to read */
	ls_error   *err;			/* the error, when one is wanted (may be NULL) */
} ls_text_reader;

static inline bool
ls_text_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* --- writing --- */

/*
 * The shortest of 15, 16 or 17 significant digits ("%.*g") that reads back
 * exactly into d.  size should be LS_TEXT_DOUBLE_SIZE.
 */
extern void ls_text_format_double(char *digits, size_t size, double d);

/* --- reading --- */

/* r reads text[0..length) from 0; its errors go to err. */
extern void ls_text_reader_init(ls_text_reader *r, const char *text, size_t length,
								ls_error *err);

/*
 * Sets the error, of kind LS_ERROR_BAD_INPUT at offset, with the message
 * "<what> at offset N"; returns false.
 */
extern bool ls_text_fail(ls_text_reader *r, size_t offset, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Moves past spaces, tabs, newlines and carriage returns. */
extern void ls_text_skip_space(ls_text_reader *r);

/* After spaces: whether the text goes on with word; consumes it if so. */
extern bool ls_text_accept(ls_text_reader *r, const char *word);

/* ls_text_accept for one character, inline: a bucket list has one per count. */
static inline bool
ls_text_accept_char(ls_text_reader *r, char c)
{
	ls_text_skip_space(r);
	if (r->pos < r->len && r->text[r->pos] == c)
	{
		r->pos++;
		return true;
	}
	return false;
}

/*
 * The decimal digits at the position (at least one, which the caller has
 * seen) as an unsigned value of at most limit.  Errors, reported at start
 * (where the caller's number began): "integer out of range" above limit,
 * "expected an integer" when a '.', 'e' or 'E' follows the digits.
 */
extern bool ls_text_read_digits(ls_text_reader *r, size_t start, uint64_t limit,
								uint64_t *value);

/*
 * After spaces, a finite decimal number: '-'? digits ('.' digits)?
 * ([eE] [+-]? digits)?, at most LS_TEXT_NUMBER_MAX_LENGTH characters and
 * within double's range.  No NaN, infinity or hexadecimal, which strtod
 * alone would take.  With json, the integer digits are a lone 0 or start
 * with 1-9 (after a leading 0 the number ends).  Without a digit after the
 * sign the error is "<expected> at offset N".
 */
extern bool ls_text_read_double(ls_text_reader *r, bool json, const char *expected,
								double *value);

/*
 * The readers of the key=value forms (logscore_ewm's, logscore_detector's):
 * ls_text_expect fails with "expected "<token>"" unless the text goes on
 * with token; ls_text_expect_key reads [','] key '=' for this key, whole,
 * failing with "expected field "<key>""; ls_text_read_int64 reads an
 * optional '-' and decimal digits within int64.
 */
extern bool ls_text_expect(ls_text_reader *r, const char *token);
extern bool ls_text_expect_key(ls_text_reader *r, const char *key, bool first);
extern bool ls_text_read_int64(ls_text_reader *r, int64_t *value);

/*
 * "(version=N": fails with "unsupported format version N (expected V)" at N
 * for another version.  ls_text_expect_end: ")" and nothing but spaces after
 * it ("unexpected text after the value").
 */
extern bool ls_text_expect_version(ls_text_reader *r, int expected);
extern bool ls_text_expect_end(ls_text_reader *r);

#endif							/* LOGSCORE_TEXT_FORM_H */
