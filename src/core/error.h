/*
 * error.h
 *	  How the core reports a failure: one ls_error holding the kind of
 *	  failure (which the SQL glue maps to a SQLSTATE), the message, an
 *	  optional detail and hint, and where in an input it was found.
 *
 * Pure C99: no PostgreSQL header.  The SQL glue raises an ls_error in one
 * place (report.c); the core and its tests only fill and read it.
 */
#ifndef LOGSCORE_ERROR_H
#define LOGSCORE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Room for a message, with its terminator; a longer one is cut. */
#define LS_MESSAGE_SIZE 160

/* Room for a detail or a hint, with its terminator. */
#define LS_ERROR_TEXT_SIZE 256

typedef enum ls_error_kind
{
	LS_ERROR_NONE = 0,
	LS_ERROR_INVALID,			/* a bad argument, setting or pipeline (22023) */
	LS_ERROR_LIMIT,				/* more than logscore can hold (54000) */
	LS_ERROR_OUT_OF_RANGE,		/* a result out of its type's range (22003) */
	LS_ERROR_BAD_INPUT,			/* a text or binary form that does not
								 * validate; the glue knows where it came
								 * from, so it picks the SQLSTATE */
	LS_ERROR_INTERNAL			/* a state that cannot happen: a bug */
} ls_error_kind;

typedef struct ls_error
{
	ls_error_kind kind;
	size_t		offset;			/* byte offset into the input (a text, or
								 * encoded bytes), 0-based; 0 for an error
								 * without a position */
	char		message[LS_MESSAGE_SIZE];
	char		detail[LS_ERROR_TEXT_SIZE]; /* "" when there is none */
	char		hint[LS_ERROR_TEXT_SIZE];	/* "" when there is none */
} ls_error;

/* No error: kind LS_ERROR_NONE, offset 0, empty texts.  err may be NULL. */
extern void ls_error_clear(ls_error *err);

/*
 * The one way the core words an error: sets the kind, the offset and the
 * message (printf-style; cut to fit), and clears the detail and the hint.
 * err may be NULL, for a caller that wants only the outcome.  Returns
 * false, so that a failing check can end in "return ls_error_set(...)".
 */
extern bool ls_error_set(ls_error *err, ls_error_kind kind, size_t offset,
						 const char *fmt,...) __attribute__((format(printf, 4, 5)));

/*
 * ls_error_set with a va_list.  Returns the length the whole message needed,
 * like vsnprintf, so a caller can tell whether it was cut.
 */
extern int	ls_error_vset(ls_error *err, ls_error_kind kind, size_t offset,
						  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Sets the detail, or the hint, of an error already set; err may be NULL. */
extern void ls_error_detail(ls_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void ls_error_hint(ls_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));

#endif							/* LOGSCORE_ERROR_H */
