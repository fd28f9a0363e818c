/*
 * setting_forms.c
 *	  Settings do not travel to Citus worker nodes.  A query that reaches a
 *	  worker is planned and run there under the worker connection's own
 *	  settings, so logscore(value) would score with the worker's pipeline and
 *	  return an answer no single node gives.
 *
 * Two rules keep every answer the one-node answer:
 *
 * - On a coordinator (a database with the citus extension), a planner hook
 *	 replaces each setting-dependent call with its explicit form before
 *	 Citus plans the query, the settings' values written in as constants:
 *	 logscore(v) becomes logscore(v, pipeline[, on_overflow]),
 *	 logscore_severity(z), logscore_alert_state(z) and logscore_alert_onset(z
 *	 [, cool-down]) get their thresholds,
 *	 logscore_array/batch/explain get the pipeline for a NULL one.  Citus
 *	 then ships the explicit calls.  The constants are taken when the query
 *	 is planned, so changing a setting invalidates cached plans.  The hook
 *	 runs before Citus's only if logscore is loaded after citus, hence
 *	 shared_preload_libraries = 'citus,logscore' (see the README).
 *	 The same happens in a database with postgres_fdw: it ships aggregates
 *	 of a listed extension, and an aggregate has no volatility to say that
 *	 logscore_alert_state(z) reads settings, so the remote server's
 *	 thresholds would decide it; written in, they travel with the query.
 *
 * - In a backend Citus opened to run part of a distributed query, a
 *	 setting-dependent call is an error: if it arrived there, the coordinator
 *	 did not rewrite it, and the worker's settings are not the session's.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

#include "logscore.h"

uint32		logscore_settings_remote = 0;

/* Citus names the connections it opens between nodes so. */
#define CITUS_INTERNAL_APPLICATION_PREFIX "citus_internal gpid="

static planner_hook_type previous_planner = NULL;

/* The functions of this database's logscore, looked up once per change. */
typedef struct FormOids
{
	bool		valid;
	bool		rewrite;		/* logscore and citus or postgres_fdw installed */
	Oid			score;			/* logscore(bigint) */
	Oid			score_pipeline; /* logscore(bigint, text) */
	Oid			score_overflow; /* logscore(bigint, text, text) */
	Oid			array;
	Oid			array_explicit;
	Oid			batch;
	Oid			batch_explicit;
	Oid			explain;
	Oid			severity;
	Oid			severity_explicit;
	Oid			alert_state;
	Oid			alert_state_explicit;
	/* logscore_alert_onset(z [, cool-down]) and the explicit form of each */
	Oid			alert_onset[3];
	Oid			alert_onset_explicit[3];
} FormOids;

static FormOids forms;

static void
forget_forms(Datum arg, int cacheid, uint32 hashvalue)
{
	forms.valid = false;
}

static Oid
lookup(const char *schema, const char *name, int nargs, const Oid *argtypes)
{
	return LookupFuncName(list_make2(makeString(pstrdup(schema)), makeString(pstrdup(name))),
						  nargs, argtypes, true);
}

/* PostgreSQL 15 does not export get_extension_schema(). */
static Oid
extension_schema(Oid extension)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			schema = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extension));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		schema = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return schema;
}

static void
load_forms(void)
{
	Oid			extension = get_extension_oid("logscore", true);
	char	   *schema;
	Oid			one_bigint[] = {INT8OID};
	Oid			bigint_texts[] = {INT8OID, TEXTOID, TEXTOID};
	Oid			array_texts[] = {INT8ARRAYOID, TEXTOID, TEXTOID};
	Oid			one_text[] = {TEXTOID};
	Oid			z_thresholds[] = {FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, INT4OID};
	Oid			onset_rows[] = {FLOAT8OID, INT4OID};
	Oid			onset_time[] = {FLOAT8OID, TIMESTAMPTZOID, INTERVALOID};
	Oid			thresholds_rows[] = {FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, INT4OID,
	INT4OID};
	Oid			thresholds_time[] = {FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, INT4OID,
	TIMESTAMPTZOID, INTERVALOID};

	memset(&forms, 0, sizeof(forms));
	forms.valid = true;
	if (!OidIsValid(extension) ||
		(!OidIsValid(get_extension_oid("citus", true)) &&
		 !OidIsValid(get_extension_oid("postgres_fdw", true))))
		return;
	schema = get_namespace_name(extension_schema(extension));
	if (schema == NULL)
		return;
	forms.score = lookup(schema, "logscore", 1, one_bigint);
	forms.score_pipeline = lookup(schema, "logscore", 2, bigint_texts);
	forms.score_overflow = lookup(schema, "logscore", 3, bigint_texts);
	forms.array = lookup(schema, "logscore_array", 2, array_texts);
	forms.array_explicit = lookup(schema, "logscore_array", 3, array_texts);
	forms.batch = lookup(schema, "logscore_batch", 2, array_texts);
	forms.batch_explicit = lookup(schema, "logscore_batch", 3, array_texts);
	forms.explain = lookup(schema, "logscore_explain", 1, one_text);
	forms.severity = lookup(schema, "logscore_severity", 1, z_thresholds);
	forms.severity_explicit = lookup(schema, "logscore_severity", 3, z_thresholds);
	forms.alert_state = lookup(schema, "logscore_alert_state", 1, z_thresholds);
	forms.alert_state_explicit = lookup(schema, "logscore_alert_state", 6, z_thresholds);
	forms.alert_onset[0] = lookup(schema, "logscore_alert_onset", 1, z_thresholds);
	forms.alert_onset[1] = lookup(schema, "logscore_alert_onset", 2, onset_rows);
	forms.alert_onset[2] = lookup(schema, "logscore_alert_onset", 3, onset_time);
	forms.alert_onset_explicit[0] = lookup(schema, "logscore_alert_onset", 6, z_thresholds);
	forms.alert_onset_explicit[1] = lookup(schema, "logscore_alert_onset", 7, thresholds_rows);
	forms.alert_onset_explicit[2] = lookup(schema, "logscore_alert_onset", 8, thresholds_time);
	/* an extension older than its library has no explicit overflow forms */
	forms.rewrite = OidIsValid(forms.score_overflow) && OidIsValid(forms.array_explicit) &&
		OidIsValid(forms.batch_explicit);
}

static bool
citus_internal_backend(void)
{
	return application_name != NULL &&
		strncmp(application_name, CITUS_INTERNAL_APPLICATION_PREFIX,
				strlen(CITUS_INTERNAL_APPLICATION_PREFIX)) == 0;
}

static Const *
text_const(const char *value)
{
	return makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1, CStringGetTextDatum(value),
					 false, false);
}

static Const *
float8_const(double value)
{
	return makeConst(FLOAT8OID, -1, InvalidOid, sizeof(float8), Float8GetDatum(value),
					 false, FLOAT8PASSBYVAL);
}

static Const *
int4_const(int value)
{
	return makeConst(INT4OID, -1, InvalidOid, sizeof(int32), Int32GetDatum(value),
					 false, true);
}

static Const *
pipeline_const(void)
{
	return text_const(GetConfigOption("logscore.pipeline", false, false));
}

static Const *
on_overflow_const(void)
{
	return text_const(GetConfigOption("logscore.on_overflow", false, false));
}

/* A pipeline argument, where NULL means the setting. */
static Node *
pipeline_or_setting(Node *pipeline)
{
	CoalesceExpr *coalesce;

	if (IsA(pipeline, Const))
		return ((Const *) pipeline)->constisnull ? (Node *) pipeline_const() : pipeline;
	coalesce = makeNode(CoalesceExpr);
	coalesce->coalescetype = TEXTOID;
	coalesce->coalescecollid = DEFAULT_COLLATION_OID;
	coalesce->args = list_make2(pipeline, pipeline_const());
	coalesce->location = -1;
	return (Node *) coalesce;
}

/*
 * The pipeline argument of a call whose later arguments have defaults: the
 * parser leaves defaults (and the order of named arguments) to the planner.
 */
static Node *
pipeline_argument(FuncExpr *call, int position)
{
	if (list_length(call->args) <= position)
		return (Node *) makeNullConst(TEXTOID, -1, DEFAULT_COLLATION_OID);
	return list_nth(call->args, position);
}

static bool
has_named_arguments(FuncExpr *call)
{
	ListCell   *cell;

	foreach(cell, call->args)
		if (IsA(lfirst(cell), NamedArgExpr))
			return true;
	return false;
}

static FuncExpr *
explicit_call(FuncExpr *call, Oid funcid, List *args)
{
	FuncExpr   *result = copyObject(call);

	result->funcid = funcid;
	result->funcformat = COERCE_EXPLICIT_CALL;
	result->funcvariadic = false;
	result->args = args;
	return result;
}

static List *
threshold_args(const ls_alert_thresholds *t)
{
	return list_make5(float8_const(t->warning), float8_const(t->critical),
					  float8_const(t->clear), int4_const(t->enter_after),
					  int4_const(t->exit_after));
}

static Node *
rewrite_function(FuncExpr *call)
{
	bool		pipeline_ok = (logscore_settings_rejected & LS_SETTING_BIT(LS_SETTING_PIPELINE)) == 0;
	bool		overflow_ok = (logscore_settings_rejected & LS_SETTING_BIT(LS_SETTING_ON_OVERFLOW)) == 0;
	ls_alert_thresholds t;

	/* left as written: a worker refuses it with a clear error */
	if (has_named_arguments(call))
		return (Node *) call;
	if (call->funcid == forms.score && pipeline_ok && overflow_ok)
		return (Node *) (logscore_on_overflow == LS_OVERFLOW_ERROR ?
						 explicit_call(call, forms.score_pipeline,
									   list_make2(linitial(call->args), pipeline_const())) :
						 explicit_call(call, forms.score_overflow,
									   list_make3(linitial(call->args), pipeline_const(),
												  on_overflow_const())));
	if ((call->funcid == forms.array || call->funcid == forms.batch) && pipeline_ok && overflow_ok)
		return (Node *) explicit_call(call,
									  call->funcid == forms.array ? forms.array_explicit :
									  forms.batch_explicit,
									  list_make3(linitial(call->args),
												 pipeline_or_setting(pipeline_argument(call, 1)),
												 on_overflow_const()));
	if (call->funcid == forms.explain && pipeline_ok)
		return (Node *) explicit_call(call, call->funcid,
									  list_make1(pipeline_or_setting(pipeline_argument(call, 0))));
	if (call->funcid == forms.severity && OidIsValid(forms.severity_explicit))
	{
		/* refused or invalid settings fail here, as they fail on one node */
		logscore_alert_settings(&t, true);
		return (Node *) explicit_call(call, forms.severity_explicit,
									  list_make3(linitial(call->args), float8_const(t.warning),
												 float8_const(t.critical)));
	}
	return (Node *) call;
}

/*
 * The explicit form of a setting-dependent aggregate, or InvalidOid: its
 * thresholds go in right after z, before any cool-down arguments.
 */
static Oid
explicit_aggregate(Oid aggregate)
{
	if (aggregate == forms.alert_state)
		return forms.alert_state_explicit;
	for (size_t i = 0; i < lengthof(forms.alert_onset); i++)
		if (aggregate == forms.alert_onset[i])
			return forms.alert_onset_explicit[i];
	return InvalidOid;
}

/* list (of pointers or of OIDs alike) with items inserted after its first */
static List *
after_first(List *list, List *items)
{
	List	   *result = list_copy_head(list, 1);

	result = list_concat(result, items);
	return list_concat(result, list_copy_tail(list, 1));
}

static Node *
rewrite_aggregate(Aggref *aggref)
{
	ls_alert_thresholds t;
	Aggref	   *result;
	ListCell   *cell;
	List	   *arguments = NIL;
	List	   *sort_only = NIL;
	List	   *thresholds = NIL;
	AttrNumber	resno = 1;
	Oid			explicit_form = explicit_aggregate(aggref->aggfnoid);

	if (!OidIsValid(aggref->aggfnoid) || !OidIsValid(explicit_form))
		return (Node *) aggref;
	/* never left for the remote server's settings: postgres_fdw ships it */
	logscore_alert_settings(&t, false);
	result = copyObject(aggref);
	result->aggfnoid = explicit_form;
	result->aggargtypes = after_first(result->aggargtypes,
									  list_make5_oid(FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID,
													 INT4OID));

	/*
	 * The thresholds follow z and come before the cool-down and the entries
	 * that only an ORDER BY inside the call adds (resjunk), which the
	 * executor does not pass to the transition function; ORDER BY finds its
	 * entries by ressortgroupref, so numbering them anew is safe.
	 */
	foreach(cell, result->args)
	{
		TargetEntry *entry = lfirst(cell);

		if (entry->resjunk)
			sort_only = lappend(sort_only, entry);
		else
			arguments = lappend(arguments, entry);
	}
	foreach(cell, threshold_args(&t))
		thresholds = lappend(thresholds, makeTargetEntry(lfirst(cell), 0, NULL, false));
	result->args = list_concat(after_first(arguments, thresholds), sort_only);
	foreach(cell, result->args)
		((TargetEntry *) lfirst(cell))->resno = resno++;
	return (Node *) result;
}

static Node *
rewrite_window_function(WindowFunc *window)
{
	ls_alert_thresholds t;
	WindowFunc *result;
	Oid			explicit_form = explicit_aggregate(window->winfnoid);

	if (!OidIsValid(window->winfnoid) || !OidIsValid(explicit_form))
		return (Node *) window;
	logscore_alert_settings(&t, false);
	result = copyObject(window);
	result->winfnoid = explicit_form;
	result->args = after_first(result->args, threshold_args(&t));
	return (Node *) result;
}

static Node *
explicit_forms_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, explicit_forms_mutator, context, 0);
	node = expression_tree_mutator(node, explicit_forms_mutator, context);
	if (IsA(node, FuncExpr))
		return rewrite_function((FuncExpr *) node);
	if (IsA(node, Aggref))
		return rewrite_aggregate((Aggref *) node);
	if (IsA(node, WindowFunc))
		return rewrite_window_function((WindowFunc *) node);
	return node;
}

/*
 * Asked again at each plan and each executor run: a parallel worker loads
 * the library before it takes its leader's application_name.
 */
void
logscore_setting_forms_refresh(void)
{
	logscore_settings_remote = citus_internal_backend() ? ~(uint32) 0 : 0;
}

static PlannedStmt *
plan_with_explicit_forms(Query *parse, const char *query_string, int cursorOptions,
						 ParamListInfo boundParams)
{
	logscore_setting_forms_refresh();
	if (logscore_settings_remote == 0 && IsTransactionState())
	{
		if (!forms.valid)
			load_forms();
		if (forms.rewrite)
			parse = (Query *) explicit_forms_mutator((Node *) parse, NULL);
	}
	if (previous_planner)
		return previous_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * Called by every logscore.* setting's assign hook: plans that wrote the old
 * value in are stale.  Only where the rewrite happens, so that a function's
 * SET clause costs nothing on a single node.
 */
void
logscore_setting_forms_changed(void)
{
	if (forms.valid && forms.rewrite)
		ResetPlanCache();
}

void
logscore_report_remote_setting(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("logscore settings do not reach Citus worker nodes"),
			 errdetail("This call reads a logscore.* setting and was sent to a worker by a coordinator that did not write the setting's value into the query."),
			 errhint("Load logscore after citus on the coordinator (shared_preload_libraries = 'citus,logscore'), or call the explicit form, such as logscore(value, pipeline).")));
}

void
LogscoreSettingFormsInit(void)
{
	logscore_setting_forms_refresh();
	previous_planner = planner_hook;
	planner_hook = plan_with_explicit_forms;
	CacheRegisterSyscacheCallback(PROCOID, forget_forms, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, forget_forms, (Datum) 0);
}
