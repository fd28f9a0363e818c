/*
 * settings.c
 *	  The logscore.* settings.  logscore.pipeline is parsed and compiled in
 *	  its check hook, so a bad value fails where it is set and the per-row
 *	  path only reads the compiled form the assign hook installed.  The
 *	  alert thresholds are checked one by one here (their bounds) and against
 *	  each other where they are used (see alert_sql.c).  Values set before the
 *	  library loaded that PostgreSQL rejects at load are refused where they
 *	  are read.
 */
#include "postgres.h"

#include <float.h>
#include <limits.h>
#include <stdlib.h>

#include "executor/executor.h"
#include "utils/guc.h"
#if PG_VERSION_NUM >= 160000
#include "utils/guc_tables.h"
#endif

#include "logscore.h"

int			logscore_on_overflow = LS_OVERFLOW_ERROR;

double		logscore_alert_warning = LS_DEFAULT_ALERT_WARNING;
double		logscore_alert_critical = LS_DEFAULT_ALERT_CRITICAL;
double		logscore_alert_clear = LS_DEFAULT_ALERT_CLEAR;
int			logscore_alert_enter_after = LS_DEFAULT_ALERT_ENTER_AFTER;
int			logscore_alert_exit_after = LS_DEFAULT_ALERT_EXIT_AFTER;

/*
 * The smallest threshold a setting takes.  Below it a z-score threshold
 * means nothing, and a bound above 0 keeps 0 (which could never clear) out.
 */
#define MIN_ALERT_THRESHOLD 0.001

static char *pipeline_text = NULL;

/*
 * Read on the per-row path.  Not static: PostgreSQL's JIT inlines only
 * functions whose file-local variables are constant, and it may inline
 * logscore(bigint) when these are visible to the whole process.
 */
const ls_pipeline *logscore_pipeline_compiled = NULL;
uint32		logscore_settings_rejected = 0;

/* Indexed by LogscoreSetting. */
static const char *const setting_names[LS_NSETTINGS] = {
	"logscore.pipeline", "logscore.on_overflow",
	"logscore.alert_warning", "logscore.alert_critical", "logscore.alert_clear",
	"logscore.alert_enter_after", "logscore.alert_exit_after"
};

/*
 * A value set before the library was loaded in this process (by SET, by
 * ALTER ROLE / DATABASE ... SET, or in postgresql.conf) could not be checked
 * then.  PostgreSQL rejects a bad one at load with only a WARNING and keeps
 * the default; using the default instead of the value the user chose would
 * be a silent wrong answer, so the functions that read the setting refuse to
 * run until it is given a value again (any assignment after the load).
 *
 * logscore.pipeline's check hook sees its rejected values.  The other
 * settings' hooks would not: PostgreSQL calls no check hook for a value it
 * cannot parse or that is out of range.  So the values their placeholders
 * held (the current one, and the reset one that ALTER ROLE / DATABASE or the
 * file gave) are copied before they are defined and put to PostgreSQL's own
 * test afterwards.
 */
typedef struct RejectedValue
{
	char	   *value;			/* malloc'd */
	char		message[LS_MESSAGE_SIZE];	/* why, when known ("" if not) */
} RejectedValue;

static bool loading = false;
static RejectedValue rejected[LS_NSETTINGS];

static ExecutorRun_hook_type previous_executor_run = NULL;

/*
 * PostgreSQL 18 dropped ExecutorRun's execute_once (the executor now tracks
 * whether a plan ran before itself); the hook passes it on where it exists.
 */
#if PG_VERSION_NUM >= 180000
#define EXECUTE_ONCE_PARAM
#define EXECUTE_ONCE_ARG
#else
#define EXECUTE_ONCE_PARAM , bool execute_once
#define EXECUTE_ONCE_ARG , execute_once
#endif

static void
run_executor(QueryDesc *queryDesc, ScanDirection direction,
			 uint64 count EXECUTE_ONCE_PARAM)
{
	if (previous_executor_run)
		previous_executor_run(queryDesc, direction, count EXECUTE_ONCE_ARG);
	else
		standard_ExecutorRun(queryDesc, direction, count EXECUTE_ONCE_ARG);
}

static void
reject(LogscoreSetting setting, const char *value, const char *message)
{
	free(rejected[setting].value);
	rejected[setting].value = strdup(value);
	strlcpy(rejected[setting].message, message ? message : "",
			sizeof(rejected[setting].message));
	logscore_settings_rejected |= LS_SETTING_BIT(setting);
}

/* A value assigned after the load ends the refusal. */
static void
accept(LogscoreSetting setting)
{
	if (loading)
		return;
	free(rejected[setting].value);
	rejected[setting].value = NULL;
	logscore_settings_rejected &= ~LS_SETTING_BIT(setting);
	logscore_setting_forms_changed();
}

/* What a placeholder held before its setting was defined, copied. */
typedef struct EarlyValues
{
	char	   *current;
	char	   *reset;
} EarlyValues;

static char *
copy_value(const char *value)
{
	return value ? strdup(value) : NULL;
}

static void
take_early_values(LogscoreSetting setting, EarlyValues *early)
{
	const char *name = setting_names[setting];

	early->current = early->reset = NULL;
	if ((GetConfigOptionFlags(name, true) & GUC_CUSTOM_PLACEHOLDER) == 0)
		return;
#if PG_VERSION_NUM >= 160000
	{
		/*
		 * Since 16 GetConfigOption and GetConfigOptionResetString answer ""
		 * for a value the placeholder does not have (a SET LOCAL that ended,
		 * say), which would then be refused as set to "".  So the
		 * placeholder, always a string setting, is read directly.
		 */
		struct config_string *placeholder;

		placeholder = (struct config_string *) find_option(name, false, true, ERROR);
		if (placeholder == NULL)
			return;
		early->current = copy_value(*placeholder->variable);
		early->reset = copy_value(placeholder->reset_val);
	}
#else
	early->current = copy_value(GetConfigOption(name, true, false));
	early->reset = copy_value(GetConfigOptionResetString(name));
#endif
}

/*
 * Whether PostgreSQL takes value for the setting, asked without setting it:
 * then it answers -1 for a good value (not applied), 0 for a bad one.
 */
static bool
takes_value(const char *name, const char *value)
{
	return set_config_option(name, value, PGC_USERSET, PGC_S_TEST, GUC_ACTION_SET,
							 false, DEBUG3, false) != 0;
}

/* After the setting is defined: which of its early values it refused. */
static void
check_early_values(LogscoreSetting setting, EarlyValues *early)
{
	const char *name = setting_names[setting];

	if (early->current != NULL && !takes_value(name, early->current))
		reject(setting, early->current, NULL);
	else if (early->reset != NULL && !takes_value(name, early->reset))
		reject(setting, early->reset, NULL);
	free(early->current);
	free(early->reset);
}

static const struct config_enum_entry on_overflow_options[] = {
	{"error", LS_OVERFLOW_ERROR, false},
	{"null", LS_OVERFLOW_NULL, false},
	{"saturate", LS_OVERFLOW_SATURATE, false},
	{NULL, 0, false}
};

static bool
check_pipeline(char **newval, void **extra, GucSource source)
{
	ls_pipeline compiled;
	ls_error	err;
	ls_pipeline *copy;

	if (!ls_pipeline_parse(*newval, strlen(*newval), &compiled, &err))
	{
		if (loading && source > PGC_S_DEFAULT)
			reject(LS_SETTING_PIPELINE, *newval, err.message);
		GUC_check_errcode(logscore_errcode(&err));
		GUC_check_errmsg("invalid logscore pipeline: %s", err.message);
		GUC_check_errdetail("%s", logscore_error_detail(*newval, &err));
		GUC_check_errhint("%s", err.hint);
		return false;
	}

	/*
	 * PostgreSQL releases a GUC extra with free() before 16 and with
	 * guc_free() (a pfree in its own context) since, so the extra comes from
	 * the matching allocator; guc_malloc(LOG) returns NULL when out of memory.
	 */
#if PG_VERSION_NUM >= 160000
	copy = guc_malloc(LOG, sizeof(ls_pipeline));
#else
	copy = malloc(sizeof(ls_pipeline));
#endif
	if (copy == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		GUC_check_errmsg("out of memory");
		return false;
	}
	*copy = compiled;
	*extra = copy;
	return true;
}

static void
assign_pipeline(const char *newval, void *extra)
{
	logscore_pipeline_compiled = (const ls_pipeline *) extra;
	accept(LS_SETTING_PIPELINE);
}

static void
assign_on_overflow(int newval, void *extra)
{
	accept(LS_SETTING_ON_OVERFLOW);
}

static void
assign_alert_warning(double newval, void *extra)
{
	accept(LS_SETTING_ALERT_WARNING);
}

static void
assign_alert_critical(double newval, void *extra)
{
	accept(LS_SETTING_ALERT_CRITICAL);
}

static void
assign_alert_clear(double newval, void *extra)
{
	accept(LS_SETTING_ALERT_CLEAR);
}

static void
assign_alert_enter_after(int newval, void *extra)
{
	accept(LS_SETTING_ALERT_ENTER_AFTER);
}

static void
assign_alert_exit_after(int newval, void *extra)
{
	accept(LS_SETTING_ALERT_EXIT_AFTER);
}

/* Raises the refusal of the first setting in settings that is refused. */
void
logscore_report_rejected_setting(uint32 settings)
{
	int			setting = 0;
	const char *value;

	if ((settings & logscore_settings_remote) != 0)
		logscore_report_remote_setting();
	while (setting < LS_NSETTINGS - 1 &&
		   (settings & logscore_settings_rejected & LS_SETTING_BIT(setting)) == 0)
		setting++;
	value = rejected[setting].value ? rejected[setting].value : "";

	if (setting == LS_SETTING_PIPELINE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore.pipeline was set to an invalid value before logscore was loaded"),
				 errdetail("The value \"%s\" was rejected: %s.", value, rejected[setting].message),
				 errhint("Set logscore.pipeline to a valid pipeline, and add logscore to session_preload_libraries so that bad values fail where they are set.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s was set to an invalid value before logscore was loaded",
					setting_names[setting]),
			 errdetail("The value \"%s\" was rejected, and logscore does not use the default in its place.",
					   value),
			 errhint("Set %s to a valid value, and add logscore to session_preload_libraries so that bad values fail where they are set.",
					 setting_names[setting])));
	pg_unreachable();
}

/*
 * A parallel worker never sees a value rejected in its leader: it loads the
 * library before it takes the leader's settings, and a rejected setting is
 * at its default, which the leader does not pass on.  The worker would use
 * the default.  So while a value is refused, this backend runs its queries
 * without workers: with parallelModeNeeded off, Gather and Gather Merge run
 * their plans in the leader, as they do when PostgreSQL cannot use parallel
 * mode, and the function reading the setting refuses there.  The flag is
 * put back afterwards, since the plan may be a cached one.
 */
static void
executor_run(QueryDesc *queryDesc, ScanDirection direction,
			 uint64 count EXECUTE_ONCE_PARAM)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	bool		parallel = stmt->parallelModeNeeded;

	logscore_setting_forms_refresh();
	if (likely(logscore_settings_rejected == 0) || !parallel)
	{
		run_executor(queryDesc, direction, count EXECUTE_ONCE_ARG);
		return;
	}
	stmt->parallelModeNeeded = false;
	PG_TRY();
	{
		run_executor(queryDesc, direction, count EXECUTE_ONCE_ARG);
	}
	PG_FINALLY();
	{
		stmt->parallelModeNeeded = parallel;
	}
	PG_END_TRY();
}

void
LogscoreSettingsInit(void)
{
	EarlyValues early[LS_NSETTINGS];

	for (int setting = LS_SETTING_ON_OVERFLOW; setting < LS_NSETTINGS; setting++)
		take_early_values(setting, &early[setting]);

	loading = true;
	DefineCustomStringVariable("logscore.pipeline",
							   gettext_noop("Stages that logscore(bigint) runs, separated by \"|\"."),
							   gettext_noop("For example \"scale(2) | modsquare(7, 5)\", the founding pipeline."),
							   &pipeline_text,
							   LS_DEFAULT_PIPELINE,
							   PGC_USERSET,
							   0,
							   check_pipeline,
							   assign_pipeline,
							   NULL);

	DefineCustomEnumVariable("logscore.on_overflow",
							 gettext_noop("What a score that overflows bigint becomes: an error, NULL, or the nearest bigint."),
							 gettext_noop("The IMMUTABLE form logscore(value, pipeline) always raises an error."),
							 &logscore_on_overflow,
							 LS_OVERFLOW_ERROR,
							 on_overflow_options,
							 PGC_USERSET,
							 0,
							 NULL,
							 assign_on_overflow,
							 NULL);

	/*
	 * Each bound is checked at SET; the order of the thresholds is checked
	 * where they are read, since a check hook sees one setting at a time and
	 * would make the order of SET commands matter (raising both thresholds).
	 */
	DefineCustomRealVariable("logscore.alert_warning",
							 gettext_noop("|z| at or above which logscore_severity and logscore_alert_state report warning."),
							 gettext_noop("Must not be above logscore.alert_critical, nor below logscore.alert_clear."),
							 &logscore_alert_warning,
							 LS_DEFAULT_ALERT_WARNING,
							 MIN_ALERT_THRESHOLD,
							 DBL_MAX,
							 PGC_USERSET,
							 0,
							 NULL,
							 assign_alert_warning,
							 NULL);

	DefineCustomRealVariable("logscore.alert_critical",
							 gettext_noop("|z| at or above which logscore_severity and logscore_alert_state report critical."),
							 gettext_noop("Must not be below logscore.alert_warning."),
							 &logscore_alert_critical,
							 LS_DEFAULT_ALERT_CRITICAL,
							 MIN_ALERT_THRESHOLD,
							 DBL_MAX,
							 PGC_USERSET,
							 0,
							 NULL,
							 assign_alert_critical,
							 NULL);

	DefineCustomRealVariable("logscore.alert_clear",
							 gettext_noop("|z| below which rows count towards clearing an alert in logscore_alert_state."),
							 gettext_noop("Must not be above logscore.alert_warning; between the two, an alert holds."),
							 &logscore_alert_clear,
							 LS_DEFAULT_ALERT_CLEAR,
							 MIN_ALERT_THRESHOLD,
							 DBL_MAX,
							 PGC_USERSET,
							 0,
							 NULL,
							 assign_alert_clear,
							 NULL);

	DefineCustomIntVariable("logscore.alert_enter_after",
							gettext_noop("Consecutive rows above its state after which logscore_alert_state rises."),
							NULL,
							&logscore_alert_enter_after,
							LS_DEFAULT_ALERT_ENTER_AFTER,
							1,
							INT_MAX,
							PGC_USERSET,
							0,
							NULL,
							assign_alert_enter_after,
							NULL);

	DefineCustomIntVariable("logscore.alert_exit_after",
							gettext_noop("Consecutive rows below logscore.alert_clear after which logscore_alert_state returns to ok."),
							NULL,
							&logscore_alert_exit_after,
							LS_DEFAULT_ALERT_EXIT_AFTER,
							1,
							INT_MAX,
							PGC_USERSET,
							0,
							NULL,
							assign_alert_exit_after,
							NULL);

	loading = false;

	for (int setting = LS_SETTING_ON_OVERFLOW; setting < LS_NSETTINGS; setting++)
		check_early_values(setting, &early[setting]);

	MarkGUCPrefixReserved("logscore");

	previous_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = executor_run;
}
