/*
 * sketch_access.c
 *	  What a dashboard reads from a logscore_sketch: quantiles, ranks, count,
 *	  sum, mean, standard deviation, extremes, and all of them in one row.
 *	  An empty sketch gives NULL for every statistic but its count.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_quantile);
PG_FUNCTION_INFO_V1(logscore_sketch_quantiles);
PG_FUNCTION_INFO_V1(logscore_sketch_rank);
PG_FUNCTION_INFO_V1(logscore_sketch_count);
PG_FUNCTION_INFO_V1(logscore_sketch_sum);
PG_FUNCTION_INFO_V1(logscore_sketch_mean);
PG_FUNCTION_INFO_V1(logscore_sketch_stddev);
PG_FUNCTION_INFO_V1(logscore_sketch_min);
PG_FUNCTION_INFO_V1(logscore_sketch_max);
PG_FUNCTION_INFO_V1(logscore_sketch_summary);
PG_FUNCTION_INFO_V1(logscore_same_distribution);

#define READ_SKETCH(name) \
	ls_sketch	name##_scratch; \
	const ls_sketch *name = logscore_sketch_read(PG_GETARG_DATUM(0), &name##_scratch)

/* As percentile_disc() does, refuse fractions outside [0, 1]. */
static void
check_fraction(double q)
{
	if (isnan(q) || q < 0 || q > 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", q)));
}

Datum
logscore_sketch_quantile(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);
	double		q = PG_GETARG_FLOAT8(1);

	check_fraction(q);
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ls_sketch_quantile(s, q));
}

/* logscore_quantiles(sketch, fractions float8[]) → float8[], same shape */
Datum
logscore_sketch_quantiles(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);
	ArrayType  *fractions = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(fractions) == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	deconstruct_array(fractions, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		check_fraction(DatumGetFloat8(elems[i]));
		if (s->count == 0)
			nulls[i] = true;
		else
			elems[i] = Float8GetDatum(ls_sketch_quantile(s, DatumGetFloat8(elems[i])));
	}
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, ARR_NDIM(fractions),
											 ARR_DIMS(fractions), ARR_LBOUND(fractions),
											 FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}

Datum
logscore_sketch_rank(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);
	double		x = PG_GETARG_FLOAT8(1);

	if (isnan(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logscore_rank of NaN is undefined")));
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ls_sketch_rank(s, x));
}

Datum
logscore_sketch_count(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	PG_RETURN_INT64((int64) s->count);
}

Datum
logscore_sketch_sum(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sum);
}

Datum
logscore_sketch_mean(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->mean);
}

Datum
logscore_sketch_stddev(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	if (s->count < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ls_sketch_stddev(s));
}

Datum
logscore_sketch_min(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->min);
}

Datum
logscore_sketch_max(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->max);
}

/* logscore_summary(sketch) → (count, mean, stddev, min, p50, p90, p95, p99, max) */
Datum
logscore_sketch_summary(PG_FUNCTION_ARGS)
{
	READ_SKETCH(s);
	static const double fractions[] = {0.5, 0.9, 0.95, 0.99};
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9];
	bool		empty = (s->count == 0);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "logscore_summary must return a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	for (int i = 0; i < 9; i++)
		nulls[i] = empty;
	values[0] = Int64GetDatum((int64) s->count);
	nulls[0] = false;
	if (!empty)
	{
		values[1] = Float8GetDatum(s->mean);
		values[2] = Float8GetDatum(ls_sketch_stddev(s));
		nulls[2] = (s->count < 2);
		values[3] = Float8GetDatum(s->min);
		for (int i = 0; i < 4; i++)
			values[4 + i] = Float8GetDatum(ls_sketch_quantile(s, fractions[i]));
		values[8] = Float8GetDatum(s->max);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * logscore_same_distribution(a, b): what a rollup asks before it rewrites a
 * stored sketch.  Sums are left out (see ls_sketch_same_distribution).
 *
 * Two stored sketches with the same bytes are the same sketch (a stored
 * value is the canonical encoding, see logscore_sketch_recv), so they are
 * not decoded; that is the common case of a rollup run, where most buckets
 * it aggregates again have not changed.  Otherwise both are decoded and
 * compared without their sums.
 */
Datum
logscore_same_distribution(PG_FUNCTION_ARGS)
{
	Datum		a_datum = PG_GETARG_DATUM(0);
	Datum		b_datum = PG_GETARG_DATUM(1);
	ls_sketch	a_scratch;
	ls_sketch	b_scratch;
	const ls_sketch *a;
	const ls_sketch *b;

	if (!logscore_sketch_is_expanded(a_datum) && !logscore_sketch_is_expanded(b_datum))
	{
		struct varlena *a_flat = PG_DETOAST_DATUM_PACKED(a_datum);
		struct varlena *b_flat = PG_DETOAST_DATUM_PACKED(b_datum);

		if (VARSIZE_ANY_EXHDR(a_flat) == VARSIZE_ANY_EXHDR(b_flat) &&
			memcmp(VARDATA_ANY(a_flat), VARDATA_ANY(b_flat), VARSIZE_ANY_EXHDR(a_flat)) == 0)
			PG_RETURN_BOOL(true);
		/* detoasted once: the decoding below reads these */
		a_datum = PointerGetDatum(a_flat);
		b_datum = PointerGetDatum(b_flat);
	}
	a = logscore_sketch_read(a_datum, &a_scratch);
	b = logscore_sketch_read(b_datum, &b_scratch);
	PG_RETURN_BOOL(ls_sketch_same_distribution(a, b));
}
