/*
 * detector.h
 *	  An online anomaly detector for one series: each value is scored against
 *	  what the series did before it, then learned.  The score is in [0, 1] and
 *	  calibrated per series, so one threshold fits every series.
 *
 * What it keeps (fixed size, about 4 kB):
 *	- level and spread at three time scales (fast, medium, slow), exponentially
 *	  weighted, decayed by elapsed time in units of the series' own typical
 *	  step (so a gap forgets more than one row does); levels move robustly
 *	  (Huber), spreads count a squared residual up to a wide bound;
 *	- predictions: the medium level, the fast one (when its recent error is
 *	  clearly lower: an autocorrelated series), or a seasonal profile, hour
 *	  of day (24 cells) and hour of week (168) with an offset that follows the
 *	  level, each used only once enough cycles are seen and only while its
 *	  recent error is clearly below the level's;
 *	- two surprise statistics on the residual of the chosen prediction: the
 *	  point |z|, and a two-sided CUSUM against the slow level (level shifts
 *	  and slow drifts);
 *	- for each statistic a decayed histogram of its recent values: a value's
 *	  p is the share of recent values at least as large, the rarest 2% of
 *	  them modelled as an exponential tail so that p keeps falling with the
 *	  size; the score is 1 - min(1, 2 min p), its surprise -log2 counted
 *	  for less while the calibration has seen few rows;
 *	- an alarm: after a score that high, values no more surprising than it
 *	  (decayed) count for half, so an episode is reported once.
 *
 * Every spread has a floor, relative to the slow spread and level plus an
 * absolute epsilon, so no z explodes on a near-constant series.  A change the
 * CUSUM accepts moves the levels to the new one at once, so a sustained shift
 * raises the score early and is then learned instead of firing for hours.
 *
 * Times are int64 microseconds from 2000-01-01 UTC, as timestamptz; the
 * seasonal cells are hours in UTC.  Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_DETECTOR_H
#define LOGSCORE_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The first byte of a stored logscore_detector and of its binary form. */
#define LS_DETECTOR_FORMAT_VERSION 1

#define LS_DETECTOR_STATS 2		/* point, cusum */
#define LS_DETECTOR_BINS 64		/* histogram cells of log2(1 + statistic) */
#define LS_DETECTOR_BINS_PER_UNIT 4 /* cells per doubling */
#define LS_DETECTOR_HOURS 24
#define LS_DETECTOR_WEEK_HOURS 168

/* The largest value in size: its squares, and their sums, stay finite. */
#define LS_DETECTOR_VALUE_MAX 1e150

/* Indexes of the three time scales */
#define LS_DETECTOR_FAST 0
#define LS_DETECTOR_MEDIUM 1
#define LS_DETECTOR_SLOW 2

/* The predictions a residual is taken against */
#define LS_DETECTOR_PRED_LEVEL 0
#define LS_DETECTOR_PRED_DAY 1
#define LS_DETECTOR_PRED_WEEK 2
#define LS_DETECTOR_PRED_FAST 3

/*
 * The options: half-lives in rows at the series' typical step.  Kept in the
 * state, so a kept state scores as the aggregate that made it.
 */
typedef struct ls_detector_options
{
	double		fast;			/* default 4 */
	double		medium;			/* default 32 */
	double		slow;			/* default 512 */
	double		memory;			/* the calibration's half-life, default 8192 */
	double		season;			/* 1 to learn and use the seasonal profile, 0 not */
} ls_detector_options;

/*
 * The state.  Only doubles after the header, so the text and binary forms
 * and the validation walk one table of fields (detector.c).
 */
typedef struct ls_detector
{
	int64_t		count;			/* values learned, >= 1 */
	int64_t		first;			/* time of the first value */
	int64_t		last;			/* time of the newest value, >= first */
	ls_detector_options options;
	double		score;			/* the newest value's score; -1: none (NULL) */
	double		step;			/* typical time between values, us; 0: unknown */
	double		previous;		/* the newest value */
	double		jump;			/* EWM of |change| over the rows that changed */
	double		jump_weight;	/* decayed count of those rows */
	double		weight[3];		/* per scale: decayed weight of the values */
	double		level[3];		/* per scale: robust EWM level */
	double		var[3];			/* per scale: EWM variance around the level */
	double		error[4];		/* per prediction: EWM squared residual */
	double		error_weight[4];	/* per prediction: decayed weight of those */
	double		offset[2];		/* day, week: EWM of the residual from the cell */
	double		cusum[2];		/* upward, downward */
	double		alarm;			/* decayed peak surprise of the alarm, -log2 p */
	double		day_level[LS_DETECTOR_HOURS];
	double		day_weight[LS_DETECTOR_HOURS];
	double		week_level[LS_DETECTOR_WEEK_HOURS];
	double		week_weight[LS_DETECTOR_WEEK_HOURS];
	double		hist_scale;		/* the cells hold weight / hist_scale */
	double		hist_total[LS_DETECTOR_STATS];
	double		hist[LS_DETECTOR_STATS][LS_DETECTOR_BINS];
} ls_detector;

/* --- options (detector.c) --- */

extern void ls_detector_default_options(ls_detector_options *o);

/*
 * Reads 'key=value, ...' over the defaults: fast, medium, slow, memory
 * (half-lives in rows, 1 to 1e9, fast <= medium <= slow) and season (on,
 * off, true, false).  An unknown key, a bad value or a repeated key is an
 * LS_ERROR_INVALID in *err.
 */
extern bool ls_detector_parse_options(ls_detector_options *o, const char *text,
									  size_t length, ls_error *err);

/* --- scoring and learning (detector.c) --- */

/* d becomes the state of the one value x at time t; its score is 0. */
extern void ls_detector_init(ls_detector *d, const ls_detector_options *o,
							 double x, int64_t t);

/*
 * Scores x at time t against d, then learns it: d->score is the score, in
 * [0, 1].  t before d->last or x not finite is an LS_ERROR_INVALID, x beyond
 * +-LS_DETECTOR_VALUE_MAX an LS_ERROR_OUT_OF_RANGE; on error d is unchanged.
 */
extern bool ls_detector_update(ls_detector *d, double x, int64_t t, ls_error *err);

/* The score ls_detector_update would give x at t, d unchanged. */
extern bool ls_detector_score(const ls_detector *d, double x, int64_t t,
							  double *score, ls_error *err);

/*
 * Checks a state read from outside: the version, every field finite and in
 * its range, the options valid.  A failure is an LS_ERROR_BAD_INPUT.
 */
extern bool ls_detector_validate(const ls_detector *d, int version, ls_error *err);

/* --- the text and binary forms (detector_format.c) --- */

/*
 * (version=1,count=3,first=...,last=...,fast=4,...,hist=[...])
 * Every field once, in the order of the table; arrays in brackets.  Doubles
 * round-trip exactly.  Returns the length needed, like snprintf.
 */
extern size_t ls_detector_to_text(const ls_detector *d, char *buffer, size_t size);
extern bool ls_detector_from_text(ls_detector *d, const char *text, size_t length,
								  ls_error *err);

/* The binary form: the version byte, the int64s and doubles big-endian. */
extern size_t ls_detector_binary_size(void);
extern void ls_detector_encode(const ls_detector *d, unsigned char *out);
extern bool ls_detector_decode(ls_detector *d, const unsigned char *in, size_t length,
							   ls_error *err);

#endif							/* LOGSCORE_DETECTOR_H */
