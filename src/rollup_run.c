/*
 * rollup_run.c
 *	  CALL logscore_rollup_run(name): one run of a rollup, as its owner.
 *	  Whoever calls it (a superuser's pg_cron job, say) needs the owner's
 *	  rights, and the aggregation runs with only those, security-restricted,
 *	  as REFRESH MATERIALIZED VIEW does.  Rows that cannot be rolled up are
 *	  found by bisection and set aside as dead letters, so one bad row never
 *	  stalls the rollup (unless its on_error is 'stop').
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "rollup.h"

PG_FUNCTION_INFO_V1(logscore_rollup_run);

/* Rounds of finding rejects before a run gives up (rows keep arriving). */
#define MAX_CAREFUL_ROUNDS 3

/* The number of the parameters every run statement may use. */
enum
{
	P_BUCKET,					/* interval */
	P_ORIGIN,					/* timestamptz: date_bin's origin */
	P_LOWER,					/* timestamptz: the window's start */
	P_SKIP_TABLES,				/* oid[]: rows set aside, by address ... */
	P_SKIP_CTIDS,				/* tid[] */
	P_SKIP_TIMES,				/* timestamptz[]: ... and by time */
	P_FROM,						/* timestamptz: a probe's first time */
	P_TO,						/* timestamptz: its last */
	P_TABLE,					/* oid: a probe's row */
	P_CTID,						/* tid */
	P_WATERMARK,				/* timestamptz: the previous run's watermark (not
								 * P_NEW, which 18's headers define) */
	P_COUNT
};

typedef struct RunState
{
	RollupEntry *entry;
	char	   *input;			/* qualified names, for statements */
	char	   *target;
	char	   *ext;
	const char *same_test;		/* "%s(t.sketch, EXCLUDED.sketch)" style test */
	char	   *time_column;	/* quoted */
	char	   *group_select;	/* ", i.a, i.b" */
	char	   *group_names;	/* ", a, b" */
	char	   *null_group;		/* "(i.a IS NULL OR i.b IS NULL)" or "false" */
	bool		has_addresses;	/* input has logscore_tableoid, logscore_ctid */
	bool		distributed;	/* the target is a Citus table */
	Oid			types[P_COUNT];
	Datum		values[P_COUNT];
	char		nulls[P_COUNT];
	List	   *known;			/* of RollupReject: set aside by earlier runs */
	List	   *rejects;		/* of RollupReject, in context: by this run */
	MemoryContext context;		/* outlives the run's SPI connection */
	SPIPlanPtr	row_probe;		/* prepared once a run needs it */
} RunState;

/* Plans a statement of the run once, for all its executions. */
static SPIPlanPtr
prepared(RunState *st, const char *query)
{
	SPIPlanPtr	plan = SPI_prepare(query, P_COUNT, st->types);

	if (plan == NULL)
		elog(ERROR, "could not prepare a rollup statement: %s", SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * Runs a statement in a subtransaction.  NULL if it succeeded (its result is
 * in SPI_tuptable), else the error: a data exception (SQLSTATE class 22) or a
 * not-null violation, which the caller decides about; any other error is
 * raised again at once.
 */
static ErrorData *
guarded(RunState *st, SPIPlanPtr plan, int expected)
{
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile error = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		int			rc = SPI_execute_plan(plan, st->values, st->nulls, false, 0);

		if (rc != expected)
			elog(ERROR, "rollup statement failed: %s", SPI_result_code_string(rc));
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(context);
		e = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		if (ERRCODE_TO_CATEGORY(e->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			e->sqlerrcode != ERRCODE_NOT_NULL_VIOLATION)
			ReThrowError(e);
		error = e;
	}
	PG_END_TRY();
	return error;
}

static void
run_plain(RunState *st, const char *query, int expected)
{
	int			rc = SPI_execute_with_args(query, P_COUNT, st->types, st->values,
										   st->nulls, true, 0);

	if (rc != expected)
		elog(ERROR, "rollup statement failed: %s", SPI_result_code_string(rc));
}

/*
 * Whether relid is a Citus table (distributed or reference).  Its rows live
 * in shards on other nodes, where tableoid is the shard's OID there; shards
 * on different workers can have the same OID, so (tableoid, ctid) does not
 * name one row, and setting a failing row aside by it would leave out rows
 * of other shards too.  Such a source is treated as a view: a failing row's
 * whole event time is set aside (and counted).
 */
static bool
citus_table(Oid relid)
{
	Oid			catalog;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	bool		found;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return false;
	catalog = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	if (!OidIsValid(catalog))
		return false;
	rel = table_open(catalog, AccessShareLock);
	/* logicalrelid, a regclass, is the catalog's first column */
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* What the rows set aside so far leave out of every careful statement. */
static const char *
exclusions(RunState *st)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s, " AND i.%s OPERATOR(pg_catalog.<>) ALL ($%d)", st->time_column,
					 P_SKIP_TIMES + 1);
	if (st->has_addresses)
		appendStringInfo(&s,
						 " AND NOT EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest($%d), pg_catalog.unnest($%d)) AS x(t, c)"
						 " WHERE x.t OPERATOR(pg_catalog.=) i.logscore_tableoid"
						 " AND x.c OPERATOR(pg_catalog.=) i.logscore_ctid)",
						 P_SKIP_TABLES + 1, P_SKIP_CTIDS + 1);
	return s.data;
}

/* Sets the parameters that list the rows set aside. */
static void
set_exclusion_params(RunState *st)
{
	int			n = 0;
	int			ntimes = 0;
	ListCell   *lc;
	List	   *all = list_concat_copy(st->known, st->rejects);
	Datum	   *tables = palloc(Max(list_length(all), 1) * sizeof(Datum));
	Datum	   *ctids = palloc(Max(list_length(all), 1) * sizeof(Datum));
	Datum	   *times = palloc(Max(list_length(all), 1) * sizeof(Datum));

	foreach(lc, all)
	{
		RollupReject *r = lfirst(lc);

		if (OidIsValid(r->source_table))
		{
			tables[n] = ObjectIdGetDatum(r->source_table);
			ctids[n] = PointerGetDatum(&r->ctid);
			n++;
		}
		else if (r->has_ts)
			times[ntimes++] = TimestampTzGetDatum(r->ts);
	}
	st->values[P_SKIP_TABLES] = PointerGetDatum(construct_array(tables, n, OIDOID, sizeof(Oid),
																true, TYPALIGN_INT));
	st->values[P_SKIP_CTIDS] = PointerGetDatum(construct_array(ctids, n, TIDOID,
															   sizeof(ItemPointerData), false,
															   TYPALIGN_SHORT));
	st->nulls[P_SKIP_TABLES] = st->nulls[P_SKIP_CTIDS] = st->nulls[P_SKIP_TIMES] = ' ';
	st->values[P_SKIP_TIMES] = PointerGetDatum(construct_array(times, ntimes, TIMESTAMPTZOID,
															   sizeof(TimestampTz),
															   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static void
add_reject(RunState *st, TimestampTz ts, Oid table, ItemPointer ctid, int64 rows,
		   ErrorData *error)
{
	MemoryContext spi = MemoryContextSwitchTo(st->context);
	RollupReject *r = palloc0(sizeof(RollupReject));

	r->has_ts = true;
	r->ts = ts;
	r->source_table = table;
	if (ctid)
		r->ctid = *ctid;
	r->rows = rows;
	strlcpy(r->sqlstate, unpack_sql_state(error->sqlerrcode), sizeof(r->sqlstate));
	r->message = pstrdup(error->message);
	st->rejects = lappend(st->rejects, r);
	MemoryContextSwitchTo(spi);
}

/*
 * The rows of one event time, one statement each: those that fail are set
 * aside with their address.  A source without row addresses (a view) sets
 * aside every row of that time.
 */
static void
reject_rows_at(RunState *st, TimestampTz ts, ErrorData *error)
{
	int			n;
	int			before = list_length(st->rejects);
	Oid		   *tables;
	ItemPointerData *ctids;
	bool		isnull;

	st->values[P_FROM] = TimestampTzGetDatum(ts);
	st->nulls[P_FROM] = ' ';
	if (!st->has_addresses)
	{
		run_plain(st, psprintf("SELECT pg_catalog.count(*) FROM %s i WHERE i.%s OPERATOR(pg_catalog.=) $%d%s",
							   st->input, st->time_column, P_FROM + 1, exclusions(st)),
				  SPI_OK_SELECT);
		add_reject(st, ts, InvalidOid, NULL,
				   DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
				   error);
		return;
	}

	run_plain(st, psprintf("SELECT i.logscore_tableoid, i.logscore_ctid FROM %s i "
						   "WHERE i.%s OPERATOR(pg_catalog.=) $%d%s",
						   st->input, st->time_column, P_FROM + 1, exclusions(st)),
			  SPI_OK_SELECT);
	n = (int) SPI_processed;
	tables = palloc(Max(n, 1) * sizeof(Oid));
	ctids = palloc(Max(n, 1) * sizeof(ItemPointerData));
	for (int i = 0; i < n; i++)
	{
		tables[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		ctids[i] = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}

	if (st->row_probe == NULL)
		st->row_probe = prepared(st, psprintf("SELECT %s.logscore_sketch(i.logscore_value) FROM %s i "
											  "WHERE i.%s OPERATOR(pg_catalog.=) $%d "
											  "AND i.logscore_tableoid OPERATOR(pg_catalog.=) $%d "
											  "AND i.logscore_ctid OPERATOR(pg_catalog.=) $%d",
											  st->ext, st->input, st->time_column, P_FROM + 1,
											  P_TABLE + 1, P_CTID + 1));
	for (int i = 0; i < n; i++)
	{
		ErrorData  *row_error;

		CHECK_FOR_INTERRUPTS();
		st->values[P_TABLE] = ObjectIdGetDatum(tables[i]);
		st->values[P_CTID] = PointerGetDatum(&ctids[i]);
		st->nulls[P_TABLE] = st->nulls[P_CTID] = ' ';
		row_error = guarded(st, st->row_probe, SPI_OK_SELECT);
		if (row_error)
			add_reject(st, ts, tables[i], &ctids[i], 1, row_error);
	}
	/* rows that fail only together (none alone): all of that time go */
	if (list_length(st->rejects) == before)
		for (int i = 0; i < n; i++)
			add_reject(st, ts, tables[i], &ctids[i], 1, error);
}

/* Halves [from, to) of the event times until each failing part is one time. */
static void
bisect(RunState *st, SPIPlanPtr probe, TimestampTz *times, int from, int to)
{
	ErrorData  *error;

	CHECK_FOR_INTERRUPTS();
	st->values[P_FROM] = TimestampTzGetDatum(times[from]);
	st->values[P_TO] = TimestampTzGetDatum(times[to - 1]);
	st->nulls[P_FROM] = st->nulls[P_TO] = ' ';
	error = guarded(st, probe, SPI_OK_SELECT);
	if (error == NULL)
		return;
	if (to - from == 1)
		reject_rows_at(st, times[from], error);
	else
	{
		int			middle = from + (to - from) / 2;

		bisect(st, probe, times, from, middle);
		bisect(st, probe, times, middle, to);
	}
}

/* Finds the rows of the window that cannot be rolled up, and sets them aside. */
static void
find_rejects(RunState *st)
{
	int			n;
	TimestampTz *times;
	bool		isnull;
	SPIPlanPtr	probe;

	set_exclusion_params(st);
	run_plain(st, psprintf("SELECT DISTINCT i.%s FROM %s i WHERE i.%s OPERATOR(pg_catalog.>=) $%d%s ORDER BY 1",
						   st->time_column, st->input, st->time_column, P_LOWER + 1, exclusions(st)),
			  SPI_OK_SELECT);
	n = (int) SPI_processed;
	times = palloc(Max(n, 1) * sizeof(TimestampTz));
	for (int i = 0; i < n; i++)
		times[i] = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	probe = prepared(st, psprintf("SELECT %s.logscore_sketch(i.logscore_value) FROM %s i "
								  "WHERE i.%s OPERATOR(pg_catalog.>=) $%d AND i.%s OPERATOR(pg_catalog.<=) $%d%s",
								  st->ext, st->input, st->time_column, P_FROM + 1, st->time_column,
								  P_TO + 1, exclusions(st)));
	if (n > 0)
		bisect(st, probe, times, 0, n);
	set_exclusion_params(st);
}

/*
 * When a re-aggregated bucket counts as unchanged: the same distribution.
 * The same rows summed in another order (another plan, other shards) give
 * a sum that differs in its last bits, and comparing the bytes would
 * rewrite such a row at every run.  An extension not yet updated to 0.5.0
 * has no logscore_same_distribution (nor =), and compares the bytes send()
 * gives, which are the stored bytes, not decoded.
 */
static const char *
same_sketch_test(const char *ext)
{
	List	   *name = list_make2(makeString(pstrdup(rollup_extension_schema())),
								  makeString("logscore_same_distribution"));

	if (OidIsValid(LookupFuncName(name, -1, NULL, true)))
		return psprintf("%s.logscore_same_distribution(t.sketch, EXCLUDED.sketch)", ext);
	return psprintf("%s.logscore_sketch_send(t.sketch) OPERATOR(pg_catalog.=) "
					"%s.logscore_sketch_send(EXCLUDED.sketch)", ext, ext);
}

/*
 * On a target that is a Citus table, a plain INSERT ... SELECT ... ON
 * CONFLICT, which Citus pushes down as one statement per pair of co-located
 * shards (target distributed by a group column, co-located with the
 * source), or else repartitions; the counts come from count_statement.  A
 * CTE around it, as on one node, would pull every bucket's sketch to the
 * coordinator and send it back.
 */
static char *
distributed_upsert_statement(RunState *st, bool careful)
{
	return psprintf("INSERT INTO %s AS t (bucket%s, sketch)\n"
					"SELECT pg_catalog.date_bin($%d, i.%s, $%d)%s, %s.logscore_sketch(i.logscore_value)\n"
					"FROM %s i WHERE i.%s OPERATOR(pg_catalog.>=) $%d%s%s\n"
					"GROUP BY 1%s\n"
					"ON CONFLICT (bucket%s) DO UPDATE SET sketch = EXCLUDED.sketch\n"
					"WHERE (%s) IS NOT TRUE",
					st->target, st->group_names,
					P_BUCKET + 1, st->time_column, P_ORIGIN + 1, st->group_select, st->ext,
					st->input, st->time_column, P_LOWER + 1, careful ? exclusions(st) : "",
					st->entry->stop_on_error ? "" : psprintf(" AND NOT %s", st->null_group),
					st->group_select, st->group_names, st->same_test);
}

/* What distributed_upsert_statement read: the rows, and new null-group rows. */
static char *
count_statement(RunState *st)
{
	return psprintf("SELECT pg_catalog.count(*) FILTER (WHERE NOT %s),\n"
					"       pg_catalog.count(*) FILTER (WHERE %s AND i.%s OPERATOR(pg_catalog.>=) $%d)\n"
					"FROM %s i WHERE i.%s OPERATOR(pg_catalog.>=) $%d%s",
					st->null_group, st->null_group, st->time_column, P_WATERMARK + 1,
					st->input, st->time_column, P_LOWER + 1, exclusions(st));
}

/*
 * The statement that aggregates the window and upserts what changed, and
 * returns (buckets written, rows rolled up, rows of null groups new to this
 * run): one statement, so that the counts are of the very rows written.
 */
static char *
upsert_statement(RunState *st, bool careful)
{
	const char *keep = st->entry->stop_on_error ? "" : " WHERE NOT null_group";

	if (st->distributed)
		return distributed_upsert_statement(st, careful);

	return psprintf("WITH logscore_rollup_agg AS (\n"
					"  SELECT pg_catalog.date_bin($%d, i.%s, $%d) AS bucket%s,\n"
					"         %s.logscore_sketch(i.logscore_value) AS sketch,\n"
					"         pg_catalog.count(*) AS n, %s AS null_group,\n"
					"         pg_catalog.count(*) FILTER (WHERE i.%s OPERATOR(pg_catalog.>=) $%d) AS new_n\n"
					"  FROM %s i WHERE i.%s OPERATOR(pg_catalog.>=) $%d%s\n"
					"  GROUP BY 1%s\n"
					"), logscore_rollup_upsert AS (\n"
					"  INSERT INTO %s AS t (bucket%s, sketch)\n"
					"  SELECT bucket%s, sketch FROM logscore_rollup_agg%s\n"
					"  ON CONFLICT (bucket%s) DO UPDATE SET sketch = EXCLUDED.sketch\n"
					"  WHERE (%s) IS NOT TRUE\n"
					"  RETURNING 1\n"
					")\n"
					"SELECT (SELECT pg_catalog.count(*) FROM logscore_rollup_upsert),\n"
					"       (SELECT coalesce(pg_catalog.sum(n) FILTER (WHERE NOT null_group), 0)::pg_catalog.int8 FROM logscore_rollup_agg),\n"
					"       (SELECT coalesce(pg_catalog.sum(new_n) FILTER (WHERE null_group), 0)::pg_catalog.int8 FROM logscore_rollup_agg)",
					P_BUCKET + 1, st->time_column, P_ORIGIN + 1, st->group_select,
					st->ext, st->null_group, st->time_column, P_WATERMARK + 1,
					st->input, st->time_column, P_LOWER + 1, careful ? exclusions(st) : "",
					st->group_select,
					st->target, st->group_names, st->group_names, keep, st->group_names,
					st->same_test);
}

/* The rollup's relations, locked, and its source as it was when created. */
static void
check_relations(RunState *st)
{
	RollupEntry *e = st->entry;
	ListCell   *name;
	ListCell   *type;

	LockRelationOid(e->target, RowExclusiveLock);
	LockRelationOid(e->input, AccessShareLock);
	LockRelationOid(e->source, AccessShareLock);
	if (get_rel_name(e->target) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the table of rollup \"%s\" does not exist", e->name),
				 errhint("Drop the rollup with logscore_rollup_drop(%s, false).",
						 quote_literal_cstr(e->name))));
	if (get_rel_name(e->source) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the source of rollup \"%s\" does not exist", e->name)));
	if (get_rel_name(e->input) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the input view of rollup \"%s\" does not exist", e->name),
				 errdetail("It was dropped, perhaps by a DROP ... CASCADE on the source."),
				 errhint("Drop the rollup and create it again.")));

	forboth(name, e->source_columns, type, e->source_types)
	{
		AttrNumber	attnum = get_attnum(e->source, lfirst(name));
		Oid			typid;
		int32		typmod;
		Oid			collid;
		char	   *now;

		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of the source of rollup \"%s\" no longer exists",
							(char *) lfirst(name), e->name),
					 errhint("Drop the rollup and create it again.")));
		get_atttypetypmodcoll(e->source, attnum, &typid, &typmod, &collid);
		now = format_type_with_typemod(typid, typmod);
		if (strcmp(now, lfirst(type)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the source of rollup \"%s\" changed type",
							(char *) lfirst(name), e->name),
					 errdetail("It was %s when the rollup was created and is %s now.",
							   (char *) lfirst(type), now),
					 errhint("A rollup runs only what was bound when it was created; drop it and create it again.")));
	}

	/* a view's functions run as the querying role: here, the owner */
	if (get_rel_relkind(e->source) == RELKIND_VIEW)
	{
		Oid			view_owner = InvalidOid;
		HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(e->source));

		if (HeapTupleIsValid(tuple))
		{
			view_owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
			ReleaseSysCache(tuple);
		}
		if (!has_privs_of_role(view_owner, e->owner))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the source of rollup \"%s\" is a view owned by a role without the privileges of the rollup's owner",
							e->name),
					 errdetail("Functions the view calls would run with the privileges of %s.",
							   GetUserNameFromId(e->owner, false)),
					 errhint("Roll up a table, or a view owned by the rollup's owner.")));
	}
}

static void
prepare(RunState *st)
{
	RollupEntry *e = st->entry;
	StringInfoData select;
	StringInfoData names;
	StringInfoData nulls;
	ListCell   *lc;
	TimestampTz origin;

	st->ext = (char *) quote_identifier(rollup_extension_schema());
	st->same_test = same_sketch_test(st->ext);
	st->input = quote_qualified_identifier(get_namespace_name(get_rel_namespace(e->input)),
										   get_rel_name(e->input));
	st->target = quote_qualified_identifier(get_namespace_name(get_rel_namespace(e->target)),
											get_rel_name(e->target));
	st->time_column = (char *) quote_identifier(e->time_column);
	st->has_addresses = get_attnum(e->input, "logscore_ctid") != InvalidAttrNumber &&
		!citus_table(e->source);
	st->distributed = citus_table(e->target);

	initStringInfo(&select);
	initStringInfo(&names);
	initStringInfo(&nulls);
	foreach(lc, e->group_by)
	{
		const char *column = quote_identifier(lfirst(lc));

		appendStringInfo(&select, ", i.%s", column);
		appendStringInfo(&names, ", %s", column);
		appendStringInfo(&nulls, "%si.%s IS NULL", nulls.len ? " OR " : "(", column);
	}
	if (nulls.len)
		appendStringInfoChar(&nulls, ')');
	else
		appendStringInfoString(&nulls, "false");
	st->group_select = select.data;
	st->group_names = names.data;
	st->null_group = nulls.data;

	st->types[P_BUCKET] = INTERVALOID;
	st->types[P_ORIGIN] = TIMESTAMPTZOID;
	st->types[P_LOWER] = TIMESTAMPTZOID;
	st->types[P_SKIP_TABLES] = OIDARRAYOID;
	st->types[P_SKIP_CTIDS] = TIDARRAYOID;
	st->types[P_SKIP_TIMES] = TIMESTAMPTZARRAYOID;
	st->types[P_FROM] = TIMESTAMPTZOID;
	st->types[P_TO] = TIMESTAMPTZOID;
	st->types[P_TABLE] = OIDOID;
	st->types[P_CTID] = TIDOID;
	st->types[P_WATERMARK] = TIMESTAMPTZOID;
	/* a parameter is null until set: parallel plans serialise all of them */
	memset(st->nulls, 'n', sizeof(st->nulls));
	for (int i = 0; i < P_COUNT; i++)
		st->values[i] = (Datum) 0;
	/* buckets are counted from 2000-01-01 00:00 UTC, the PostgreSQL epoch */
	origin = 0;
	st->values[P_BUCKET] = IntervalPGetDatum(e->bucket);
	st->values[P_ORIGIN] = TimestampTzGetDatum(origin);
	st->nulls[P_BUCKET] = st->nulls[P_ORIGIN] = st->nulls[P_LOWER] = st->nulls[P_WATERMARK] = ' ';
	if (e->has_watermark)
		st->values[P_LOWER] =
			DirectFunctionCall3(timestamptz_bin, IntervalPGetDatum(e->bucket),
								DirectFunctionCall2(timestamptz_mi_interval,
													TimestampTzGetDatum(e->watermark),
													IntervalPGetDatum(e->lateness)),
								TimestampTzGetDatum(origin));
	else
	{
		TimestampTz lower;

		TIMESTAMP_NOBEGIN(lower);
		st->values[P_LOWER] = TimestampTzGetDatum(lower);
	}
	/* null-group rows are counted once: those the previous run did not see */
	st->values[P_WATERMARK] = e->has_watermark ? TimestampTzGetDatum(e->watermark) : st->values[P_LOWER];
	st->known = rollup_known_rejects(e, DatumGetTimestampTz(st->values[P_LOWER]));
	set_exclusion_params(st);
}

static void
report_null_group(RunState *st, ErrorData *error)
{
	ereport(ERROR,
			(errcode(ERRCODE_NOT_NULL_VIOLATION),
			 errmsg("rollup \"%s\" cannot store rows whose group columns are null",
					st->entry->name),
			 errdetail_internal("%s", error->message),
			 errhint("The primary key of a rollup's table does not allow null; set on_error to 'skip' to set such rows aside, or roll up a view of the source that replaces null, e.g. with coalesce().")));
}

/*
 * Aggregates the window and upserts it; with on_error 'skip', rows that
 * fail are found, set aside and the rest rolled up.
 */
static void
aggregate(RunState *st, int64 *buckets, int64 *rows, int64 *null_group_rows)
{
	int			expected = st->distributed ? SPI_OK_INSERT : SPI_OK_SELECT;
	ErrorData  *error = guarded(st, prepared(st, upsert_statement(st, st->known != NIL)), expected);
	bool		isnull;
	int			rows_column;

	for (int round = 0; error != NULL; round++)
	{
		if (error->sqlerrcode == ERRCODE_NOT_NULL_VIOLATION)
			report_null_group(st, error);
		if (st->entry->stop_on_error || round == MAX_CAREFUL_ROUNDS)
			ReThrowError(error);
		find_rejects(st);
		error = guarded(st, prepared(st, upsert_statement(st, true)), expected);
	}
	/* the rows and null-group rows: after the buckets, or from count_statement */
	if (st->distributed)
	{
		*buckets = (int64) SPI_processed;
		run_plain(st, count_statement(st), SPI_OK_SELECT);
		rows_column = 1;
	}
	else
	{
		*buckets = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		rows_column = 2;
	}
	*rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, rows_column, &isnull));
	*null_group_rows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
												   rows_column + 1, &isnull));
}

/*
 * A procedure, so pg_cron runs it with CALL.  It never commits: the
 * caller's transaction holds the run, so a failure undoes all of it.
 */
Datum
logscore_rollup_run(PG_FUNCTION_ARGS)
{
	RunState	st = {0};
	bool		locked;
	RollupRights rights;
	int64		buckets;
	int64		rows;
	int64		null_group_rows;
	int64		rejected = 0;
	ListCell   *lc;
	char	   *lower;

	rollup_remember_schema(fcinfo);
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("logscore_rollup_run: name must not be null")));
	st.entry = rollup_lookup_for_run(text_to_cstring(PG_GETARG_TEXT_PP(0)), &locked);

	/* one run at a time; a second skips rather than queue behind the first */
	if (!locked)
	{
		rollup_record_skip(st.entry);
		ereport(WARNING,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("logscore_rollup_run(%s): skipped, another run of this rollup is in progress",
						st.entry->name),
				 errdetail("The skip is counted in logscore_rollup_health.runs_skipped."),
				 errhint("If this happens at every run, runs take longer than the schedule's interval.")));
		PG_RETURN_VOID();
	}

	check_relations(&st);
	prepare(&st);
	lower = DatumGetCString(DirectFunctionCall1(timestamptz_out, st.values[P_LOWER]));

	st.context = CurrentMemoryContext;
	rollup_connect_as(&rights, st.entry->owner, true);
	aggregate(&st, &buckets, &rows, &null_group_rows);
	rollup_disconnect(&rights);

	if (null_group_rows > 0)
	{
		RollupReject *r = palloc0(sizeof(RollupReject));

		r->rows = null_group_rows;
		strlcpy(r->sqlstate, unpack_sql_state(ERRCODE_NOT_NULL_VIOLATION), sizeof(r->sqlstate));
		r->message = pstrdup("a group column is null");
		st.rejects = lappend(st.rejects, r);
	}
	foreach(lc, st.rejects)
		rejected += ((RollupReject *) lfirst(lc))->rows;
	rollup_record_rejects(st.entry, st.rejects);
	rollup_record_run(st.entry, buckets, rows, rejected);
	if (rejected > 0)
		ereport(WARNING,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("logscore_rollup_run(%s): %lld source rows could not be rolled up",
						st.entry->name, (long long) rejected),
				 errdetail("The first: %s.", ((RollupReject *) linitial(st.rejects))->message),
				 errhint("They are listed in logscore_rollup_rejects; the rollup went on without them.")));
	ereport(NOTICE,
			(errmsg("logscore_rollup_run(%s): %lld buckets, %lld source rows, from %s",
					st.entry->name, (long long) buckets, (long long) rows, lower)));
	PG_RETURN_VOID();
}
