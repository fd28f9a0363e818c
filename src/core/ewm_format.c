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
#include "text_form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* --- writing --- */

size_t
ls_ewm_to_text(const ls_ewm *e, char *buffer, size_t size)
{
	char		weight[LS_TEXT_DOUBLE_SIZE];
	char		mean[LS_TEXT_DOUBLE_SIZE];
	char		m2[LS_TEXT_DOUBLE_SIZE];
	int			n;

	ls_text_format_double(weight, sizeof(weight), e->weight);
	ls_text_format_double(mean, sizeof(mean), e->mean);
	ls_text_format_double(m2, sizeof(m2), e->m2);
	n = snprintf(buffer, buffer == NULL ? 0 : size,
				 "(version=%d,n=%" PRId64 ",half_life=%" PRId64 ",anchor=%" PRId64
				 ",weight=%s,mean=%s,m2=%s)",
				 LS_EWM_FORMAT_VERSION, e->count, e->half_life, e->anchor,
				 weight, mean, m2);
	return n < 0 ? 0 : (size_t) n;
}

/* --- reading --- */

/* A finite number; leading zeros are fine here. */
static bool
parse_double(ls_text_reader *r, double *value)
{
	return ls_text_read_double(r, false, "expected a finite number", value);
}

static bool
parse_ewm(ls_text_reader *r, ls_ewm *e)
{
	if (!ls_text_expect_version(r, LS_EWM_FORMAT_VERSION))
		return false;
	if (!ls_text_expect_key(r, "n", false) || !ls_text_read_int64(r, &e->count) ||
		!ls_text_expect_key(r, "half_life", false) || !ls_text_read_int64(r, &e->half_life) ||
		!ls_text_expect_key(r, "anchor", false) || !ls_text_read_int64(r, &e->anchor) ||
		!ls_text_expect_key(r, "weight", false) || !parse_double(r, &e->weight) ||
		!ls_text_expect_key(r, "mean", false) || !parse_double(r, &e->mean) ||
		!ls_text_expect_key(r, "m2", false) || !parse_double(r, &e->m2) ||
		!ls_text_expect_end(r))
		return false;
	return true;
}

ls_ewm_status
ls_ewm_from_text(ls_ewm *e, const char *text, size_t length, ls_error *err)
{
	ls_text_reader r;
	ls_ewm		parsed;

	ls_error_clear(err);
	ls_text_reader_init(&r, text, length, err);
	memset(&parsed, 0, sizeof(parsed));
	if (!parse_ewm(&r, &parsed))
		return LS_EWM_BAD_FORMAT;
	if (ls_ewm_validate(&parsed, LS_EWM_FORMAT_VERSION, err) != LS_EWM_OK)
		return LS_EWM_BAD_FORMAT;
	*e = parsed;
	return LS_EWM_OK;
}
