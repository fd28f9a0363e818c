/*
 * error.c
 *	  Filling an ls_error (error.h): the one place the core formats the text
 *	  of an error, so every module cuts, clears and terminates it alike.
 */
#include "error.h"

#include <stdio.h>

/* vsnprintf into buffer; returns the length the whole text needed. */
static int
format_into(char *buffer, size_t size, const char *fmt, va_list ap)
		__attribute__((format(printf, 3, 0)));

static int
format_into(char *buffer, size_t size, const char *fmt, va_list ap)
{
	int			n = vsnprintf(buffer, size, fmt, ap);

	if (n < 0)
	{
		/* an encoding error in a %s: leave no half-written text */
		buffer[0] = '\0';
		n = 0;
	}
	return n;
}

void
ls_error_clear(ls_error *err)
{
	if (err == NULL)
		return;
	err->kind = LS_ERROR_NONE;
	err->offset = 0;
	err->message[0] = '\0';
	err->detail[0] = '\0';
	err->hint[0] = '\0';
}

int
ls_error_vset(ls_error *err, ls_error_kind kind, size_t offset,
			  const char *fmt, va_list ap)
{
	if (err == NULL)
		return 0;
	err->kind = kind;
	err->offset = offset;
	err->detail[0] = '\0';
	err->hint[0] = '\0';
	return format_into(err->message, sizeof(err->message), fmt, ap);
}

bool
ls_error_set(ls_error *err, ls_error_kind kind, size_t offset, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	ls_error_vset(err, kind, offset, fmt, ap);
	va_end(ap);
	return false;
}

void
ls_error_detail(ls_error *err, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	format_into(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
ls_error_hint(ls_error *err, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	format_into(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}
