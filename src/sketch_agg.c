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

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "nodes/primnodes.h"
#include "utils/memutils.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_add);
PG_FUNCTION_INFO_V1(logscore_sketch_combine);

/*
 * What a transition returns: in an aggregate, es as a read-write expanded
 * object; called as a plain function, a flat value.
 *
 * Invariant: when a transition is given a read-write expanded state, es is
 * that same object (logscore_sketch_writable returns it).  Every sketch
 * state of an aggregate lives in one shared memory context, and the
 * executor deletes the memory context of a read-write state that a
 * transition did not return, which would free every group's state at once
 * (aggregate_memory.c explains).  Every return path of both transitions
 * comes through here, or returns its first argument unchanged.
 */
static Datum
sketch_result(FunctionCallInfo fcinfo, ExpandedSketch *es, bool in_aggregate)
{
	if (!in_aggregate)
		return logscore_sketch_flat(&es->sketch);
	Assert(PG_ARGISNULL(0) ||
		   !VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))) ||
		   DatumGetEOHP(PG_GETARG_DATUM(0)) == &es->hdr);
	return EOHPGetRWDatum(&es->hdr);
}

/* The error of an accuracy out of range, whichever row asks for it. */
void
logscore_sketch_check_accuracy(double alpha)
{
	/* written so that NaN fails too, as in ls_sketch_init */
	if (!(alpha >= LS_SKETCH_MIN_ALPHA && alpha <= LS_SKETCH_MAX_ALPHA))
		logscore_check_sketch(LS_SKETCH_BAD_ALPHA);
}

/*
 * The error of a logscore_sketch(value, accuracy) whose rows ask for two
 * accuracies.  Serially a row meets a state of another accuracy; under a
 * parallel or partitionwise plan two partial states may meet in the combine
 * function instead.  Both say the same, with the smaller accuracy first, so
 * that no plan can be told apart by its error; each accuracy is written out
 * in full (shortest exact digits, whatever extra_float_digits says), so two
 * accuracies that differ never read the same.  The moving-aggregate form
 * (sketch_window_agg.c) says it in the same words.
 */
void
logscore_sketch_accuracy_mismatch(double a, double b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("logscore_sketch accuracy must be the same on every row"),
			 errdetail("Rows ask for accuracy %s and for accuracy %s.",
					   double_to_shortest_decimal(Min(a, b)),
					   double_to_shortest_decimal(Max(a, b))),
			 errhint("Pass one accuracy for all rows, or group by the accuracy so that each sketch has one.")));
}

/*
 * logscore_sketch_add(state logscore_sketch, value float8 [, accuracy float8])
 *
 * The accuracy of the first row that creates the state is the sketch's, and
 * every later row must ask for the same: a row that asked for another would
 * be sketched at the first row's accuracy serially, while under a parallel
 * plan it may start a worker's state that then cannot be combined.  A NULL
 * accuracy is the default one, on whichever row it comes.
 */
Datum
logscore_sketch_add(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	bool		in_aggregate = AggCheckCallContext(fcinfo, &aggcontext) != 0;
	MemoryContext states = in_aggregate ?
	logscore_aggregate_states(aggcontext) : CurrentMemoryContext;
	ExpandedSketch *es;
	double		alpha = LS_SKETCH_DEFAULT_ALPHA;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		alpha = PG_GETARG_FLOAT8(2);

	if (PG_ARGISNULL(0))
		es = logscore_sketch_new(alpha, states);
	else
	{
		if (in_aggregate)
			es = logscore_sketch_writable(PG_GETARG_DATUM(0), aggcontext, states);
		else
			es = logscore_sketch_copy(PG_GETARG_DATUM(0), states);
		if (PG_NARGS() > 2 && alpha != es->sketch.alpha)
		{
			/* an accuracy out of range is that error on any row */
			logscore_sketch_check_accuracy(alpha);
			logscore_sketch_accuracy_mismatch(es->sketch.alpha, alpha);
		}
	}

	logscore_check_sketch(ls_sketch_add(&es->sketch, PG_GETARG_FLOAT8(1)));
	PG_RETURN_DATUM(sketch_result(fcinfo, es, in_aggregate));
}

/*
 * Whether the combine function runs for logscore_sketch(value, accuracy),
 * merging the partial states of its rows: the Aggref keeps the types of the
 * aggregate's own arguments (two) even when its arguments have become the
 * partial states, which logscore_merge(sketch) and logscore_sketch(value)
 * never have two of.
 */
static bool
combines_sketch_with_accuracy(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);

	return aggref != NULL && DO_AGGSPLIT_COMBINE(aggref->aggsplit) &&
		list_length(aggref->aggargtypes) == 2;
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
	logscore_aggregate_states(aggcontext) : CurrentMemoryContext;
	ExpandedSketch *es;
	ls_sketch	scratch;
	const ls_sketch *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	/* the other state may belong to another group: always copy it */
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(sketch_result(fcinfo, logscore_sketch_copy(PG_GETARG_DATUM(1), states),
									  in_aggregate));

	if (in_aggregate)
		es = logscore_sketch_writable(PG_GETARG_DATUM(0), aggcontext, states);
	else
		es = logscore_sketch_copy(PG_GETARG_DATUM(0), states);
	other = logscore_sketch_read(PG_GETARG_DATUM(1), &scratch);
	if (other->alpha != es->sketch.alpha && combines_sketch_with_accuracy(fcinfo))
		logscore_sketch_accuracy_mismatch(es->sketch.alpha, other->alpha);
	logscore_check_sketch(ls_sketch_merge(&es->sketch, other));
	PG_RETURN_DATUM(sketch_result(fcinfo, es, in_aggregate));
}
