/*
 * ewm.h
 *	  Exponentially time-decayed (EWMA) weight, mean and variance that merge
 *	  in any order: weights are anchored to absolute time, so the statistics
 *	  of parts combine into those of the whole, whatever the split.
 *
 * A value x seen at time t weighs 2^((t - now) / half_life).  Scaling every
 * weight by one factor changes neither the weighted mean nor the weighted
 * variance, so a state keeps its weights relative to its newest time (the
 * anchor): every weight is <= 1, the newest weighs 1, and the mean and
 * standard deviation do not depend on "now".  Times and the half-life are
 * int64 microseconds; the anchor counts them from 2000-01-01 UTC, as
 * PostgreSQL's timestamptz does.
 *
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_EWM_H
#define LOGSCORE_EWM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The first byte of a stored logscore_ewm and of its binary form. */
#define LS_EWM_FORMAT_VERSION 1

/* PostgreSQL's -infinity and infinity timestamps; no value can have them. */
#define LS_EWM_TIME_NOBEGIN INT64_MIN
#define LS_EWM_TIME_NOEND INT64_MAX

typedef struct ls_ewm
{
	int64_t		half_life;		/* microseconds, > 0 */
	int64_t		anchor;			/* the newest time seen, microseconds */
	int64_t		count;			/* values added, >= 1 */
	double		weight;			/* sum of 2^((t_i - anchor) / half_life): 1 <= W <= count */
	double		mean;			/* weighted mean */
	double		m2;				/* sum of w_i (x_i - mean)^2 */
} ls_ewm;

typedef enum ls_ewm_status
{
	LS_EWM_OK,
	LS_EWM_BAD_VALUE,			/* NaN or infinite value */
	LS_EWM_BAD_TIME,			/* -infinity or infinity */
	LS_EWM_BAD_HALF_LIFE,		/* not positive */
	LS_EWM_HALF_LIFE_MISMATCH,	/* adding or merging across half-lives */
	LS_EWM_COUNT_OVERFLOW,		/* more than INT64_MAX values */
	LS_EWM_OUT_OF_RANGE,		/* the variance overflows double */
	LS_EWM_BAD_FORMAT			/* input that does not validate */
} ls_ewm_status;

/* --- building and reading (ewm.c) --- */

/* e becomes the state of the one value x at time t. */
extern ls_ewm_status ls_ewm_init(ls_ewm *e, double x, int64_t t, int64_t half_life);

/*
 * Adds src's values to dst.  The state with the older anchor is rescaled to
 * the newer one, then the two combine by Chan's weighted formula.  On any
 * error dst is left as it was.  Adding x at time t is merging the state
 * ls_ewm_init makes of it, as the aggregate does.
 */
extern ls_ewm_status ls_ewm_merge(ls_ewm *dst, const ls_ewm *src);

/*
 * The error a status other than LS_EWM_OK stands for (LS_EWM_OK clears
 * *err): building returns the status alone, and is worded only on failure.
 */
extern void ls_ewm_error(ls_ewm_status status, ls_error *err);

/*
 * 2^((from - to) / half_life) for from <= to: what a weight at from is
 * worth at to.  Underflows to 0 for values many half-lives old.
 */
extern double ls_ewm_decay(int64_t from, int64_t to, int64_t half_life);

/* Moves e's anchor forward to anchor (>= e->anchor), scaling W and M2. */
extern void ls_ewm_rescale(ls_ewm *e, int64_t anchor);

/* sqrt(M2 / W): the exponentially weighted population standard deviation. */
extern double ls_ewm_stddev(const ls_ewm *e);

/* (x - mean) / stddev; false (no z-score) when the stddev is 0. */
extern bool ls_ewm_zscore(const ls_ewm *e, double x, double *z);

/*
 * Checks a state read from outside: the format version, half_life > 0,
 * count >= 1, a finite anchor, 1 <= W <= count (up to rounding), a finite
 * mean, a finite M2 >= 0, and W = 1 and M2 = 0 for a single value.  A
 * failure is an LS_ERROR_BAD_INPUT in *err (which may be NULL).
 */
extern ls_ewm_status ls_ewm_validate(const ls_ewm *e, int version, ls_error *err);

/* --- text form (ewm_format.c) --- */

/*
 * (version=1,n=3,half_life=3600000000,anchor=817135200000000,weight=1.75,mean=12.5,m2=3.25)
 * Every field once, in this order; spaces may surround the punctuation.
 * Doubles are written with the fewest of 15, 16 or 17 significant digits
 * that read back to the same bits, so text round-trips exactly.
 * ls_ewm_to_text returns the length it needed, like snprintf.
 */
extern size_t ls_ewm_to_text(const ls_ewm *e, char *buffer, size_t size);
extern ls_ewm_status ls_ewm_from_text(ls_ewm *e, const char *text, size_t length,
									  ls_error *err);

#endif							/* LOGSCORE_EWM_H */
