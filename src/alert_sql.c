/*
 * alert_sql.c
 *	  logscore_severity and the logscore_alert_state and logscore_alert_onset
 *	  aggregates: the core's alert levels, state machine and onsets
 *	  (core/alert.c) as logscore_level values, with thresholds from the
 *	  logscore.alert_* settings or from arguments.
 *
 * The settings are checked against each other here, where they are read,
 * rather than in check hooks: a hook sees one setting at a time, so raising
 * both thresholds would fail or not depending on the order of the SETs.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "common/int.h"
#include "utils/timestamp.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_severity_setting);
PG_FUNCTION_INFO_V1(logscore_severity_explicit);
PG_FUNCTION_INFO_V1(logscore_alert_state_setting_step);
PG_FUNCTION_INFO_V1(logscore_alert_state_explicit_step);
PG_FUNCTION_INFO_V1(logscore_alert_state_final);
PG_FUNCTION_INFO_V1(logscore_alert_onset_setting_step);
PG_FUNCTION_INFO_V1(logscore_alert_onset_explicit_step);
PG_FUNCTION_INFO_V1(logscore_alert_onset_final);

/* The labels of logscore_level, in the order of ls_alert_level. */
static const char *const level_labels[LS_ALERT_NLEVELS] = {"ok", "warning", "critical"};

static void write_float8(char *buffer, size_t size, double value);

/* How the errors name the thresholds: as settings, or as arguments. */
static const ls_alert_naming setting_naming = {
	{"logscore.alert_warning", "logscore.alert_critical", "logscore.alert_clear",
	"logscore.alert_enter_after", "logscore.alert_exit_after"},
	true, write_float8
};
static const ls_alert_naming argument_naming = {
	{"warning", "critical", "clear", "enter_after", "exit_after"},
	false, write_float8
};

/* The OIDs of logscore_level's labels, kept in fn_extra. */
typedef struct LevelOids
{
	Oid			oids[LS_ALERT_NLEVELS];
} LevelOids;

/*
 * An aggregate's state: the machine, and the thresholds it steps with (read
 * from the settings once, when the state is created, or the current row's
 * arguments).
 */
typedef struct AlertState
{
	ls_alert_machine machine;
	ls_alert_thresholds thresholds;
} AlertState;

/*
 * The enum's OIDs are found from the type this function returns, which
 * works whatever schema the extension is in and whatever the search_path;
 * an aggregate's final function has a result type as well.
 */
static Datum
level_datum(FunctionCallInfo fcinfo, ls_alert_level level)
{
	LevelOids  *cache = (LevelOids *) fcinfo->flinfo->fn_extra;

	if (unlikely(cache == NULL))
	{
		Oid			type = get_fn_expr_rettype(fcinfo->flinfo);
		LevelOids	found;

		if (!OidIsValid(type))
			type = get_func_rettype(fcinfo->flinfo->fn_oid);
		for (int i = 0; i < LS_ALERT_NLEVELS; i++)
		{
			found.oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
											ObjectIdGetDatum(type),
											CStringGetDatum(level_labels[i]));
			if (!OidIsValid(found.oids[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("type %s has no label \"%s\"",
								format_type_be(type), level_labels[i]),
						 errhint("The labels of logscore_level must be ok, warning and critical.")));
		}
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(LevelOids));
		*cache = found;
		fcinfo->flinfo->fn_extra = cache;
	}
	return ObjectIdGetDatum(cache->oids[level]);
}

/* A threshold as float8 output writes it, so errors show what SHOW shows. */
static void
write_float8(char *buffer, size_t size, double value)
{
	strlcpy(buffer, float8out_internal(value), size);
}

static void
check_z(double z, const char *function)
{
	if (unlikely(isnan(z)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of NaN is undefined", function),
				 errhint("Pass NULL for a row without a score.")));
}

void
logscore_alert_settings(ls_alert_thresholds *t, bool levels_only)
{
	ls_error	err;

	logscore_check_settings(levels_only ? LS_ALERT_LEVEL_SETTINGS : LS_ALERT_STATE_SETTINGS);
	t->warning = logscore_alert_warning;
	t->critical = logscore_alert_critical;
	t->clear = logscore_alert_clear;
	t->enter_after = logscore_alert_enter_after;
	t->exit_after = logscore_alert_exit_after;
	if (unlikely(levels_only ?
				 !ls_alert_check_levels(t->warning, t->critical, &setting_naming, &err) :
				 !ls_alert_check(t, &setting_naming, &err)))
		logscore_report_error(&err);
}

/* logscore_severity(z) → logscore_level, thresholds from the settings */
Datum
logscore_severity_setting(PG_FUNCTION_ARGS)
{
	double		z = PG_GETARG_FLOAT8(0);
	ls_alert_thresholds t;

	logscore_alert_settings(&t, true);
	check_z(z, "logscore_severity");
	PG_RETURN_DATUM(level_datum(fcinfo, ls_alert_level_of(z, t.warning, t.critical)));
}

/* logscore_severity(z, warning, critical) → logscore_level */
Datum
logscore_severity_explicit(PG_FUNCTION_ARGS)
{
	double		z = PG_GETARG_FLOAT8(0);
	double		warning = PG_GETARG_FLOAT8(1);
	double		critical = PG_GETARG_FLOAT8(2);
	ls_error	err;

	if (unlikely(!ls_alert_check_levels(warning, critical, &argument_naming, &err)))
		logscore_report_error(&err);
	check_z(z, "logscore_severity");
	PG_RETURN_DATUM(level_datum(fcinfo, ls_alert_level_of(z, warning, critical)));
}

/*
 * The explicit thresholds in arguments first .. first + 4 of function,
 * checked: a NULL one is an error, as is a set that does not fit together.
 */
static void
threshold_args(FunctionCallInfo fcinfo, int first, const char *function,
			   ls_alert_thresholds *t)
{
	ls_error	err;

	for (int arg = first; arg < first + LS_ALERT_NFIELDS; arg++)
		if (PG_ARGISNULL(arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s argument %s must not be null",
							function, argument_naming.field[arg - first]),
					 errhint("A NULL z is allowed; it counts as no evidence.")));
	t->warning = PG_GETARG_FLOAT8(first);
	t->critical = PG_GETARG_FLOAT8(first + 1);
	t->clear = PG_GETARG_FLOAT8(first + 2);
	t->enter_after = PG_GETARG_INT32(first + 3);
	t->exit_after = PG_GETARG_INT32(first + 4);
	if (!ls_alert_check(t, &argument_naming, &err))
		logscore_report_error(&err);
}

/* The state in argument 0, or a new one in the aggregate's context. */
static AlertState *
alert_state_arg(FunctionCallInfo fcinfo, bool *created)
{
	MemoryContext aggcontext = logscore_aggregate_context(fcinfo, "logscore_alert_state_step");
	AlertState *state;

	*created = PG_ARGISNULL(0);
	if (!*created)
		return (AlertState *) PG_GETARG_POINTER(0);
	state = MemoryContextAlloc(aggcontext, sizeof(AlertState));
	ls_alert_start(&state->machine);
	return state;
}

/* A NULL z is no evidence: the state is kept as it is, streaks included. */
static void
step(AlertState *state, FunctionCallInfo fcinfo)
{
	double		z;

	if (PG_ARGISNULL(1))
		return;
	z = PG_GETARG_FLOAT8(1);
	check_z(z, "logscore_alert_state");
	ls_alert_step(&state->machine, &state->thresholds, z);
}

/*
 * logscore_alert_state(z): the settings are read once, when the state is
 * created, so one state never mixes two sets of thresholds.
 */
Datum
logscore_alert_state_setting_step(PG_FUNCTION_ARGS)
{
	bool		created;
	AlertState *state = alert_state_arg(fcinfo, &created);

	if (created)
		logscore_alert_settings(&state->thresholds, false);
	step(state, fcinfo);
	PG_RETURN_POINTER(state);
}

/*
 * logscore_alert_state(z, warning, critical, clear, enter_after, exit_after):
 * checked on every row (a handful of comparisons), and each row steps with
 * its own arguments.
 */
Datum
logscore_alert_state_explicit_step(PG_FUNCTION_ARGS)
{
	ls_alert_thresholds thresholds;
	bool		created;
	AlertState *state;

	threshold_args(fcinfo, 2, "logscore_alert_state", &thresholds);
	state = alert_state_arg(fcinfo, &created);
	state->thresholds = thresholds;
	step(state, fcinfo);
	PG_RETURN_POINTER(state);
}

/*
 * The state after the rows so far.  It reads the state and leaves it as it
 * is: in a running window it is called after every row, and the next row
 * steps the same state.
 */
Datum
logscore_alert_state_final(PG_FUNCTION_ARGS)
{
	AlertState *state = (AlertState *) PG_GETARG_POINTER(0);

	PG_RETURN_DATUM(level_datum(fcinfo, state->machine.state));
}

/* --- logscore_alert_onset --- */

/*
 * The onsets' state: the machine behind them, the thresholds (as for
 * logscore_alert_state), and whether the last row stepped was an onset,
 * which the final function reports.
 */
typedef struct OnsetState
{
	ls_alert_onsets onsets;
	ls_alert_thresholds thresholds;
	bool		onset;
	ls_alert_level level;
} OnsetState;

static OnsetState *
onset_state_arg(FunctionCallInfo fcinfo, bool *created)
{
	MemoryContext aggcontext = logscore_aggregate_context(fcinfo, "logscore_alert_onset_step");
	OnsetState *state;

	*created = PG_ARGISNULL(0);
	if (!*created)
		return (OnsetState *) PG_GETARG_POINTER(0);
	state = MemoryContextAllocZero(aggcontext, sizeof(OnsetState));
	ls_alert_onsets_start(&state->onsets);
	return state;
}

static void
cooldown_null(const char *argument)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("logscore_alert_onset argument %s must not be null", argument),
			 errhint("Pass 0 for no cool-down; a NULL z is allowed, it counts as no evidence.")));
}

/*
 * The cool-down in the arguments after the thresholds (or after z), from
 * argument first: none, cooldown_rows integer, or at timestamptz and
 * cooldown interval, by how many arguments are left.  An interval is a
 * fixed span, a day 24 hours, so the explicit forms stay IMMUTABLE (adding
 * an interval with days to a timestamptz depends on the time zone).
 */
static void
cooldown_args(FunctionCallInfo fcinfo, int first, ls_alert_cooldown *cooldown, int64 *at)
{
	int			left = PG_NARGS() - first;

	*at = 0;
	cooldown->kind = LS_COOLDOWN_NONE;
	cooldown->span = 0;
	if (left == 1)
	{
		int32		rows;

		if (PG_ARGISNULL(first))
			cooldown_null("cooldown_rows");
		rows = PG_GETARG_INT32(first);
		if (rows < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("logscore_alert_onset argument cooldown_rows must not be negative"),
					 errdetail("The value given is %d.", rows)));
		cooldown->kind = LS_COOLDOWN_ROWS;
		cooldown->span = rows;
	}
	else if (left == 2)
	{
		Interval   *span;
		int64		days;
		TimestampTz ts;

		if (PG_ARGISNULL(first))
			cooldown_null("at");
		if (PG_ARGISNULL(first + 1))
			cooldown_null("cooldown");
		ts = PG_GETARG_TIMESTAMPTZ(first);
		span = PG_GETARG_INTERVAL_P(first + 1);
		if (TIMESTAMP_NOT_FINITE(ts))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("logscore_alert_onset argument at must be finite")));
		if (span->month != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("logscore_alert_onset cool-down must not contain months or years"),
					 errdetail("The cool-down given is %s; a month has no fixed length.",
							   DatumGetCString(DirectFunctionCall1(interval_out,
																   IntervalPGetDatum(span)))),
					 errhint("Give the cool-down in days, hours, minutes or seconds; a day counts as 24 hours.")));
		if (pg_mul_s64_overflow((int64) span->day, USECS_PER_DAY, &days) ||
			pg_add_s64_overflow(days, span->time, &cooldown->span) || cooldown->span < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("logscore_alert_onset cool-down must be between 0 and about 292,000 years"),
					 errdetail("The cool-down given is %s.",
							   DatumGetCString(DirectFunctionCall1(interval_out,
																   IntervalPGetDatum(span))))));
		cooldown->kind = LS_COOLDOWN_TIME;
		*at = ts;
	}
}

/* Steps the onsets with the row's z and cool-down, from argument first on. */
static void
onset_step(OnsetState *state, FunctionCallInfo fcinfo, int cooldown_first)
{
	ls_alert_cooldown cooldown;
	int64		at;
	double		z;

	cooldown_args(fcinfo, cooldown_first, &cooldown, &at);
	if (!PG_ARGISNULL(1))
	{
		z = PG_GETARG_FLOAT8(1);
		check_z(z, "logscore_alert_onset");
	}
	state->onset = ls_alert_onset_step(&state->onsets, &state->thresholds,
									   PG_ARGISNULL(1) ? NULL : &z, &cooldown, at,
									   &state->level);
}

/*
 * logscore_alert_onset(z [, cooldown_rows | , at, cooldown]): the settings
 * are read once, when the state is created, as for logscore_alert_state.
 */
Datum
logscore_alert_onset_setting_step(PG_FUNCTION_ARGS)
{
	bool		created;
	OnsetState *state = onset_state_arg(fcinfo, &created);

	if (created)
		logscore_alert_settings(&state->thresholds, false);
	onset_step(state, fcinfo, 2);
	PG_RETURN_POINTER(state);
}

/*
 * logscore_alert_onset(z, warning, critical, clear, enter_after, exit_after
 * [, cooldown_rows | , at, cooldown]): each row's own thresholds.
 */
Datum
logscore_alert_onset_explicit_step(PG_FUNCTION_ARGS)
{
	ls_alert_thresholds thresholds;
	bool		created;
	OnsetState *state;

	threshold_args(fcinfo, 2, "logscore_alert_onset", &thresholds);
	state = onset_state_arg(fcinfo, &created);
	state->thresholds = thresholds;
	onset_step(state, fcinfo, 2 + LS_ALERT_NFIELDS);
	PG_RETURN_POINTER(state);
}

/*
 * The level the state rose to on the last row, or NULL when it did not
 * rise there (or a cool-down held the rise back).  Reads the state only.
 */
Datum
logscore_alert_onset_final(PG_FUNCTION_ARGS)
{
	OnsetState *state = (OnsetState *) PG_GETARG_POINTER(0);

	if (!state->onset)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(level_datum(fcinfo, state->level));
}
