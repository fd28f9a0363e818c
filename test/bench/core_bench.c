/*
 * core_bench.c
 *	  The core's scoring loops without a server: values per second on one
 *	  core, for the batch path and the scalar path, over latency-like values.
 *
 * Prints one line per pipeline and path:
 *	  core_bench path=batch pipeline="..." values_per_second=N ns_per_value=X
 * The best of several repetitions counts: on a shared machine the minimum is
 * the figure least disturbed by others.
 */
#define _POSIX_C_SOURCE 199309L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pipeline.h"

#define VALUES 65536
#define REPEATS 400

static const char *const pipelines[] = {
	LS_DEFAULT_PIPELINE,
	"abs | log2 | clamp(0, 20)",
	"bucket(1000) | threshold(250)",
	"scale(3) | shift(-7) | square",
};

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: repeatable values without libc's rand() */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

/* Skewed, latency-like microseconds with a few zeros and negatives. */
static void
fill_values(int64_t *v, size_t n)
{
	uint64_t	state = 42;

	for (size_t i = 0; i < n; i++)
	{
		double		u = (next_random(&state) >> 11) * 0x1.0p-53;
		uint64_t	r = next_random(&state);

		if (r % 100 == 0)
			v[i] = 0;
		else if (r % 100 == 1)
			v[i] = -(int64_t) (r >> 40);
		else
			v[i] = (int64_t) exp(5.0 + 9.0 * u * u);
	}
}

static void
report(const char *path, const char *pipeline, double best, size_t n)
{
	printf("core_bench path=%s pipeline=\"%s\" values_per_second=%.0f ns_per_value=%.3f\n",
		   path, pipeline, n / best, best * 1e9 / n);
}

int
main(void)
{
	int64_t    *input = malloc(sizeof(int64_t) * VALUES);
	int64_t    *work = malloc(sizeof(int64_t) * VALUES);
	bool	   *isnull = malloc(sizeof(bool) * VALUES);
	int64_t		checksum = 0;

	if (!input || !work || !isnull)
		return 1;
	fill_values(input, VALUES);

	for (size_t p = 0; p < sizeof(pipelines) / sizeof(pipelines[0]); p++)
	{
		ls_pipeline pipeline;
		ls_error	err;
		ls_fault	fault;
		double		best_batch = 1e9;
		double		best_scalar = 1e9;

		if (!ls_pipeline_parse(pipelines[p], strlen(pipelines[p]), &pipeline, &err))
		{
			fprintf(stderr, "core_bench: %s: %s\n", pipelines[p], err.message);
			return 1;
		}
		for (int r = 0; r < REPEATS; r++)
		{
			double		t0;
			double		t1;

			memcpy(work, input, sizeof(int64_t) * VALUES);
			t0 = now_seconds();
			if (ls_pipeline_apply_batch(&pipeline, LS_OVERFLOW_ERROR, work, isnull,
										VALUES, &fault) != LS_APPLY_OK)
				return 2;
			t1 = now_seconds();
			best_batch = t1 - t0 < best_batch ? t1 - t0 : best_batch;
			checksum += work[r % VALUES];

			if (r % 4 != 0)
				continue;
			t0 = now_seconds();
			for (size_t i = 0; i < VALUES; i++)
			{
				int64_t		score;

				if (ls_pipeline_apply(&pipeline, LS_OVERFLOW_ERROR, input[i], &score, &fault) != LS_APPLY_OK)
					return 2;
				checksum += score;
			}
			t1 = now_seconds();
			best_scalar = t1 - t0 < best_scalar ? t1 - t0 : best_scalar;
		}
		report("batch", pipelines[p], best_batch, VALUES);
		report("scalar", pipelines[p], best_scalar, VALUES);
	}
	/* keeps the compiler from discarding the work */
	fprintf(stderr, "core_bench: checksum %lld\n", (long long) checksum);
	free(input);
	free(work);
	free(isnull);
	return 0;
}
