/*
 * sketch_type.c
 *	  The logscore_sketch type's input and output: a readable text form that
 *	  round-trips exactly, and the core's binary format for COPY BINARY and
 *	  the wire.  Every input is validated before it is used.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_sketch_in);
PG_FUNCTION_INFO_V1(logscore_sketch_out);
PG_FUNCTION_INFO_V1(logscore_sketch_recv);
PG_FUNCTION_INFO_V1(logscore_sketch_send);

Datum
logscore_sketch_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	ls_sketch	sketch;
	ls_allocator allocator;
	ls_error	err;

	logscore_allocator_init(&allocator, CurrentMemoryContext);
	if (ls_sketch_from_text(&sketch, text, strlen(text), &allocator, &err) != LS_SKETCH_OK)
		logscore_report_input_error(&err, LS_INPUT_TEXT, "logscore_sketch");
	PG_RETURN_DATUM(logscore_sketch_flat(&sketch));
}

Datum
logscore_sketch_out(PG_FUNCTION_ARGS)
{
	ls_sketch	scratch;
	const ls_sketch *sketch = logscore_sketch_read(PG_GETARG_DATUM(0), &scratch);
	size_t		size = ls_sketch_to_text(sketch, NULL, 0) + 1;
	char	   *result = palloc(size);

	ls_sketch_to_text(sketch, result, size);
	PG_RETURN_CSTRING(result);
}

/*
 * The bytes are validated by decoding them, once, and then kept as they
 * came.  The decoder accepts only the canonical encoding, the one
 * ls_sketch_encode writes: the version and no other flag than collapsed,
 * zero reserved bytes, the one NaN a sum may hold and no -0 in an empty
 * sketch, each store trimmed to nonzero end buckets (an empty one at offset
 * 0), every count as its shortest varint, and nothing after the end.  So
 * the decoded sketch would encode to these very bytes (test/fuzz's
 * fuzz_sketch_decode.c checks that on every input it accepts), and anything
 * else is refused as before.
 */
Datum
logscore_sketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			length = buf->len - buf->cursor;
	const char *bytes = buf->data + buf->cursor;
	ls_sketch	sketch;
	ls_allocator allocator;
	ls_error	err;
	struct varlena *result;

	logscore_allocator_init(&allocator, CurrentMemoryContext);
	if (ls_sketch_decode(&sketch, (const uint8_t *) bytes, length,
						 &allocator, &err) != LS_SKETCH_OK)
		logscore_report_input_error(&err, LS_INPUT_BINARY, "logscore_sketch");
	ls_sketch_free(&sketch);

	result = palloc(VARHDRSZ + length);
	SET_VARSIZE(result, VARHDRSZ + length);
	memcpy(VARDATA(result), bytes, length);
	buf->cursor = buf->len;
	PG_RETURN_POINTER(result);
}

/*
 * A flat sketch is already in the binary format, byte for byte: every stored
 * value was written by ls_sketch_encode (input, receive and the aggregates
 * all end there), and the decoder accepts only the canonical encoding, so
 * decoding and encoding it again would give the same bytes.  Send therefore
 * returns the stored bytes, and an expanded sketch is encoded once, by
 * flattening.  A fresh copy in either case, as byteasend makes, since a
 * caller may free what a send function returns.
 */
Datum
logscore_sketch_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0)));
}
