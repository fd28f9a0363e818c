/*
 * sketch_agg.c
 *	  The transition and combine functions behind the aggregates
 *	  logscore_sketch(value [, accuracy]) and logscore_merge(sketch).
 *
 * Inside an aggregate the state is a read-write expanded sketch in the
 * aggregate's memory context, changed in place row after row.  Called as
 * plain functions they never change their arguments and return flat values.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/memutils.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_add);
PG_FUNCTION_INFO_V1(logscore_sketch_combine);

/* A new expanded sketch holding what d holds, in context. */
static ExpandedSketch *
sketch_copy(Datum d, MemoryContext context)
{
	ls_sketch	scratch;
	const ls_sketch *source = logscore_sketch_read(d, &scratch);
	ExpandedSketch *es = logscore_sketch_new(source->alpha, context);

	logscore_check_sketch(ls_sketch_merge(&es->sketch, source), NULL);
	return es;
}

static Datum
sketch_result(ExpandedSketch *es, bool in_aggregate)
{
	if (in_aggregate)
		return EOHPGetRWDatum(&es->hdr);
	return logscore_sketch_flat(&es->sketch);
}

/*
 * logscore_sketch_add(state logscore_sketch, value float8 [, accuracy float8])
 * The accuracy of the first row that creates the state is the sketch's.
 */
Datum
logscore_sketch_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	MemoryContext states = in_aggregate ?
	logscore_aggregate_states(fcinfo, aggcontext) : CurrentMemoryContext;
	ExpandedSketch *es;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	if (PG_ARGISNULL(0))
	{
		double		alpha = LS_SKETCH_DEFAULT_ALPHA;

		if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
			alpha = PG_GETARG_FLOAT8(2);
		es = logscore_sketch_new(alpha, states);
	}
	else if (in_aggregate)
		es = logscore_sketch_writable(PG_GETARG_DATUM(0), aggcontext, states);
	else
		es = sketch_copy(PG_GETARG_DATUM(0), states);

	logscore_check_sketch(ls_sketch_add(&es->sketch, PG_GETARG_FLOAT8(1)), NULL);
	PG_RETURN_DATUM(sketch_result(es, in_aggregate));
}

/*
 * logscore_sketch_combine(state logscore_sketch, other logscore_sketch):
 * the combine function of both aggregates, and logscore_merge's transition.
 */
Datum
logscore_sketch_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	MemoryContext states = in_aggregate ?
	logscore_aggregate_states(fcinfo, aggcontext) : CurrentMemoryContext;
	ExpandedSketch *es;
	ls_sketch	scratch;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	/* the other state may belong to another group: always copy it */
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(sketch_result(sketch_copy(PG_GETARG_DATUM(1), states), in_aggregate));

	if (in_aggregate)
		es = logscore_sketch_writable(PG_GETARG_DATUM(0), aggcontext, states);
	else
		es = sketch_copy(PG_GETARG_DATUM(0), states);
	logscore_check_sketch(ls_sketch_merge(&es->sketch,
										  logscore_sketch_read(PG_GETARG_DATUM(1), &scratch)),
						  NULL);
	PG_RETURN_DATUM(sketch_result(es, in_aggregate));
}
