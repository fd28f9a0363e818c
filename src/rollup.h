/*
 * rollup.h
 *	  What the rollup glue files share: a rollup's catalog row as the run
 *	  reads it, and the switch to another role's rights for a few statements.
 */
#ifndef LOGSCORE_ROLLUP_H
#define LOGSCORE_ROLLUP_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "storage/itemptr.h"

/* One row of logscore_rollups. */
typedef struct RollupEntry
{
	int64		id;
	char	   *name;			/* canonical: schema.table, quoted as needed */
	Oid			owner;
	Oid			target;
	Oid			source;
	Oid			input;			/* the view that binds value_expr */
	char	   *time_column;
	Interval   *bucket;
	Interval   *lateness;
	bool		has_watermark;
	TimestampTz watermark;
	bool		stop_on_error;	/* on_error = 'stop' */
	List	   *group_by;		/* of char * */
	List	   *source_columns; /* of char *: the source columns input reads */
	List	   *source_types;	/* of char *: their types when it was created */
} RollupEntry;

/*
 * The user and settings before a switch: SPI statements between
 * rollup_connect_as and rollup_disconnect run as another role, with
 * search_path = pg_catalog, pg_temp.
 */
typedef struct RollupRights
{
	Oid			saved_user;
	int			saved_context;
	int			guc_level;
} RollupRights;

/* rollup_catalog.c */
extern void rollup_remember_schema(FunctionCallInfo fcinfo);
extern void rollup_connect_as(RollupRights *rights, Oid role, bool restricted);
extern void rollup_disconnect(RollupRights *rights);
extern char *rollup_extension_schema(void);
extern RollupEntry *rollup_lookup_for_run(const char *given, bool *locked);
extern void rollup_record_skip(const RollupEntry *entry);
extern void rollup_record_run(const RollupEntry *entry, int64 buckets, int64 rows,
							  int64 rejected);

/* A row (or rows, where the source has no row address) a run left out. */
typedef struct RollupReject
{
	bool		has_ts;
	TimestampTz ts;
	Oid			source_table;	/* InvalidOid: no row address */
	ItemPointerData ctid;
	int64		rows;
	char		sqlstate[6];
	char	   *message;
} RollupReject;

extern void rollup_record_rejects(const RollupEntry *entry, List *rejects);
extern List *rollup_known_rejects(const RollupEntry *entry, TimestampTz lower);

#endif							/* LOGSCORE_ROLLUP_H */
