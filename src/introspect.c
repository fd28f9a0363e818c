/*
 * introspect.c
 *	  logscore_stages() and logscore_explain(): what stages exist, and how a
 *	  pipeline text compiles.  Both read the core's registry.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_stages);
PG_FUNCTION_INFO_V1(logscore_explain);

/* logscore_stages() → TABLE(name, kind, params, description) */
Datum
logscore_stages(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (size_t i = 0; i < ls_stage_count(); i++)
	{
		const ls_stage *stage = ls_stage_at(i);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(stage->name);
		values[1] = CStringGetTextDatum(ls_kind_name(stage->kind));
		values[2] = CStringGetTextDatum(stage->params);
		values[3] = CStringGetTextDatum(stage->description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* logscore_explain(pipeline text DEFAULT NULL) → TABLE(step, stage, args) */
Datum
logscore_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const ls_pipeline *p;

	InitMaterializedSRF(fcinfo, 0);
	p = logscore_pipeline_arg(fcinfo, 0);
	for (int i = 0; i < p->nsteps; i++)
	{
		const ls_step *step = &p->steps[i];
		Datum		args[LS_MAX_ARGS];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		for (int a = 0; a < step->stage->nargs; a++)
			args[a] = Int64GetDatum(step->args[a]);
		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(step->stage->name);
		values[2] = PointerGetDatum(construct_array(args, step->stage->nargs, INT8OID,
													sizeof(int64), true, TYPALIGN_DOUBLE));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
