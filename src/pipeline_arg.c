/*
 * pipeline_arg.c
 *	  The pipeline an SQL call runs: its text argument compiled once per call
 *	  site and kept in fn_extra, or the logscore.pipeline setting when the
 *	  argument is NULL.  A query therefore never parses once per row.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "logscore.h"

typedef struct PipelineCache
{
	int			len;
	char	   *text;			/* in fn_mcxt, not NUL-terminated */
	ls_pipeline compiled;
} PipelineCache;

static void
compile(const text *pipeline, ls_pipeline *out)
{
	const char *data = VARDATA_ANY(pipeline);
	size_t		len = VARSIZE_ANY_EXHDR(pipeline);
	ls_parse_error err;

	if (ls_pipeline_parse(data, len, out, &err) != LS_PARSE_OK)
		logscore_report_parse_error(data, len, &err);
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
	if (cache->text != NULL)
		pfree(cache->text);
	cache->text = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
	memcpy(cache->text, data, len);
	cache->len = len;
	return &cache->compiled;
}
