/*
 * rollup_catalog.c
 *	  The rollup catalog's only writers.  PUBLIC may read its own rows (row
 *	  level security) and nothing else; these functions check that the
 *	  caller has the rights of a rollup's owner, then write as the catalog's
 *	  owner, with fixed statements, as pg_cron does for its job table.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "funcapi.h"
#include "utils/timestamp.h"

#include "rollup.h"

PG_FUNCTION_INFO_V1(logscore_rollup_register);
PG_FUNCTION_INFO_V1(logscore_rollup_unregister);
PG_FUNCTION_INFO_V1(logscore_rollup_alter);
PG_FUNCTION_INFO_V1(logscore_rollup_reset);

/* The schema of the extension: the one its functions are in. */
static Oid	extension_schema = InvalidOid;

#define ROLLUP_COLUMNS \
	"id, name, owner, target, source, input, time_column, bucket, lateness, " \
	"watermark, on_error, group_by, source_columns, source_types"

/* Every SQL entry point calls this first. */
void
rollup_remember_schema(FunctionCallInfo fcinfo)
{
	extension_schema = get_func_namespace(fcinfo->flinfo->fn_oid);
}

char *
rollup_extension_schema(void)
{
	Assert(OidIsValid(extension_schema));
	return get_namespace_name(extension_schema);
}

/* "schema.logscore_rollups" and the like, quoted. */
static char *
catalog_table(const char *table)
{
	return quote_qualified_identifier(rollup_extension_schema(), table);
}

static Oid
catalog_owner(void)
{
	Oid			relid = get_relname_relid("logscore_rollups", extension_schema);
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		elog(ERROR, "logscore_rollups is missing from schema %s", rollup_extension_schema());
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Connects to SPI to run what follows as role, with a pinned search_path.
 * restricted makes it a security-restricted operation, as REFRESH
 * MATERIALIZED VIEW runs its query: no SET ROLE back to the caller, no
 * temporary objects.
 */
void
rollup_connect_as(RollupRights *rights, Oid role, bool restricted)
{
	int			context;

	GetUserIdAndSecContext(&rights->saved_user, &rights->saved_context);
	context = rights->saved_context | SECURITY_LOCAL_USERID_CHANGE;
	if (restricted)
		context |= SECURITY_RESTRICTED_OPERATION;
	SetUserIdAndSecContext(role, context);
	rights->guc_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
rollup_disconnect(RollupRights *rights)
{
	SPI_finish();
	AtEOXact_GUC(false, rights->guc_level);
	SetUserIdAndSecContext(rights->saved_user, rights->saved_context);
}

/* Text in, text out: a C string of a text[] datum's elements. */
static List *
text_array_list(Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *out = NIL;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		out = lappend(out, nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]));
	return out;
}

static RollupEntry *
entry_from_tuple(HeapTuple tuple, TupleDesc desc)
{
	RollupEntry *e = palloc0(sizeof(RollupEntry));
	bool		isnull;
	Datum		d;

	e->id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
	e->name = SPI_getvalue(tuple, desc, 2);
	e->owner = DatumGetObjectId(SPI_getbinval(tuple, desc, 3, &isnull));
	e->target = DatumGetObjectId(SPI_getbinval(tuple, desc, 4, &isnull));
	e->source = DatumGetObjectId(SPI_getbinval(tuple, desc, 5, &isnull));
	e->input = DatumGetObjectId(SPI_getbinval(tuple, desc, 6, &isnull));
	e->time_column = SPI_getvalue(tuple, desc, 7);
	e->bucket = DatumGetIntervalP(datumCopy(SPI_getbinval(tuple, desc, 8, &isnull), false, sizeof(Interval)));
	e->lateness = DatumGetIntervalP(datumCopy(SPI_getbinval(tuple, desc, 9, &isnull), false, sizeof(Interval)));
	d = SPI_getbinval(tuple, desc, 10, &isnull);
	e->has_watermark = !isnull;
	if (!isnull)
		e->watermark = DatumGetTimestampTz(d);
	e->stop_on_error = strcmp(SPI_getvalue(tuple, desc, 11), "stop") == 0;
	e->group_by = text_array_list(SPI_getbinval(tuple, desc, 12, &isnull));
	e->source_columns = text_array_list(SPI_getbinval(tuple, desc, 13, &isnull));
	e->source_types = text_array_list(SPI_getbinval(tuple, desc, 14, &isnull));
	return e;
}

/*
 * The rows a given name can mean: "schema.table" is one; a bare "table"
 * matches the rollup of that table name in any schema.  No search_path is
 * consulted, so what a scheduled CALL means cannot be changed by whoever can
 * create a schema or a rollup.
 */
static void
name_condition(const char *given, StringInfo where, Datum *value)
{
#if PG_VERSION_NUM >= 160000
	/* no soft-error context: a malformed name raises, as before 16 */
	List	   *parts = stringToQualifiedNameList(given, NULL);
#else
	List	   *parts = stringToQualifiedNameList(given);
#endif

	if (list_length(parts) == 2)
	{
		appendStringInfoString(where, "r.name OPERATOR(pg_catalog.=) $1");
		*value = CStringGetTextDatum(quote_qualified_identifier(strVal(linitial(parts)),
																strVal(lsecond(parts))));
	}
	else if (list_length(parts) == 1)
	{
		appendStringInfoString(where,
							   "(pg_catalog.parse_ident(r.name))[2] OPERATOR(pg_catalog.=) $1");
		*value = CStringGetTextDatum(strVal(linitial(parts)));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("improper rollup name (too many dotted names): %s", given)));
}

/*
 * The rollup a name means, for the caller to act on as its owner: 42704 if
 * none, 42725 if a bare name matches several, 42501 if the caller lacks the
 * owner's rights.  With lock, the row is locked FOR NO KEY UPDATE: *locked
 * says whether that succeeded without waiting (lock with skip_locked) or
 * after waiting (lock without).
 */
static RollupEntry *
lookup(const char *given, bool lock, bool skip_locked, bool *locked)
{
	RollupRights rights;
	StringInfoData query;
	Datum		value;
	Oid			argtype = TEXTOID;
	RollupEntry *entry;
	Oid			caller = GetUserId();
	MemoryContext outer = CurrentMemoryContext;

	initStringInfo(&query);
	appendStringInfo(&query, "SELECT " ROLLUP_COLUMNS " FROM %s r WHERE ",
					 catalog_table("logscore_rollups"));
	name_condition(given, &query, &value);

	rollup_connect_as(&rights, catalog_owner(), false);
	if (SPI_execute_with_args(query.data, 1, &argtype, &value, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read logscore_rollups");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("rollup \"%s\" does not exist", given),
				 errhint("The rollups are listed in the table logscore_rollups.")));
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_AMBIGUOUS_ALIAS),
				 errmsg("rollup name \"%s\" is ambiguous", given),
				 errdetail("%llu rollups in different schemas have that table name.",
						   (unsigned long long) SPI_processed),
				 errhint("Name the rollup with its schema, as logscore_rollups.name shows it.")));
	{
		MemoryContext spi = MemoryContextSwitchTo(outer);

		entry = entry_from_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		MemoryContextSwitchTo(spi);
	}
	if (!has_privs_of_role(caller, entry->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of rollup %s", entry->name),
				 errdetail("Only the rollup's owner, %s, and roles with its privileges may run, change or drop it.",
						   GetUserNameFromId(entry->owner, false))));
	if (lock)
	{
		Datum		id = Int64GetDatum(entry->id);
		Oid			idtype = INT8OID;

		resetStringInfo(&query);
		appendStringInfo(&query,
						 "SELECT 1 FROM %s r WHERE r.id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE%s",
						 catalog_table("logscore_rollups"), skip_locked ? " SKIP LOCKED" : "");
		if (SPI_execute_with_args(query.data, 1, &idtype, &id, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not lock the row of rollup %s", entry->name);
		*locked = SPI_processed == 1;
		if (!*locked && !skip_locked)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("rollup \"%s\" was dropped meanwhile", given)));
	}
	rollup_disconnect(&rights);
	return entry;
}

RollupEntry *
rollup_lookup_for_run(const char *given, bool *locked)
{
	return lookup(given, true, true, locked);
}

/* Runs one fixed statement on the catalog as its owner. */
static void
catalog_execute(const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
				int expected)
{
	RollupRights rights;
	int			rc;

	rollup_connect_as(&rights, catalog_owner(), false);
	rc = SPI_execute_with_args(query, nargs, types, values, nulls, false, 0);
	if (rc != expected)
		elog(ERROR, "logscore rollup catalog statement failed: %s", SPI_result_code_string(rc));
	rollup_disconnect(&rights);
}

/* A skipped run is counted, so it shows in logscore_rollup_health. */
void
rollup_record_skip(const RollupEntry *entry)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(entry->id)};
	char	   *query = psprintf("INSERT INTO %s AS s (rollup_id, runs_skipped, last_skipped_at) "
								 "VALUES ($1, 1, pg_catalog.now()) ON CONFLICT (rollup_id) DO UPDATE "
								 "SET runs_skipped = s.runs_skipped OPERATOR(pg_catalog.+) 1, "
								 "last_skipped_at = pg_catalog.now()",
								 catalog_table("logscore_rollup_skips"));

	catalog_execute(query, 1, types, values, NULL, SPI_OK_INSERT);
}

void
rollup_record_run(const RollupEntry *entry, int64 buckets, int64 rows, int64 rejected)
{
	Oid			types[4] = {INT8OID, INT8OID, INT8OID, INT8OID};
	Datum		values[4] = {Int64GetDatum(entry->id), Int64GetDatum(buckets),
	Int64GetDatum(rows), Int64GetDatum(rejected)};
	char	   *query = psprintf("UPDATE %s r SET watermark = pg_catalog.now(), "
								 "last_run_at = pg_catalog.now(), last_run_buckets = $2, "
								 "last_run_rows = $3, last_run_rejected = $4, "
								 "rows_rejected = r.rows_rejected OPERATOR(pg_catalog.+) $4 "
								 "WHERE r.id OPERATOR(pg_catalog.=) $1",
								 catalog_table("logscore_rollups"));

	catalog_execute(query, 4, types, values, NULL, SPI_OK_UPDATE);
}

/* The dead letters of a run, one row each, in one statement. */
void
rollup_record_rejects(const RollupEntry *entry, List *rejects)
{
	int			n = list_length(rejects);
	Datum	   *ts = palloc(n * sizeof(Datum));
	bool	   *ts_null = palloc(n * sizeof(bool));
	Datum	   *tables = palloc(n * sizeof(Datum));
	bool	   *tables_null = palloc(n * sizeof(bool));
	Datum	   *ctids = palloc(n * sizeof(Datum));
	Datum	   *rows = palloc(n * sizeof(Datum));
	Datum	   *states = palloc(n * sizeof(Datum));
	Datum	   *messages = palloc(n * sizeof(Datum));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	Oid			types[7] = {INT8OID, TIMESTAMPTZARRAYOID, OIDARRAYOID, TIDARRAYOID,
	INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[7];
	int			i = 0;
	ListCell   *lc;

	if (n == 0)
		return;
	foreach(lc, rejects)
	{
		RollupReject *r = lfirst(lc);
		ItemPointer ctid = palloc(sizeof(ItemPointerData));

		ts[i] = TimestampTzGetDatum(r->ts);
		ts_null[i] = !r->has_ts;
		tables[i] = ObjectIdGetDatum(r->source_table);
		tables_null[i] = !OidIsValid(r->source_table);
		*ctid = r->ctid;
		ctids[i] = PointerGetDatum(ctid);
		rows[i] = Int64GetDatum(r->rows);
		states[i] = CStringGetTextDatum(r->sqlstate);
		messages[i] = CStringGetTextDatum(r->message);
		i++;
	}
	values[0] = Int64GetDatum(entry->id);
	values[1] = PointerGetDatum(construct_md_array(ts, ts_null, 1, dims, lbs, TIMESTAMPTZOID,
												   sizeof(TimestampTz), FLOAT8PASSBYVAL,
												   TYPALIGN_DOUBLE));
	values[2] = PointerGetDatum(construct_md_array(tables, tables_null, 1, dims, lbs, OIDOID,
												   sizeof(Oid), true, TYPALIGN_INT));
	/* a reject without a row address has a null ctid, as its table is null */
	values[3] = PointerGetDatum(construct_md_array(ctids, tables_null, 1, dims, lbs, TIDOID,
												   sizeof(ItemPointerData), false,
												   TYPALIGN_SHORT));
	values[4] = PointerGetDatum(construct_array(rows, n, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[5] = PointerGetDatum(construct_array(states, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[6] = PointerGetDatum(construct_array(messages, n, TEXTOID, -1, false, TYPALIGN_INT));
	catalog_execute(psprintf("INSERT INTO %s (rollup_id, rejected_at, ts, source_table, source_ctid, "
							 "row_count, sqlstate, message) "
							 "SELECT $1, pg_catalog.now(), u.* FROM ROWS FROM (pg_catalog.unnest($2), "
							 "pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5), "
							 "pg_catalog.unnest($6), pg_catalog.unnest($7)) u",
							 catalog_table("logscore_rollup_rejects")),
					7, types, values, NULL, SPI_OK_INSERT);
}

/*
 * The rows earlier runs set aside that the window [lower, ...) still holds,
 * so that a run excludes them without finding and recording them again.
 */
List *
rollup_known_rejects(const RollupEntry *entry, TimestampTz lower)
{
	RollupRights rights;
	Oid			types[2] = {INT8OID, TIMESTAMPTZOID};
	Datum		values[2] = {Int64GetDatum(entry->id), TimestampTzGetDatum(lower)};
	MemoryContext outer = CurrentMemoryContext;
	List	   *known = NIL;

	rollup_connect_as(&rights, catalog_owner(), false);
	if (SPI_execute_with_args(psprintf("SELECT DISTINCT ts, source_table, source_ctid FROM %s "
									   "WHERE rollup_id OPERATOR(pg_catalog.=) $1 "
									   "AND ts OPERATOR(pg_catalog.>=) $2",
									   catalog_table("logscore_rollup_rejects")),
							  2, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read logscore_rollup_rejects");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext spi = MemoryContextSwitchTo(outer);
		RollupReject *r = palloc0(sizeof(RollupReject));
		Datum		ctid;

		r->has_ts = true;
		r->ts = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 1, &isnull));
		r->source_table = DatumGetObjectId(SPI_getbinval(tuple, desc, 2, &isnull));
		if (isnull)
			r->source_table = InvalidOid;
		ctid = SPI_getbinval(tuple, desc, 3, &isnull);
		if (!isnull)
			r->ctid = *(ItemPointer) DatumGetPointer(ctid);
		r->message = "";
		known = lappend(known, r);
		MemoryContextSwitchTo(spi);
	}
	rollup_disconnect(&rights);
	return known;
}

static void
require_owner(Oid relid, const char *what)
{
	/* PostgreSQL 16 folded pg_class_ownercheck into object_ownercheck */
#if PG_VERSION_NUM >= 160000
	if (!object_ownercheck(RelationRelationId, relid, GetUserId()))
#else
	if (!pg_class_ownercheck(relid, GetUserId()))
#endif
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of %s %s", what, get_rel_name(relid))));
}

/*
 * logscore_rollup_register(name, target, source, input, time_column,
 *     value_expr, bucket, group_by, lateness, on_error, source_columns,
 *     source_types): logscore_rollup_create's last step.  The caller owns the
 *     table and the view it made and becomes the rollup's owner; a name
 *     taken meanwhile (a concurrent create) is 42P07.
 */
Datum
logscore_rollup_register(PG_FUNCTION_ARGS)
{
	Oid			types[13] = {TEXTOID, REGROLEOID, REGCLASSOID, REGCLASSOID, REGCLASSOID,
		NAMEOID, TEXTOID, INTERVALOID, TEXTARRAYOID, INTERVALOID, TEXTOID,
	TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[13];
	RollupRights rights;
	char	   *query;
	int64		id;
	bool		isnull;

	rollup_remember_schema(fcinfo);
	for (int i = 0; i < 12; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("logscore_rollup_register: arguments must not be null")));
	require_owner(PG_GETARG_OID(1), "table");
	require_owner(PG_GETARG_OID(3), "view");
	/* a rollup's name is its table's: nobody can take another one's */
	{
		Oid			target = PG_GETARG_OID(1);
		char	   *canonical = quote_qualified_identifier(get_namespace_name(get_rel_namespace(target)),
														   get_rel_name(target));

		if (strcmp(canonical, text_to_cstring(PG_GETARG_TEXT_PP(0))) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a rollup's name must be its table's qualified name, %s", canonical)));
	}
	values[0] = PG_GETARG_DATUM(0);
	values[1] = ObjectIdGetDatum(GetUserId());
	for (int i = 1; i < 12; i++)
		values[i + 1] = PG_GETARG_DATUM(i);

	query = psprintf("INSERT INTO %s (name, owner, target, source, input, time_column, value_expr, "
					 "bucket, group_by, lateness, on_error, source_columns, source_types) "
					 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
					 "ON CONFLICT (name) DO NOTHING RETURNING id",
					 catalog_table("logscore_rollups"));
	rollup_connect_as(&rights, catalog_owner(), false);
	if (SPI_execute_with_args(query, 13, types, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not register the rollup");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("rollup \"%s\" already exists", TextDatumGetCString(values[0]))));
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	rollup_disconnect(&rights);
	PG_RETURN_INT64(id);
}

/*
 * logscore_rollup_unregister(name) → (target regclass, input regclass):
 * forgets the rollup (waiting for a run in progress) and its dead letters;
 * logscore_rollup_drop then drops what the caller wants dropped.
 */
Datum
logscore_rollup_unregister(PG_FUNCTION_ARGS)
{
	RollupEntry *entry;
	bool		locked;
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	TupleDesc	desc;
	Datum		out[2];
	bool		nulls[2] = {false, false};

	rollup_remember_schema(fcinfo);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("logscore_rollup_drop: name must not be null")));
	entry = lookup(text_to_cstring(PG_GETARG_TEXT_PP(0)), true, false, &locked);
	values[0] = Int64GetDatum(entry->id);
	catalog_execute(psprintf("WITH rejects AS (DELETE FROM %s WHERE rollup_id OPERATOR(pg_catalog.=) $1), "
							 "skips AS (DELETE FROM %s WHERE rollup_id OPERATOR(pg_catalog.=) $1) "
							 "DELETE FROM %s WHERE id OPERATOR(pg_catalog.=) $1",
							 catalog_table("logscore_rollup_rejects"),
							 catalog_table("logscore_rollup_skips"),
							 catalog_table("logscore_rollups")),
					1, types, values, NULL, SPI_OK_DELETE);

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "logscore_rollup_unregister must return a record");
	out[0] = ObjectIdGetDatum(entry->target);
	out[1] = ObjectIdGetDatum(entry->input);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), out, nulls)));
}

/*
 * logscore_rollup_alter(name, lateness, on_error): changes what is given
 * (NULL: unchanged).  The catalog's CHECK constraints validate the values.
 */
Datum
logscore_rollup_alter(PG_FUNCTION_ARGS)
{
	RollupEntry *entry;
	bool		locked;
	Oid			types[3] = {INT8OID, INTERVALOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	rollup_remember_schema(fcinfo);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("logscore_rollup_alter: name must not be null")));
	if (!PG_ARGISNULL(2))
	{
		char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(2));

		if (strcmp(policy, "skip") != 0 && strcmp(policy, "stop") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("on_error must be 'skip' or 'stop', not '%s'", policy)));
	}
	if (!PG_ARGISNULL(1))
	{
		Interval   *lateness = PG_GETARG_INTERVAL_P(1);
		Interval	zero = {0};

		if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(lateness),
											  IntervalPGetDatum(&zero))) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lateness must not be negative")));
		/* out of range fails here, not in every run */
		(void) DirectFunctionCall2(timestamptz_mi_interval,
								   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
								   IntervalPGetDatum(lateness));
	}
	entry = lookup(text_to_cstring(PG_GETARG_TEXT_PP(0)), true, false, &locked);
	values[0] = Int64GetDatum(entry->id);
	values[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	values[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	nulls[2] = PG_ARGISNULL(2) ? 'n' : ' ';
	catalog_execute(psprintf("UPDATE %s r SET lateness = coalesce($2, r.lateness), "
							 "on_error = coalesce($3, r.on_error) WHERE r.id OPERATOR(pg_catalog.=) $1",
							 catalog_table("logscore_rollups")),
					3, types, values, nulls, SPI_OK_UPDATE);
	PG_RETURN_VOID();
}

/*
 * logscore_rollup_reset(name, watermark DEFAULT NULL): the next run
 * re-aggregates from date_bin(bucket, watermark - lateness) on; from the
 * beginning when watermark is NULL.
 */
Datum
logscore_rollup_reset(PG_FUNCTION_ARGS)
{
	RollupEntry *entry;
	bool		locked;
	Oid			types[2] = {INT8OID, TIMESTAMPTZOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};

	rollup_remember_schema(fcinfo);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("logscore_rollup_reset: name must not be null")));
	entry = lookup(text_to_cstring(PG_GETARG_TEXT_PP(0)), true, false, &locked);
	values[0] = Int64GetDatum(entry->id);
	values[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	catalog_execute(psprintf("UPDATE %s r SET watermark = $2 WHERE r.id OPERATOR(pg_catalog.=) $1",
							 catalog_table("logscore_rollups")),
					2, types, values, nulls, SPI_OK_UPDATE);
	PG_RETURN_VOID();
}

