/*
 * sketch_expanded.c
 *	  logscore_sketch values in memory: an expanded object holding the core's
 *	  ls_sketch, so an aggregate adds each row to its state in place and the
 *	  state is encoded (flattened) only when it leaves the aggregate.
 *
 * Keeping the state type logscore_sketch rather than internal means partial
 * aggregates are ordinary values: they cross parallel workers, partitions
 * and servers (postgres_fdw, Citus) in the same validated binary format a
 * table column stores.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "logscore.h"

static Size sketch_get_flat_size(ExpandedObjectHeader *eohptr);
static void sketch_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);
static void decode_stored(Datum d, ls_sketch *s, const ls_allocator *allocator);

static const ExpandedObjectMethods sketch_methods = {
	sketch_get_flat_size,
	sketch_flatten_into
};

/*
 * A new, empty expanded sketch whose memory is context's; an accuracy out of
 * range is that error.
 */
ExpandedSketch *
logscore_sketch_new(double alpha, MemoryContext context)
{
	ExpandedSketch *es = MemoryContextAllocZero(context, sizeof(ExpandedSketch));

	EOH_init_header(&es->hdr, &sketch_methods, context);
	logscore_allocator_init(&es->allocator, context);
	logscore_check_sketch(ls_sketch_init(&es->sketch, alpha, &es->allocator));
	return es;
}

bool
logscore_sketch_is_expanded(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d));
}

/*
 * A sketch an aggregate may change: d itself when it is a read-write
 * expanded sketch kept under aggcontext (the state from the previous row),
 * otherwise a new expanded copy in states.  Returning d itself is what the
 * shared states context relies on (see aggregate_memory.c): a transition
 * must give back the read-write state it was given.
 */
ExpandedSketch *
logscore_sketch_writable(Datum d, MemoryContext aggcontext, MemoryContext states)
{
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		ExpandedSketch *es = (ExpandedSketch *) DatumGetEOHP(d);

		if (MemoryContextGetParent(es->hdr.eoh_context) == aggcontext)
			return es;
	}
	return logscore_sketch_copy(d, states);
}

/*
 * A new expanded sketch in context holding what d holds.  A flat sketch is
 * decoded once, straight into the new sketch's memory, rather than decoded
 * into scratch memory and merged into an empty sketch; an expanded one is
 * merged into an empty sketch, which copies it exactly.
 */
ExpandedSketch *
logscore_sketch_copy(Datum d, MemoryContext context)
{
	ExpandedSketch *es;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		const ls_sketch *source = &((ExpandedSketch *) DatumGetEOHP(d))->sketch;

		es = logscore_sketch_new(source->alpha, context);
		logscore_check_sketch(ls_sketch_merge(&es->sketch, source));
		return es;
	}
	es = MemoryContextAllocZero(context, sizeof(ExpandedSketch));
	EOH_init_header(&es->hdr, &sketch_methods, context);
	logscore_allocator_init(&es->allocator, context);
	decode_stored(d, &es->sketch, &es->allocator);
	return es;
}

/* Decodes the flat sketch d into *s, whose arrays allocator allocates. */
static void
decode_stored(Datum d, ls_sketch *s, const ls_allocator *allocator)
{
	struct varlena *flat = PG_DETOAST_DATUM_PACKED(d);
	ls_error	err;

	if (ls_sketch_decode(s, (const uint8_t *) VARDATA_ANY(flat), VARSIZE_ANY_EXHDR(flat),
						 allocator, &err) != LS_SKETCH_OK)
		logscore_report_input_error(&err, LS_INPUT_STORED, "logscore_sketch");
}

/*
 * The sketch in d, read-only: an expanded sketch's own, or d decoded into
 * *scratch (allocated in the current memory context).
 */
const ls_sketch *
logscore_sketch_read(Datum d, ls_sketch *scratch)
{
	ls_allocator *allocator;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
		return &((ExpandedSketch *) DatumGetEOHP(d))->sketch;

	allocator = palloc(sizeof(ls_allocator));
	logscore_allocator_init(allocator, CurrentMemoryContext);
	decode_stored(d, scratch, allocator);
	return scratch;
}

static Size
sketch_get_flat_size(ExpandedObjectHeader *eohptr)
{
	ExpandedSketch *es = (ExpandedSketch *) eohptr;

	return VARHDRSZ + ls_sketch_encoded_size(&es->sketch);
}

static void
sketch_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	ExpandedSketch *es = (ExpandedSketch *) eohptr;
	size_t		written = ls_sketch_encode(&es->sketch, (uint8_t *) VARDATA(result));

	if (VARHDRSZ + written != allocated_size)
		elog(ERROR, "logscore_sketch encoded to %zu bytes, not %zu",
			 VARHDRSZ + written, (size_t) allocated_size);
	SET_VARSIZE(result, allocated_size);
}

/* A flat varlena copy of a sketch, in the current memory context. */
Datum
logscore_sketch_flat(const ls_sketch *s)
{
	size_t		size = ls_sketch_encoded_size(s);
	struct varlena *result = palloc(VARHDRSZ + size);

	ls_sketch_encode(s, (uint8_t *) VARDATA(result));
	SET_VARSIZE(result, VARHDRSZ + size);
	return PointerGetDatum(result);
}
