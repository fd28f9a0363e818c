/*
 * pipeline_arg.c
 *	  The pipeline an SQL call runs: its text argument compiled once per call
 *	  site and kept in fn_extra, or the logscore.pipeline setting when the
 *	  argument is NULL.  A query therefore never parses once per row.
 */
#include "postgres.h"

#include "fmgr.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"

#include "logscore.h"

typedef struct PipelineCache
{
	bool		constant;		/* the argument is a Const in the expression */
	int			len;
	char	   *text;			/* in fn_mcxt, not NUL-terminated */
	ls_pipeline compiled;
} PipelineCache;

static void
compile(const text *pipeline, ls_pipeline *out)
{
	const char *data = VARDATA_ANY(pipeline);
	size_t		len = VARSIZE_ANY_EXHDR(pipeline);
	ls_error	err;

	if (!ls_pipeline_parse(data, len, out, &err))
		logscore_report_parse_error(data, len, &err);
}

/*
 * Only a Const is safe to compile once: get_fn_expr_arg_stable() also trusts
 * Params, but PL/pgSQL evaluates a simple expression again and again with
 * the same FmgrInfo while its variables change.
 */
static bool
argument_is_const(FmgrInfo *flinfo, int argno)
{
	Node	   *expr = flinfo->fn_expr;
	List	   *args;

	if (expr == NULL || !IsA(expr, FuncExpr))
		return false;
	args = ((FuncExpr *) expr)->args;
	return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

const ls_pipeline *
logscore_pipeline_arg(FunctionCallInfo fcinfo, int argno)
{
	text	   *pipeline;
	const char *data;
	int			len;
	ls_pipeline compiled;
	PipelineCache *cache = (PipelineCache *) fcinfo->flinfo->fn_extra;

	if (PG_ARGISNULL(argno))
		return logscore_setting_pipeline();

	/* a constant pipeline (the usual case) is compiled once, then only read */
	if (cache != NULL && cache->constant)
		return &cache->compiled;

	pipeline = PG_GETARG_TEXT_PP(argno);
	data = VARDATA_ANY(pipeline);
	len = VARSIZE_ANY_EXHDR(pipeline);
	if (cache != NULL && cache->len == len && memcmp(cache->text, data, len) == 0)
		return &cache->compiled;

	/* compile first, so a bad text leaves the cache as it was */
	compile(pipeline, &compiled);
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PipelineCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	cache->compiled = compiled;
	cache->constant = argument_is_const(fcinfo->flinfo, argno);
	if (cache->text != NULL)
		pfree(cache->text);
	cache->text = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
	memcpy(cache->text, data, len);
	cache->len = len;
	return &cache->compiled;
}

/*
 * The overflow policy argument of an explicit form: the values
 * logscore.on_overflow takes.
 */
ls_overflow_mode
logscore_overflow_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(argno));

	if (strcmp(policy, "error") == 0)
		return LS_OVERFLOW_ERROR;
	if (strcmp(policy, "null") == 0)
		return LS_OVERFLOW_NULL;
	if (strcmp(policy, "saturate") == 0)
		return LS_OVERFLOW_SATURATE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid on_overflow policy: \"%s\"", policy),
			 errhint("Use \"error\", \"null\" or \"saturate\", the values logscore.on_overflow takes.")));
	pg_unreachable();
}
