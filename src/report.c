/*
 * report.c
 *	  Turns the core's errors (ls_error, core/error.h) into PostgreSQL errors:
 *	  the kind picks the SQLSTATE, and what only the glue knows (where an
 *	  input came from, the characters of a pipeline text) is added here.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"

#include "logscore.h"

/* Characters of pipeline text shown on each side of an error. */
#define DETAIL_CONTEXT 40

/*
 * The SQLSTATE of an error's kind.  An input that does not validate is an
 * invalid parameter here; logscore_report_input_error knows better where it
 * came from.
 */
int
logscore_errcode(const ls_error *err)
{
	switch (err->kind)
	{
		case LS_ERROR_INVALID:
		case LS_ERROR_BAD_INPUT:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case LS_ERROR_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case LS_ERROR_OUT_OF_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case LS_ERROR_NONE:
		case LS_ERROR_INTERNAL:
			break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * The one place a core error becomes an ereport: sqlerrcode, the message
 * after prefix (when not NULL), and detail (the core's own when NULL) and
 * the core's hint when they are not empty.  An internal error is elog's.
 */
ls_noreturn static void raise_error(const ls_error *err, int sqlerrcode,
									const char *prefix, const char *detail);

static void
raise_error(const ls_error *err, int sqlerrcode, const char *prefix,
			const char *detail)
{
	if (detail == NULL)
		detail = err->detail;
	if (err->kind == LS_ERROR_INTERNAL || err->kind == LS_ERROR_NONE)
		elog(ERROR, "%s", err->message);
	ereport(ERROR,
			(errcode(sqlerrcode),
			 prefix != NULL ?
			 errmsg("%s: %s", prefix, err->message) :
			 errmsg("%s", err->message),
			 detail[0] != '\0' ? errdetail_internal("%s", detail) : 0,
			 err->hint[0] != '\0' ? errhint("%s", err->hint) : 0));
	pg_unreachable();
}

/* A failure of a function's arguments or state: the core's words as they are. */
void
logscore_report_error(const ls_error *err)
{
	raise_error(err, logscore_errcode(err), NULL, NULL);
}

/*
 * An input form that does not validate: where it came from decides the
 * SQLSTATE and the words before the core's message.
 */
void
logscore_report_input_error(const ls_error *err, LogscoreInput input,
							const char *type_name)
{
	switch (input)
	{
		case LS_INPUT_TEXT:
			raise_error(err, ERRCODE_INVALID_TEXT_REPRESENTATION,
						psprintf("invalid input syntax for type %s", type_name), NULL);
		case LS_INPUT_BINARY:
			raise_error(err, ERRCODE_INVALID_BINARY_REPRESENTATION,
						psprintf("invalid external %s", type_name), NULL);
		case LS_INPUT_STORED:
			raise_error(err, ERRCODE_DATA_CORRUPTED,
						psprintf("stored %s is corrupt", type_name), NULL);
	}
	elog(ERROR, "unknown input %d", (int) input);
}

/* Raises the error a sketch status stands for; returns when it is OK. */
void
logscore_check_sketch(ls_sketch_status status)
{
	ls_error	err;

	if (likely(status == LS_SKETCH_OK))
		return;
	ls_sketch_error(status, &err);
	logscore_report_error(&err);
}

/* Raises the error an ewm status stands for; returns when it is OK. */
void
logscore_check_ewm(ls_ewm_status status)
{
	ls_error	err;

	if (likely(status == LS_EWM_OK))
		return;
	ls_ewm_error(status, &err);
	logscore_report_error(&err);
}

/* The 1-based character (not byte) position of the error, as psql counts. */
int
logscore_error_character(const char *text, const ls_error *err)
{
	return pg_mbstrlen_with_len(text, (int) err->offset) + 1;
}

/*
 * "Error at character N of "text"."  A long text is cut to the part around
 * the error, so a 100 kB mistake does not become a 100 kB message.
 */
char *
logscore_error_detail(const char *text, const ls_error *err)
{
	int			position = logscore_error_character(text, err);
	int			nchars = pg_mbstrlen(text);
	int			from;
	int			to;
	const char *start;
	const char *end;

	if (nchars <= 2 * DETAIL_CONTEXT)
		return psprintf("Error at character %d of \"%s\".", position, text);

	from = Max(position - 1 - DETAIL_CONTEXT, 0);
	to = Min(position - 1 + DETAIL_CONTEXT, nchars);
	start = text;
	for (int i = 0; i < from; i++)
		start += pg_mblen(start);
	end = start;
	for (int i = from; i < to; i++)
		end += pg_mblen(end);
	return psprintf("Error at character %d of the %d-character text, here: \"%s%.*s%s\".",
					position, nchars, from > 0 ? "..." : "", (int) (end - start), start,
					to < nchars ? "..." : "");
}

/* A pipeline text that does not parse, with the part around the error. */
void
logscore_report_parse_error(const char *text, size_t len, const ls_error *err)
{
	char	   *copy = pnstrdup(text, len);

	raise_error(err, logscore_errcode(err), "invalid logscore pipeline",
				logscore_error_detail(copy, err));
}

/*
 * An overflow under on_overflow = error.  element is the 1-based position in
 * the caller's array, or 0 for a single value; the hint names what governs
 * the mode, the setting or the explicit form's argument.
 */
void
logscore_report_overflow(const ls_pipeline *p, const ls_fault *fault,
						 bool setting_applies, int element)
{
	ls_error	err;

	ls_fault_error(p, fault, element, &err);
	if (setting_applies)
		ls_error_hint(&err, "Set logscore.on_overflow to \"null\" or \"saturate\" to score such values without an error.");
	else
		ls_error_hint(&err, "Give the explicit form an on_overflow argument, \"null\" or \"saturate\", to score such values without an error.");
	logscore_report_error(&err);
}

/*
 * The aggregate context of a transition function that only works inside an
 * aggregate (its state is internal).  Called directly from SQL it is a
 * user's mistake, not a can't-happen state, so it gets a SQLSTATE.
 */
MemoryContext
logscore_aggregate_context(FunctionCallInfo fcinfo, const char *function)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as an aggregate's transition function", function)));
	return aggcontext;
}
