/*
 * window.h
 *	  What the window scores share: their status codes, the words for them,
 *	  and the bookkeeping of a frame's last row, which is scored against the
 *	  rows before it.
 *
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_WINDOW_H
#define LOGSCORE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sketch.h"				/* ls_allocator */

typedef enum ls_window_status
{
	LS_WINDOW_OK,
	LS_WINDOW_NO_SCORE,			/* too few others, no spread, or a NULL last row */
	LS_WINDOW_BAD_VALUE,		/* NaN or infinite input */
	LS_WINDOW_OVERFLOW,			/* the score is not a finite double */
	LS_WINDOW_TOO_LARGE,		/* more rows than a buffer's size can count */
	LS_WINDOW_INCONSISTENT		/* a removal the state cannot match: a bug */
} ls_window_status;

/*
 * The error a status stands for, in aggregate's name (OK and NO_SCORE clear
 * *err); value is the row a push refused.  The statuses stay the return
 * value, as NO_SCORE and INCONSISTENT steer the caller.
 */
extern void ls_window_error(ls_window_status status, const char *aggregate,
							double value, ls_error *err);

/*
 * The frame's last row.  A new row first moves the previous last row among
 * "the others", then becomes the last row itself.
 */
typedef struct ls_window_last
{
	bool		present;		/* the frame has a last row */
	bool		isnull;
	double		value;
} ls_window_last;

#endif							/* LOGSCORE_WINDOW_H */
