/*
 * report.c
 *	  Turns the core's status codes into PostgreSQL errors with SQLSTATEs:
 *	  a bad pipeline is 22023 (54000 when too long), an overflow is 22003;
 *	  and a transition function called outside its aggregate is 0A000.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"

#include "logscore.h"

/* Characters of pipeline text shown on each side of an error. */
#define DETAIL_CONTEXT 40

int
logscore_parse_errcode(const ls_parse_error *err)
{
	return err->status == LS_PARSE_TOO_LONG ?
		ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_INVALID_PARAMETER_VALUE;
}

/* The 1-based character (not byte) position of the error, as psql counts. */
int
logscore_error_character(const char *text, const ls_parse_error *err)
{
	return pg_mbstrlen_with_len(text, (int) err->offset) + 1;
}

/*
 * "Error at character N of "text"."  A long text is cut to the part around
 * the error, so a 100 kB mistake does not become a 100 kB message.
 */
char *
logscore_error_detail(const char *text, const ls_parse_error *err)
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

void
logscore_report_parse_error(const char *text, size_t len, const ls_parse_error *err)
{
	char	   *copy = pnstrdup(text, len);

	ereport(ERROR,
			(errcode(logscore_parse_errcode(err)),
			 errmsg("invalid logscore pipeline: %s", err->message),
			 errdetail_internal("%s", logscore_error_detail(copy, err)),
			 errhint("logscore_stages() lists the stages and their parameters.")));
	pg_unreachable();
}

/*
 * element is the 1-based position in the caller's array, or 0 for a single
 * value.
 */
void
logscore_report_overflow(const ls_pipeline *p, const ls_fault *fault,
						 bool setting_applies, int element)
{
	char		stage[LS_MESSAGE_SIZE];

	ls_step_format(&p->steps[fault->step], stage, sizeof(stage));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("logscore result is out of range for type bigint"),
			 element > 0 ?
			 errdetail("Stage %d, %s, overflowed on %lld while scoring %lld, element %d of the array.",
					   fault->step + 1, stage,
					   (long long) fault->stage_input, (long long) fault->input, element) :
			 errdetail("Stage %d, %s, overflowed on %lld while scoring %lld.",
					   fault->step + 1, stage,
					   (long long) fault->stage_input, (long long) fault->input),
			 setting_applies ?
			 errhint("Set logscore.on_overflow to \"null\" or \"saturate\" to score such values without an error.") :
			 errhint("Give the explicit form an on_overflow argument, \"null\" or \"saturate\", to score such values without an error.")));
	pg_unreachable();
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
