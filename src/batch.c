/*
 * batch.c
 *	  logscore_array() and logscore_batch(): a whole array scored in one call,
 *	  through the core's batch loop.  Arrays of any shape are read in storage
 *	  order; NULL elements stay NULL.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_array);
PG_FUNCTION_INFO_V1(logscore_batch);
PG_FUNCTION_INFO_V1(logscore_array_explicit);
PG_FUNCTION_INFO_V1(logscore_batch_explicit);

/* Enough values between interrupt checks to keep the loop's cost invisible. */
#define INTERRUPT_STRIDE 65536

/* The non-NULL elements of an array, densely, and where each one came from. */
typedef struct DenseValues
{
	int			nitems;			/* elements in the array, NULLs included */
	int			nvalues;		/* non-NULL elements */
	int64	   *values;			/* nvalues scores after score_dense() */
	bool	   *isnull;			/* nvalues flags: score became NULL */
	bool	   *input_null;		/* nitems flags, or NULL when none is */
} DenseValues;

static void
load_dense(ArrayType *array, DenseValues *dense)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (!ARR_HASNULL(array))
	{
		n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
		dense->nitems = dense->nvalues = n;
		dense->values = palloc(sizeof(int64) * Max(n, 1));
		memcpy(dense->values, ARR_DATA_PTR(array), sizeof(int64) * n);
		dense->input_null = NULL;
	}
	else
	{
		deconstruct_array(array, INT8OID, sizeof(int64), true, TYPALIGN_DOUBLE,
						  &elems, &nulls, &n);
		dense->nitems = n;
		dense->nvalues = 0;
		dense->values = palloc(sizeof(int64) * Max(n, 1));
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				dense->values[dense->nvalues++] = DatumGetInt64(elems[i]);
		dense->input_null = nulls;
	}
	dense->isnull = palloc0(sizeof(bool) * Max(dense->nvalues, 1));
}

/* The 1-based array position of the dense value at index i. */
static int
dense_array_position(const DenseValues *dense, int i)
{
	if (dense->input_null == NULL)
		return i + 1;
	for (int pos = 0; pos < dense->nitems; pos++)
		if (!dense->input_null[pos] && i-- == 0)
			return pos + 1;
	return 0;
}

static void
score_dense(const ls_pipeline *p, ls_overflow_mode mode, bool setting_applies, DenseValues *dense)
{
	for (int start = 0; start < dense->nvalues; start += INTERRUPT_STRIDE)
	{
		int			len = Min(INTERRUPT_STRIDE, dense->nvalues - start);
		ls_fault	fault;

		CHECK_FOR_INTERRUPTS();
		if (ls_pipeline_apply_batch(p, mode, dense->values + start,
									dense->isnull + start, len, &fault) == LS_APPLY_OVERFLOW)
			logscore_report_overflow(p, &fault, setting_applies,
									 dense_array_position(dense, start + (int) fault.index));
	}
}

/*
 * The common case, an array without NULLs scored without NULLs: the scores
 * overwrite a private copy of the array, so the result needs no further
 * copying.  Returns false when a score became NULL; the copy is then
 * abandoned and the general path builds the result from the argument.
 */
static bool
score_array_in_place(const ls_pipeline *p, ls_overflow_mode mode, bool setting_applies,
					 ArrayType *array)
{
	int			n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	int64	   *values = (int64 *) ARR_DATA_PTR(array);
	bool	   *isnull = NULL;

	if (mode == LS_OVERFLOW_NULL)
		isnull = palloc(sizeof(bool) * Min(n, INTERRUPT_STRIDE));
	for (int start = 0; start < n; start += INTERRUPT_STRIDE)
	{
		int			len = Min(INTERRUPT_STRIDE, n - start);
		ls_fault	fault;

		CHECK_FOR_INTERRUPTS();
		if (ls_pipeline_apply_batch(p, mode, values + start, isnull, len, &fault) == LS_APPLY_OVERFLOW)
			logscore_report_overflow(p, &fault, setting_applies, start + (int) fault.index + 1);
		if (isnull && memchr(isnull, true, len) != NULL)
			return false;
	}
	return true;
}

/*
 * logscore_array(vals bigint[], pipeline text DEFAULT NULL) → bigint[] and
 * logscore_array(vals, pipeline, on_overflow): same shape and bounds as the
 * input.
 */
static Datum
score_array(FunctionCallInfo fcinfo, ls_overflow_mode mode, bool setting_applies)
{
	ArrayType  *array;
	const ls_pipeline *p;
	DenseValues dense;
	Datum	   *out;
	bool	   *outnull;
	int			next = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	p = logscore_pipeline_arg(fcinfo, 1);

	array = PG_GETARG_ARRAYTYPE_P_COPY(0);
	if (ARR_NDIM(array) == 0)
		PG_RETURN_ARRAYTYPE_P(array);
	if (!ARR_HASNULL(array) && score_array_in_place(p, mode, setting_applies, array))
		PG_RETURN_ARRAYTYPE_P(array);

	/* NULLs in or out: score the values densely, then rebuild */
	array = PG_GETARG_ARRAYTYPE_P(0);
	load_dense(array, &dense);
	score_dense(p, mode, setting_applies, &dense);

	out = palloc(sizeof(Datum) * dense.nitems);
	outnull = palloc(sizeof(bool) * dense.nitems);
	for (int i = 0; i < dense.nitems; i++)
	{
		outnull[i] = dense.input_null != NULL && dense.input_null[i];
		if (outnull[i])
			continue;
		outnull[i] = dense.isnull[next];
		out[i] = Int64GetDatum(dense.values[next]);
		next++;
	}
	PG_RETURN_ARRAYTYPE_P(construct_md_array(out, outnull, ARR_NDIM(array),
											 ARR_DIMS(array), ARR_LBOUND(array),
											 INT8OID, sizeof(int64), true,
											 TYPALIGN_DOUBLE));
}

Datum
logscore_array(PG_FUNCTION_ARGS)
{
	return score_array(fcinfo, logscore_setting_on_overflow(), true);
}

Datum
logscore_array_explicit(PG_FUNCTION_ARGS)
{
	return score_array(fcinfo, logscore_overflow_arg(fcinfo, 2), false);
}

/*
 * logscore_batch(vals bigint[], pipeline text DEFAULT NULL [, on_overflow])
 *   → TABLE(ord int, value bigint, score bigint)
 * ord is the 1-based position in storage order, whatever the array's bounds.
 */
static Datum
score_batch(FunctionCallInfo fcinfo, ls_overflow_mode mode, bool setting_applies)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *array;
	const ls_pipeline *p;
	DenseValues dense;
	int64	   *inputs;
	int			next = 0;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	array = PG_GETARG_ARRAYTYPE_P(0);
	p = logscore_pipeline_arg(fcinfo, 1);
	if (ARR_NDIM(array) == 0)
		return (Datum) 0;

	load_dense(array, &dense);
	inputs = palloc(sizeof(int64) * Max(dense.nvalues, 1));
	memcpy(inputs, dense.values, sizeof(int64) * dense.nvalues);
	score_dense(p, mode, setting_applies, &dense);

	for (int i = 0; i < dense.nitems; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i + 1);
		if (dense.input_null != NULL && dense.input_null[i])
			nulls[1] = nulls[2] = true;
		else
		{
			values[1] = Int64GetDatum(inputs[next]);
			values[2] = Int64GetDatum(dense.values[next]);
			nulls[2] = dense.isnull[next];
			next++;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		if (i % INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

Datum
logscore_batch(PG_FUNCTION_ARGS)
{
	return score_batch(fcinfo, logscore_setting_on_overflow(), true);
}

Datum
logscore_batch_explicit(PG_FUNCTION_ARGS)
{
	return score_batch(fcinfo, logscore_overflow_arg(fcinfo, 2), false);
}
