/*
 * settings.c
 *	  The logscore.* settings.  logscore.pipeline is parsed and compiled in
 *	  its check hook, so a bad value fails where it is set and the per-row
 *	  path only reads the compiled form the assign hook installed.  The
 *	  alert thresholds are checked one by one here (their bounds) and against
 *	  each other where they are used (see alert.c).
 */
#include "postgres.h"

#include <float.h>
#include <limits.h>
#include <stdlib.h>

#include "executor/executor.h"
#include "utils/guc.h"

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
bool		logscore_pipeline_rejected = false;

/*
 * A value set before the library was loaded in this session (by SET, or by
 * ALTER ROLE / DATABASE ... SET) could not be checked then.  PostgreSQL
 * rejects a bad one at load with only a WARNING and keeps the default;
 * scoring with the default instead of the pipeline the user chose would be a
 * silent wrong answer, so logscore(bigint) refuses to run until the setting
 * is given a valid value.
 */
static bool loading = false;
static char *rejected_value = NULL;		/* malloc'd; set with the flag above */
static char rejected_message[LS_MESSAGE_SIZE];

static ExecutorRun_hook_type previous_executor_run = NULL;

static void
run_executor(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
			 bool execute_once)
{
	if (previous_executor_run)
		previous_executor_run(queryDesc, direction, count, execute_once);
	else
		standard_ExecutorRun(queryDesc, direction, count, execute_once);
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
	ls_parse_error err;
	ls_pipeline *copy;

	if (ls_pipeline_parse(*newval, strlen(*newval), &compiled, &err) != LS_PARSE_OK)
	{
		if (loading && source > PGC_S_DEFAULT)
		{
			free(rejected_value);
			rejected_value = strdup(*newval);
			strlcpy(rejected_message, err.message, sizeof(rejected_message));
			logscore_pipeline_rejected = (rejected_value != NULL);
		}
		GUC_check_errcode(logscore_parse_errcode(&err));
		GUC_check_errmsg("invalid logscore pipeline: %s", err.message);
		GUC_check_errdetail("%s", logscore_error_detail(*newval, &err));
		GUC_check_errhint("logscore_stages() lists the stages and their parameters.");
		return false;
	}

	/* GUC extras are released with free(), so they come from malloc() */
	copy = malloc(sizeof(ls_pipeline));
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
	if (!loading)
	{
		free(rejected_value);
		rejected_value = NULL;
		logscore_pipeline_rejected = false;
	}
}

void
logscore_report_rejected_pipeline(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("logscore.pipeline was set to an invalid value before logscore was loaded"),
			 errdetail("The value \"%s\" was rejected: %s.",
					   rejected_value ? rejected_value : "", rejected_message),
			 errhint("Set logscore.pipeline to a valid pipeline, and add logscore to session_preload_libraries so that bad values fail where they are set.")));
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
executor_run(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
			 bool execute_once)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	bool		parallel = stmt->parallelModeNeeded;

	if (likely(!logscore_pipeline_rejected) || !parallel)
	{
		run_executor(queryDesc, direction, count, execute_once);
		return;
	}
	stmt->parallelModeNeeded = false;
	PG_TRY();
	{
		run_executor(queryDesc, direction, count, execute_once);
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
	loading = false;

	DefineCustomEnumVariable("logscore.on_overflow",
							 gettext_noop("What a score that overflows bigint becomes: an error, NULL, or the nearest bigint."),
							 gettext_noop("The IMMUTABLE form logscore(value, pipeline) always raises an error."),
							 &logscore_on_overflow,
							 LS_OVERFLOW_ERROR,
							 on_overflow_options,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
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
							 NULL,
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
							 NULL,
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
							 NULL,
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
							NULL,
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
							NULL,
							NULL);

	MarkGUCPrefixReserved("logscore");

	previous_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = executor_run;
}
