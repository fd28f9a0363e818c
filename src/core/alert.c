/*
 * alert.c
 *	  The alert state machine: threshold validation and the step that takes
 *	  one row's z-score.  See alert.h for the rules.
 */
#include "alert.h"

#include <math.h>

static bool
threshold_ok(double value)
{
	return isfinite(value) && value > 0;
}

static bool
fail(ls_alert_problem *problem, ls_alert_status status,
	 ls_alert_field field, ls_alert_field other)
{
	problem->status = status;
	problem->field = field;
	problem->other = other;
	return false;
}

bool
ls_alert_check_levels(double warning, double critical, ls_alert_problem *problem)
{
	if (!threshold_ok(warning))
		return fail(problem, LS_ALERT_BAD_THRESHOLD, LS_FIELD_WARNING, LS_FIELD_WARNING);
	if (!threshold_ok(critical))
		return fail(problem, LS_ALERT_BAD_THRESHOLD, LS_FIELD_CRITICAL, LS_FIELD_CRITICAL);
	if (warning > critical)
		return fail(problem, LS_ALERT_MISORDERED, LS_FIELD_WARNING, LS_FIELD_CRITICAL);
	problem->status = LS_ALERT_VALID;
	return true;
}

bool
ls_alert_check(const ls_alert_thresholds *t, ls_alert_problem *problem)
{
	if (!ls_alert_check_levels(t->warning, t->critical, problem))
		return false;
	/* clear = 0 could never clear: |z| < 0 is never true */
	if (!threshold_ok(t->clear))
		return fail(problem, LS_ALERT_BAD_THRESHOLD, LS_FIELD_CLEAR, LS_FIELD_CLEAR);
	if (t->clear > t->warning)
		return fail(problem, LS_ALERT_MISORDERED, LS_FIELD_CLEAR, LS_FIELD_WARNING);
	if (t->enter_after < 1)
		return fail(problem, LS_ALERT_BAD_COUNT, LS_FIELD_ENTER_AFTER, LS_FIELD_ENTER_AFTER);
	if (t->exit_after < 1)
		return fail(problem, LS_ALERT_BAD_COUNT, LS_FIELD_EXIT_AFTER, LS_FIELD_EXIT_AFTER);
	problem->status = LS_ALERT_VALID;
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
