/*
 * ls_test_fmgr.c
 *	  Test-only: runs an aggregate's transition or combine function the way
 *	  Citus's worker_partial_agg and coord_combine_agg do, with a fresh
 *	  FmgrInfo, in memory freed after the call, for every row.  An aggregate
 *	  that keeps anything in fn_extra or fn_mcxt across rows fails here; one
 *	  that keeps its state in the aggregate context gives the result it gives
 *	  under nodeAgg.
 *
 *	  transient_partial(agg, x [, y]) folds rows with agg's transition
 *	  function; transient_combine(agg, state) folds states with its combine
 *	  function.  Both return the state's text form.  transient_call(fn, x
 *	  [, ...]) calls a plain function so, once per row, and returns its
 *	  result's text form: a function that caches in fn_extra must rebuild
 *	  its cache each time and give the same answer.  Never installed: the
 *	  regression suite loads it by path.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "fmgr.h"
#include "utils/datum.h"
#include "utils/expandeddatum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

typedef struct TransientState
{
	Oid			fn;
	bool		strict;
	Oid			transtype;
	int16		typlen;
	bool		typbyval;
	Datum		value;
	bool		isnull;
} TransientState;

static TransientState *
state_for(FunctionCallInfo fcinfo, MemoryContext aggcontext, bool combine)
{
	Oid			aggregate = PG_GETARG_OID(1);
	HeapTuple	tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggregate));
	Form_pg_aggregate agg;
	TransientState *state;
	Datum		initval;
	bool		initnull;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "%u is not an aggregate", aggregate);
	agg = (Form_pg_aggregate) GETSTRUCT(tuple);
	state = MemoryContextAllocZero(aggcontext, sizeof(TransientState));
	state->fn = combine ? agg->aggcombinefn : agg->aggtransfn;
	if (!OidIsValid(state->fn))
		elog(ERROR, "aggregate %u has no combine function", aggregate);
	state->strict = func_strict(state->fn);
	state->transtype = agg->aggtranstype;
	get_typlenbyval(state->transtype, &state->typlen, &state->typbyval);
	initval = SysCacheGetAttr(AGGFNOID, tuple, Anum_pg_aggregate_agginitval, &initnull);
	state->isnull = true;
	if (!initnull)
	{
		Oid			input;
		Oid			ioparam;
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		getTypeInputInfo(state->transtype, &input, &ioparam);
		state->value = OidInputFunctionCall(input, TextDatumGetCString(initval), ioparam, -1);
		state->isnull = false;
		MemoryContextSwitchTo(old);
	}
	ReleaseSysCache(tuple);
	return state;
}

static Datum
transient_step(FunctionCallInfo fcinfo, bool combine)
{
	MemoryContext aggcontext;
	TransientState *state;
	int			nargs = PG_NARGS() - 2;
	MemoryContext transient;
	MemoryContext old;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	Datum		result;
	int			i;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "transient_step called outside an aggregate");
	state = PG_ARGISNULL(0) ? state_for(fcinfo, aggcontext, combine) :
		(TransientState *) PG_GETARG_POINTER(0);

	if (state->strict)
	{
		for (i = 0; i < nargs; i++)
			if (PG_ARGISNULL(i + 2))
				PG_RETURN_POINTER(state);
		if (state->isnull)
		{
			/* a strict function's first input becomes the state, as in nodeAgg */
			state->value = datumCopy(PG_GETARG_DATUM(2), state->typbyval, state->typlen);
			state->isnull = false;
			PG_RETURN_POINTER(state);
		}
	}

	transient = AllocSetContextCreate(CurrentMemoryContext, "transient FmgrInfo",
									  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(transient);
	fmgr_info(state->fn, &flinfo);
	InitFunctionCallInfoData(*inner, &flinfo, nargs + 1, PG_GET_COLLATION(), fcinfo->context, NULL);
	inner->args[0].value = state->value;
	inner->args[0].isnull = state->isnull;
	for (i = 0; i < nargs; i++)
	{
		inner->args[i + 1].value = PG_GETARG_DATUM(i + 2);
		inner->args[i + 1].isnull = PG_ARGISNULL(i + 2);
	}
	result = FunctionCallInvoke(inner);
	MemoryContextSwitchTo(old);

	/* keep what the function keeps in the aggregate context, copy the rest */
	if (inner->isnull)
		state->isnull = true;
	else if (state->typbyval)
		state->value = result;
	else if (!(DatumIsReadWriteExpandedObject(result, false, state->typlen) &&
			   MemoryContextGetParent(DatumGetEOHP(result)->eoh_context) == aggcontext))
	{
		MemoryContext keep = MemoryContextSwitchTo(aggcontext);

		state->value = datumCopy(result, false, state->typlen);
		MemoryContextSwitchTo(keep);
	}
	else
		state->value = result;
	if (!inner->isnull)
		state->isnull = false;

	/* the FmgrInfo's memory goes now, as a per-row context's would */
	MemoryContextDelete(transient);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(ls_test_transient_transition);
Datum
ls_test_transient_transition(PG_FUNCTION_ARGS)
{
	return transient_step(fcinfo, false);
}

PG_FUNCTION_INFO_V1(ls_test_transient_combine);
Datum
ls_test_transient_combine(PG_FUNCTION_ARGS)
{
	return transient_step(fcinfo, true);
}

PG_FUNCTION_INFO_V1(ls_test_transient_final);
Datum
ls_test_transient_final(PG_FUNCTION_ARGS)
{
	TransientState *state = PG_ARGISNULL(0) ? NULL : (TransientState *) PG_GETARG_POINTER(0);
	Oid			output;
	bool		varlena;

	if (state == NULL || state->isnull)
		PG_RETURN_NULL();
	getTypeOutputInfo(state->transtype, &output, &varlena);
	PG_RETURN_TEXT_P(cstring_to_text(OidOutputFunctionCall(output, state->value)));
}

PG_FUNCTION_INFO_V1(ls_test_transient_call);
Datum
ls_test_transient_call(PG_FUNCTION_ARGS)
{
	Oid			fn = PG_GETARG_OID(0);
	int			nargs = PG_NARGS() - 1;
	MemoryContext transient;
	MemoryContext old;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	Datum		result;
	Oid			output;
	bool		varlena;
	char	   *text = NULL;

	transient = AllocSetContextCreate(CurrentMemoryContext, "transient FmgrInfo",
									  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(transient);
	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*inner, &flinfo, nargs, PG_GET_COLLATION(), NULL, NULL);
	for (int i = 0; i < nargs; i++)
	{
		inner->args[i].value = PG_GETARG_DATUM(i + 1);
		inner->args[i].isnull = PG_ARGISNULL(i + 1);
	}
	if (!(flinfo.fn_strict && PG_ARGISNULL(1)))
	{
		result = FunctionCallInvoke(inner);
		if (!inner->isnull)
		{
			getTypeOutputInfo(get_func_rettype(fn), &output, &varlena);
			text = OidOutputFunctionCall(output, result);
		}
	}
	MemoryContextSwitchTo(old);
	if (text != NULL)
		text = pstrdup(text);
	MemoryContextDelete(transient);
	if (text == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(text));
}
