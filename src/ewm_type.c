/*
 * ewm_type.c
 *	  The logscore_ewm type: its text form (exact round trip) and its binary
 *	  form for COPY BINARY and the wire.  Every input is validated before it
 *	  is used.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "logscore.h"

PG_FUNCTION_INFO_V1(logscore_ewm_in);
PG_FUNCTION_INFO_V1(logscore_ewm_out);
PG_FUNCTION_INFO_V1(logscore_ewm_recv);
PG_FUNCTION_INFO_V1(logscore_ewm_send);

/* The binary form: version byte, then n, half_life, anchor, weight, mean, m2. */
#define EWM_BINARY_SIZE (1 + 6 * 8)

/* A new flat value holding e, in the current memory context. */
LogscoreEwm *
logscore_ewm_new(const ls_ewm *e)
{
	LogscoreEwm *result = palloc0(sizeof(LogscoreEwm));

	SET_VARSIZE(result, sizeof(LogscoreEwm));
	result->version = LS_EWM_FORMAT_VERSION;
	result->ewm = *e;
	return result;
}

/*
 * Argument argno, detoasted (a no-op for values this extension made).  Its
 * fields were validated when it entered the database; the size and version
 * are checked again, cheaply, against a value of some other format.
 */
LogscoreEwm *
logscore_ewm_arg(FunctionCallInfo fcinfo, int argno)
{
	LogscoreEwm *value = (LogscoreEwm *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (VARSIZE(value) != sizeof(LogscoreEwm) || value->version != LS_EWM_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored logscore_ewm is corrupt"),
				 errdetail("It has %zu bytes and format version %d; expected %zu bytes and version %d.",
						   (size_t) VARSIZE(value), (int) value->version,
						   sizeof(LogscoreEwm), LS_EWM_FORMAT_VERSION)));
	return value;
}

Datum
logscore_ewm_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	ls_ewm		e;
	ls_error	err;

	if (ls_ewm_from_text(&e, text, strlen(text), &err) != LS_EWM_OK)
		logscore_report_input_error(&err, LS_INPUT_TEXT, "logscore_ewm");
	PG_RETURN_POINTER(logscore_ewm_new(&e));
}

Datum
logscore_ewm_out(PG_FUNCTION_ARGS)
{
	LogscoreEwm *value = logscore_ewm_arg(fcinfo, 0);
	size_t		size = ls_ewm_to_text(&value->ewm, NULL, 0) + 1;
	char	   *result = palloc(size);

	ls_ewm_to_text(&value->ewm, result, size);
	PG_RETURN_CSTRING(result);
}

Datum
logscore_ewm_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			length = buf->len - buf->cursor;
	int			version;
	ls_ewm		e;
	ls_error	err;

	if (length < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external logscore_ewm: no data")));
	version = pq_getmsgbyte(buf);
	memset(&e, 0, sizeof(e));
	if (version == LS_EWM_FORMAT_VERSION)
	{
		if (length != EWM_BINARY_SIZE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid external logscore_ewm: %d bytes, expected %d",
							length, EWM_BINARY_SIZE)));
		e.count = pq_getmsgint64(buf);
		e.half_life = pq_getmsgint64(buf);
		e.anchor = pq_getmsgint64(buf);
		e.weight = pq_getmsgfloat8(buf);
		e.mean = pq_getmsgfloat8(buf);
		e.m2 = pq_getmsgfloat8(buf);
	}
	/* a wrong version is reported by the same check, before any field */
	if (ls_ewm_validate(&e, version, &err) != LS_EWM_OK)
		logscore_report_input_error(&err, LS_INPUT_BINARY, "logscore_ewm");
	PG_RETURN_POINTER(logscore_ewm_new(&e));
}

Datum
logscore_ewm_send(PG_FUNCTION_ARGS)
{
	LogscoreEwm *value = logscore_ewm_arg(fcinfo, 0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, LS_EWM_FORMAT_VERSION);
	pq_sendint64(&buf, value->ewm.count);
	pq_sendint64(&buf, value->ewm.half_life);
	pq_sendint64(&buf, value->ewm.anchor);
	pq_sendfloat8(&buf, value->ewm.weight);
	pq_sendfloat8(&buf, value->ewm.mean);
	pq_sendfloat8(&buf, value->ewm.m2);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
