/*
 * alert.c
 *	  The alert state machine: threshold validation and the step that takes
 *	  one row's z-score.  See alert.h for the rules.
 */
#include "alert.h"
#include "text_form.h"

#include <math.h>

static bool
threshold_ok(double value)
{
	return isfinite(value) && value > 0;
}

/* A threshold's value as naming writes it. */
static void
write_value(const ls_alert_naming *naming, char *buffer, size_t size, double value)
{
	if (naming->write_value != NULL)
		naming->write_value(buffer, size, value);
	else
		ls_text_format_double(buffer, size, value);
}

/* "NaN", "infinite" or "<= 0": the threshold field is not one. */
static bool
bad_threshold(const ls_alert_naming *naming, ls_error *err, ls_alert_field field,
			  double value)
{
	char		written[LS_TEXT_DOUBLE_SIZE];

	write_value(naming, written, sizeof(written), value);
	ls_error_set(err, LS_ERROR_INVALID, 0, "alert threshold %s must be a finite number above 0",
				 naming->field[field]);
	ls_error_detail(err, "The value given is %s.", written);
	return false;
}

/* The threshold field lies above the threshold other. */
static bool
misordered(const ls_alert_naming *naming, ls_error *err,
		   ls_alert_field field, double value, ls_alert_field other, double other_value)
{
	char		written[LS_TEXT_DOUBLE_SIZE];
	char		other_written[LS_TEXT_DOUBLE_SIZE];

	write_value(naming, written, sizeof(written), value);
	write_value(naming, other_written, sizeof(other_written), other_value);
	ls_error_set(err, LS_ERROR_INVALID, 0, "%s%s (%s) must not be above %s (%s)",
				 naming->settings ? "" : "alert threshold ",
				 naming->field[field], written, naming->field[other], other_written);
	if (naming->settings)
		ls_error_hint(err, "Set the alert settings so that %s <= %s <= %s.",
					  naming->field[LS_FIELD_CLEAR], naming->field[LS_FIELD_WARNING],
					  naming->field[LS_FIELD_CRITICAL]);
	else
		ls_error_hint(err, "Pass thresholds such that 0 < %s <= %s <= %s.",
					  naming->field[LS_FIELD_CLEAR], naming->field[LS_FIELD_WARNING],
					  naming->field[LS_FIELD_CRITICAL]);
	return false;
}

/* The count field is below 1. */
static bool
bad_count(const ls_alert_naming *naming, ls_error *err, ls_alert_field field, int32_t value)
{
	ls_error_set(err, LS_ERROR_INVALID, 0, "%s must be at least 1", naming->field[field]);
	ls_error_detail(err, "The value given is %d.", (int) value);
	return false;
}

bool
ls_alert_check_levels(double warning, double critical, const ls_alert_naming *naming,
					  ls_error *err)
{
	if (!threshold_ok(warning))
		return bad_threshold(naming, err, LS_FIELD_WARNING, warning);
	if (!threshold_ok(critical))
		return bad_threshold(naming, err, LS_FIELD_CRITICAL, critical);
	if (warning > critical)
		return misordered(naming, err, LS_FIELD_WARNING, warning, LS_FIELD_CRITICAL, critical);
	ls_error_clear(err);
	return true;
}

bool
ls_alert_check(const ls_alert_thresholds *t, const ls_alert_naming *naming, ls_error *err)
{
	if (!ls_alert_check_levels(t->warning, t->critical, naming, err))
		return false;
	/* clear = 0 could never clear: |z| < 0 is never true */
	if (!threshold_ok(t->clear))
		return bad_threshold(naming, err, LS_FIELD_CLEAR, t->clear);
	if (t->clear > t->warning)
		return misordered(naming, err, LS_FIELD_CLEAR, t->clear, LS_FIELD_WARNING, t->warning);
	if (t->enter_after < 1)
		return bad_count(naming, err, LS_FIELD_ENTER_AFTER, t->enter_after);
	if (t->exit_after < 1)
		return bad_count(naming, err, LS_FIELD_EXIT_AFTER, t->exit_after);
	ls_error_clear(err);
	return true;
}

void
ls_alert_start(ls_alert_machine *m)
{
	m->state = LS_LEVEL_OK;
	m->rise_min = LS_LEVEL_OK;
	m->rise_count = 0;
	m->clear_count = 0;
}

static void
enter(ls_alert_machine *m, ls_alert_level state)
{
	m->state = state;
	m->rise_count = 0;
	m->clear_count = 0;
}

/*
 * A row above the state cannot also be below clear (clear <= warning), so a
 * row feeds at most one streak and breaks the other.  The streak counters
 * stay below their thresholds (reaching one changes the state and resets
 * both), so they cannot overflow.
 */
ls_alert_level
ls_alert_step(ls_alert_machine *m, const ls_alert_thresholds *t, double z)
{
	ls_alert_level level = ls_alert_level_of(z, t->warning, t->critical);

	if (level > m->state)
	{
		if (m->rise_count == 0 || level < m->rise_min)
			m->rise_min = level;
		m->rise_count++;
		m->clear_count = 0;
		if (m->rise_count >= t->enter_after)
			enter(m, m->rise_min);
		return m->state;
	}

	m->rise_count = 0;
	if (m->state == LS_LEVEL_OK)
		return m->state;
	if (fabs(z) < t->clear)
	{
		m->clear_count++;
		if (m->clear_count >= t->exit_after)
			enter(m, LS_LEVEL_OK);
	}
	else
		m->clear_count = 0;
	return m->state;
}

void
ls_alert_onsets_start(ls_alert_onsets *o)
{
	ls_alert_start(&o->machine);
	o->rows = 0;
	o->reported = false;
	o->reported_level = LS_LEVEL_OK;
	o->reported_row = 0;
	o->reported_at = 0;
}

/* Whether the cool-down of the last onset reported still runs at this row. */
static bool
cooling_down(const ls_alert_onsets *o, const ls_alert_cooldown *cooldown, int64_t at)
{
	switch (cooldown->kind)
	{
		case LS_COOLDOWN_NONE:
			return false;
		case LS_COOLDOWN_ROWS:
			return o->rows - o->reported_row <= cooldown->span;
		case LS_COOLDOWN_TIME:
			/*
			 * at earlier than the onset (rows out of order) is within it;
			 * the difference is taken unsigned, as two timestamps' may
			 * exceed int64's range
			 */
			return at < o->reported_at ||
				(uint64_t) at - (uint64_t) o->reported_at < (uint64_t) cooldown->span;
	}
	return false;
}

bool
ls_alert_onset_step(ls_alert_onsets *o, const ls_alert_thresholds *t, const double *z,
					const ls_alert_cooldown *cooldown, int64_t at, ls_alert_level *level)
{
	ls_alert_level before = o->machine.state;
	ls_alert_level after;

	o->rows++;
	if (z == NULL)
		return false;
	after = ls_alert_step(&o->machine, t, *z);
	if (after <= before)
		return false;
	/* an escalation above the last onset is news even while cooling down */
	if (o->reported && after <= o->reported_level && cooling_down(o, cooldown, at))
		return false;
	o->reported = true;
	o->reported_level = after;
	o->reported_row = o->rows;
	o->reported_at = at;
	*level = after;
	return true;
}
