/*
 * apply.c
 *	  Runs a compiled pipeline over one value or over a plain array.
 *
 * The batch path runs each stage over a chunk in a branch-free loop and only
 * falls back to value-by-value evaluation for a chunk in which some stage
 * overflowed; the result is the same as the scalar path's, value for value.
 */
#include "pipeline.h"

#include <string.h>

void
ls_fault_error(const ls_pipeline *p, const ls_fault *fault, int element, ls_error *err)
{
	char		stage[LS_MESSAGE_SIZE];

	ls_step_format(&p->steps[fault->step], stage, sizeof(stage));
	ls_error_set(err, LS_ERROR_OUT_OF_RANGE, 0,
				 "logscore result is out of range for type bigint");
	if (element > 0)
		ls_error_detail(err, "Stage %d, %s, overflowed on %lld while scoring %lld, element %d of the array.",
						fault->step + 1, stage, (long long) fault->stage_input,
						(long long) fault->input, element);
	else
		ls_error_detail(err, "Stage %d, %s, overflowed on %lld while scoring %lld.",
						fault->step + 1, stage, (long long) fault->stage_input,
						(long long) fault->input);
}

/* Small enough to stay in L1 while every stage passes over it. */
#define CHUNK 1024

/* The slow path for a chunk in which some stage overflowed. */
static ls_apply_result
apply_each(const ls_pipeline *p, ls_overflow_mode mode, int64_t *v,
		   bool *isnull, size_t offset, size_t n, ls_fault *fault)
{
	for (size_t i = 0; i < n; i++)
	{
		ls_apply_result r = ls_pipeline_apply(p, mode, v[i], &v[i], fault);

		if (r == LS_APPLY_OVERFLOW)
		{
			fault->index = offset + i;
			return r;
		}
		if (isnull)
			isnull[i] = (r == LS_APPLY_NULL);
	}
	return LS_APPLY_OK;
}

ls_apply_result
ls_pipeline_apply_batch(const ls_pipeline *p, ls_overflow_mode mode,
						int64_t *v, bool *isnull, size_t n, ls_fault *fault)
{
	int64_t		chunk[CHUNK];

	for (size_t start = 0; start < n; start += CHUNK)
	{
		size_t		len = n - start < CHUNK ? n - start : CHUNK;
		bool		overflow = false;

		memcpy(chunk, v + start, len * sizeof(int64_t));
		for (int s = 0; s < p->nsteps; s++)
			overflow |= p->steps[s].stage->batch(&p->steps[s], chunk, len);

		if (overflow)
		{
			ls_apply_result r = apply_each(p, mode, v + start,
										   isnull ? isnull + start : NULL,
										   start, len, fault);

			if (r != LS_APPLY_OK)
				return r;
			continue;
		}
		memcpy(v + start, chunk, len * sizeof(int64_t));
		if (isnull)
			memset(isnull + start, 0, len * sizeof(bool));
	}
	return LS_APPLY_OK;
}
