/*
 * detector_type.c
 *	  The logscore_detector type: its text form (exact round trip) and its
 *	  binary form for COPY BINARY and the wire.  Every input is validated
 *	  before it is used.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_detector_in);
PG_FUNCTION_INFO_V1(logscore_detector_out);
PG_FUNCTION_INFO_V1(logscore_detector_recv);
PG_FUNCTION_INFO_V1(logscore_detector_send);

/* A new flat value holding d, in the current memory context. */
LogscoreDetector *
logscore_detector_new(const ls_detector *d)
{
	LogscoreDetector *result = palloc0(sizeof(LogscoreDetector));

	SET_VARSIZE(result, sizeof(LogscoreDetector));
	result->version = LS_DETECTOR_FORMAT_VERSION;
	result->detector = *d;
	return result;
}

/*
 * Argument argno, detoasted.  Its fields were validated when it entered the
 * database; the size and version are checked again, cheaply.
 */
LogscoreDetector *
logscore_detector_arg(FunctionCallInfo fcinfo, int argno)
{
	LogscoreDetector *value = (LogscoreDetector *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (VARSIZE(value) != sizeof(LogscoreDetector) ||
		value->version != LS_DETECTOR_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored logscore_detector is corrupt"),
				 errdetail("It has %zu bytes and format version %d; expected %zu bytes and version %d.",
						   (size_t) VARSIZE(value), (int) value->version,
						   sizeof(LogscoreDetector), LS_DETECTOR_FORMAT_VERSION)));
	return value;
}

Datum
logscore_detector_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	ls_detector d;
	ls_error	err;

	if (!ls_detector_from_text(&d, text, strlen(text), &err))
		logscore_report_input_error(&err, LS_INPUT_TEXT, "logscore_detector");
	PG_RETURN_POINTER(logscore_detector_new(&d));
}

Datum
logscore_detector_out(PG_FUNCTION_ARGS)
{
	LogscoreDetector *value = logscore_detector_arg(fcinfo, 0);
	size_t		size = ls_detector_to_text(&value->detector, NULL, 0) + 1;
	char	   *result = palloc(size);

	ls_detector_to_text(&value->detector, result, size);
	PG_RETURN_CSTRING(result);
}

Datum
logscore_detector_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			length = buf->len - buf->cursor;
	ls_detector d;
	ls_error	err;

	if (!ls_detector_decode(&d, (const unsigned char *) buf->data + buf->cursor,
							(size_t) length, &err))
		logscore_report_input_error(&err, LS_INPUT_BINARY, "logscore_detector");
	buf->cursor = buf->len;
	PG_RETURN_POINTER(logscore_detector_new(&d));
}

Datum
logscore_detector_send(PG_FUNCTION_ARGS)
{
	LogscoreDetector *value = logscore_detector_arg(fcinfo, 0);
	size_t		size = ls_detector_binary_size();
	bytea	   *result = palloc(VARHDRSZ + size);

	SET_VARSIZE(result, VARHDRSZ + size);
	ls_detector_encode(&value->detector, (unsigned char *) VARDATA(result));
	PG_RETURN_BYTEA_P(result);
}
