/*
 * equality.c
 *	  = and hashing for logscore_sketch and logscore_ewm, on their canonical
 *	  bytes, so that DISTINCT, UNION, GROUP BY and hash joins work on them.
 *
 * Every stored value of either type is what its encoder writes: input,
 * receive and the aggregates encode what they have checked, except that a
 * sketch's receive keeps the bytes it got once decoding has shown them to be
 * the encoder's own.  So two values are equal exactly when their bytes are:
 * the same accuracy, counts, extremes and buckets, and the same float sums
 * to the bit.  Sketches equal but for the last bits of a sum are what
 * logscore_same_distribution is for.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/expandeddatum.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_eq);
PG_FUNCTION_INFO_V1(logscore_sketch_hash);
PG_FUNCTION_INFO_V1(logscore_sketch_hash_extended);
PG_FUNCTION_INFO_V1(logscore_ewm_eq);
PG_FUNCTION_INFO_V1(logscore_ewm_hash);
PG_FUNCTION_INFO_V1(logscore_ewm_hash_extended);

/* A sketch's canonical bytes: its stored form, or an expanded one encoded. */
static const uint8 *
sketch_bytes(Datum d, size_t *length)
{
	struct varlena *flat;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		const ls_sketch *s = &((ExpandedSketch *) DatumGetEOHP(d))->sketch;
		uint8	   *bytes = palloc(ls_sketch_encoded_size(s));

		*length = ls_sketch_encode(s, bytes);
		return bytes;
	}
	flat = PG_DETOAST_DATUM_PACKED(d);
	*length = VARSIZE_ANY_EXHDR(flat);
	return (const uint8 *) VARDATA_ANY(flat);
}

static bool
same_bytes(const uint8 *a, size_t a_length, const uint8 *b, size_t b_length)
{
	return a_length == b_length && memcmp(a, b, a_length) == 0;
}

Datum
logscore_sketch_eq(PG_FUNCTION_ARGS)
{
	size_t		a_length;
	size_t		b_length;
	const uint8 *a = sketch_bytes(PG_GETARG_DATUM(0), &a_length);
	const uint8 *b = sketch_bytes(PG_GETARG_DATUM(1), &b_length);

	PG_RETURN_BOOL(same_bytes(a, a_length, b, b_length));
}

Datum
logscore_sketch_hash(PG_FUNCTION_ARGS)
{
	size_t		length;
	const uint8 *bytes = sketch_bytes(PG_GETARG_DATUM(0), &length);

	return hash_any(bytes, (int) length);
}

Datum
logscore_sketch_hash_extended(PG_FUNCTION_ARGS)
{
	size_t		length;
	const uint8 *bytes = sketch_bytes(PG_GETARG_DATUM(0), &length);

	return hash_any_extended(bytes, (int) length, PG_GETARG_INT64(1));
}

/* An ewm's bytes past the varlena header: version, reserved zeros, fields. */
static const uint8 *
ewm_bytes(FunctionCallInfo fcinfo, int argno, size_t *length)
{
	LogscoreEwm *value = logscore_ewm_arg(fcinfo, argno);

	*length = sizeof(LogscoreEwm) - VARHDRSZ;
	return (const uint8 *) value + VARHDRSZ;
}

Datum
logscore_ewm_eq(PG_FUNCTION_ARGS)
{
	size_t		a_length;
	size_t		b_length;
	const uint8 *a = ewm_bytes(fcinfo, 0, &a_length);
	const uint8 *b = ewm_bytes(fcinfo, 1, &b_length);

	PG_RETURN_BOOL(same_bytes(a, a_length, b, b_length));
}

Datum
logscore_ewm_hash(PG_FUNCTION_ARGS)
{
	size_t		length;
	const uint8 *bytes = ewm_bytes(fcinfo, 0, &length);

	return hash_any(bytes, (int) length);
}

Datum
logscore_ewm_hash_extended(PG_FUNCTION_ARGS)
{
	size_t		length;
	const uint8 *bytes = ewm_bytes(fcinfo, 0, &length);

	return hash_any_extended(bytes, (int) length, PG_GETARG_INT64(1));
}
