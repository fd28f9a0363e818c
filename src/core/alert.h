/*
 * alert.h
 *	  Alert levels of a z-score and the alert state machine with hysteresis:
 *	  a state rises after enter_after consecutive rows above it and returns
 *	  to ok after exit_after consecutive rows below the clear threshold.
 *
 * Pure C99: no PostgreSQL header.  Callers validate the thresholds with
 * ls_alert_check (or ls_alert_check_levels) before using them, and never
 * pass NaN: a NULL z is simply not stepped.
 */
#ifndef LOGSCORE_ALERT_H
#define LOGSCORE_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Ordered as the SQL enum logscore_level is: ok < warning < critical. */
typedef enum ls_alert_level
{
	LS_LEVEL_OK = 0,
	LS_LEVEL_WARNING = 1,
	LS_LEVEL_CRITICAL = 2
} ls_alert_level;

#define LS_ALERT_NLEVELS 3

typedef struct ls_alert_thresholds
{
	double		warning;		/* |z| >= warning is at least warning */
	double		critical;		/* |z| >= critical is critical */
	double		clear;			/* |z| < clear counts towards ok */
	int32_t		enter_after;	/* rows above the state before it rises */
	int32_t		exit_after;		/* rows below clear before it clears */
} ls_alert_thresholds;

/* The fields of ls_alert_thresholds, in order, to name them by. */
typedef enum ls_alert_field
{
	LS_FIELD_WARNING,
	LS_FIELD_CRITICAL,
	LS_FIELD_CLEAR,
	LS_FIELD_ENTER_AFTER,
	LS_FIELD_EXIT_AFTER
} ls_alert_field;

#define LS_ALERT_NFIELDS 5

/*
 * How a caller's errors speak of the thresholds: the name of each field
 * (a setting's or an argument's), whether they are settings (the words
 * differ), and how a threshold's value is written, so that it reads as the
 * caller's users see numbers (NULL: the shortest exact digits).
 */
typedef struct ls_alert_naming
{
	const char *field[LS_ALERT_NFIELDS];	/* indexed by ls_alert_field */
	bool		settings;
	void		(*write_value) (char *buffer, size_t size, double value);
} ls_alert_naming;

/*
 * Where the machine is: the state, and the two streaks that may change it.
 * rise_count rows in a row had a level above state, the lowest of them
 * rise_min; clear_count rows in a row had |z| < clear while state was not ok.
 */
typedef struct ls_alert_machine
{
	ls_alert_level state;
	ls_alert_level rise_min;
	int32_t		rise_count;
	int32_t		clear_count;
} ls_alert_machine;

/*
 * 0 < warning <= critical, both finite; when not, returns false with an
 * LS_ERROR_INVALID in *err, worded by naming.
 */
extern bool ls_alert_check_levels(double warning, double critical,
								  const ls_alert_naming *naming, ls_error *err);

/* All of it: 0 < clear <= warning <= critical, finite; counts >= 1. */
extern bool ls_alert_check(const ls_alert_thresholds *t, const ls_alert_naming *naming,
						   ls_error *err);

/* The level of z by |z|; z must not be NaN (+-infinity is critical). */
static inline ls_alert_level
ls_alert_level_of(double z, double warning, double critical)
{
	double		magnitude = z < 0 ? -z : z;

	if (magnitude >= critical)
		return LS_LEVEL_CRITICAL;
	if (magnitude >= warning)
		return LS_LEVEL_WARNING;
	return LS_LEVEL_OK;
}

/* The machine before any row: state ok, no streak. */
extern void ls_alert_start(ls_alert_machine *m);

/* Takes one row's z (not NaN) into account; returns the new state. */
extern ls_alert_level ls_alert_step(ls_alert_machine *m, const ls_alert_thresholds *t,
									double z);

/*
 * Onsets: the rows where the state rises (ok -> warning, ok -> critical,
 * warning -> critical), the rows that carry the news; a state that stays
 * critical is one detection, not one per row.  A cool-down, counted in rows
 * or in time from the last onset reported, holds back a rise that is not
 * above that onset's level: a flapping service pages once, but warning ->
 * critical during a warning's cool-down still does.
 */
typedef enum ls_alert_cooldown_kind
{
	LS_COOLDOWN_NONE,
	LS_COOLDOWN_ROWS,			/* the span rows after an onset hold back */
	LS_COOLDOWN_TIME			/* at < onset's at + span holds back */
} ls_alert_cooldown_kind;

typedef struct ls_alert_cooldown
{
	ls_alert_cooldown_kind kind;
	int64_t		span;			/* rows, or time units (microseconds in SQL); >= 0 */
} ls_alert_cooldown;

typedef struct ls_alert_onsets
{
	ls_alert_machine machine;
	int64_t		rows;			/* rows stepped, NULL z included */
	bool		reported;		/* an onset has been reported */
	ls_alert_level reported_level;
	int64_t		reported_row;
	int64_t		reported_at;
} ls_alert_onsets;

extern void ls_alert_onsets_start(ls_alert_onsets *o);

/*
 * Takes one row (z NULL: no evidence, but a row for a cool-down in rows) at
 * time at (read only for a cool-down in time; rows must come in time
 * order).  Returns true, with the new state in *level, when the state rose
 * on this row and no cool-down holds the rise back.
 */
extern bool ls_alert_onset_step(ls_alert_onsets *o, const ls_alert_thresholds *t,
								 const double *z, const ls_alert_cooldown *cooldown,
								 int64_t at, ls_alert_level *level);

#endif							/* LOGSCORE_ALERT_H */
