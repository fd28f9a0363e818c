/*
 * alert_sql.c
 *	  logscore_severity and the logscore_alert_state aggregate: the core's
 *	  alert levels and state machine (core/alert.c) as logscore_level values,
 *	  with thresholds from the logscore.alert_* settings or from arguments.
 *
 * The settings are checked against each other here, where they are read,
 * rather than in check hooks: a hook sees one setting at a time, so raising
 * both thresholds would fail or not depending on the order of the SETs.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_enum.h"
#include "fmgr.h"
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
	ls_error	err;
	bool		created;
	AlertState *state;

	for (int arg = 2; arg <= 6; arg++)
		if (PG_ARGISNULL(arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("logscore_alert_state argument %s must not be null",
							argument_naming.field[arg - 2]),
					 errhint("A NULL z is allowed; it counts as no evidence.")));
	thresholds.warning = PG_GETARG_FLOAT8(2);
	thresholds.critical = PG_GETARG_FLOAT8(3);
	thresholds.clear = PG_GETARG_FLOAT8(4);
	thresholds.enter_after = PG_GETARG_INT32(5);
	thresholds.exit_after = PG_GETARG_INT32(6);
	if (!ls_alert_check(&thresholds, &argument_naming, &err))
		logscore_report_error(&err);

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
