/*
 * fuzz_parse.c
 *	  libFuzzer harness for the pipeline parser: arbitrary bytes in, and for
 *	  what parses, a format / parse round trip and batch == scalar scoring.
 */
#include "fuzz.h"
#include "core/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVALUES 24

/* Same stages, arguments and derived constants; unused slots are ignored. */
static bool
pipelines_equal(const ls_pipeline *a, const ls_pipeline *b)
{
	if (a->nsteps != b->nsteps)
		return false;
	for (int i = 0; i < a->nsteps; i++)
	{
		const ls_step *x = &a->steps[i];
		const ls_step *y = &b->steps[i];

		if (x->stage != y->stage)
			return false;
		for (int j = 0; j < x->stage->nargs; j++)
			if (x->args[j] != y->args[j])
				return false;
		if (x->lo != y->lo || x->hi != y->hi || x->inverse != y->inverse ||
			x->limit != y->limit || x->shift != y->shift)
			return false;
	}
	return true;
}

/* On failure: a kind, an offset within the text, a terminated message. */
static void
check_error(const ls_error *err, size_t size)
{
	CHECK(err->kind == LS_ERROR_INVALID || err->kind == LS_ERROR_LIMIT);
	CHECK(err->offset <= size);
	CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	CHECK(err->message[0] != '\0');
}

/*
 * The canonical text of p, "a(1) | b", in a malloc'd buffer of exactly the
 * right size: its steps as ls_step_format writes them (what the product's
 * messages show), joined by " | ".
 */
static char *
format_alloc(const ls_pipeline *p, size_t *len)
{
	size_t		used = 0;
	char	   *text;

	*len = 0;
	for (int i = 0; i < p->nsteps; i++)
	{
		int			n = ls_step_format(&p->steps[i], NULL, 0);

		CHECK(n > 0);
		*len += (size_t) n + (i > 0 ? 3 : 0);
	}
	text = malloc(*len + 1);
	CHECK(text != NULL);
	text[0] = '\0';
	for (int i = 0; i < p->nsteps; i++)
	{
		if (i > 0)
			used += (size_t) snprintf(text + used, *len + 1 - used, " | ");
		used += (size_t) ls_step_format(&p->steps[i], text + used, *len + 1 - used);
	}
	CHECK(used == *len && strlen(text) == *len);
	return text;
}

/* The canonical text parses back to the same pipeline and text. */
static void
check_round_trip(const ls_pipeline *p)
{
	size_t		len;
	size_t		again_len;
	char	   *text = format_alloc(p, &len);
	char	   *again_text;
	ls_pipeline again;
	ls_error	err;

	CHECK(len > 0);
	/* parse exactly len bytes so that ASan would see an over-read */
	CHECK(ls_pipeline_parse(text, len, &again, &err));
	CHECK(pipelines_equal(p, &again));
	again_text = format_alloc(&again, &again_len);
	CHECK(again_len == len);
	CHECK(strcmp(text, again_text) == 0);
	free(text);
	free(again_text);
}

/* Values to score: the extremes, small ones, and some drawn from the input. */
static void
fill_values(const uint8_t *data, size_t size, int64_t *v)
{
	static const int64_t fixed[] = {
		INT64_MIN, INT64_MIN + 1, -3037000500, -7, -1, 0, 1, 2, 7, 14,
		3037000499, 3037000500, INT64_MAX / 2 + 1, INT64_MAX - 1, INT64_MAX,
		INT64_MIN / 2 - 1
	};
	uint64_t	h = UINT64_C(1469598103934665603);
	size_t		n = sizeof(fixed) / sizeof(fixed[0]);

	memcpy(v, fixed, sizeof(fixed));
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(1099511628211);
	for (size_t i = n; i < NVALUES; i++)
	{
		/* splitmix64 over the input's hash */
		uint64_t	z = (h += UINT64_C(0x9e3779b97f4a7c15));

		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		z ^= z >> 31;
		v[i] = (i % 2) ? (int64_t) z : (int64_t) (z % 2001) - 1000;
	}
}

/* Batch and scalar agree value for value in every overflow mode. */
static void
check_apply(const ls_pipeline *p, const int64_t *in)
{
	static const ls_overflow_mode modes[] = {
		LS_OVERFLOW_ERROR, LS_OVERFLOW_NULL, LS_OVERFLOW_SATURATE
	};

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
	{
		int64_t		v[NVALUES];
		bool		isnull[NVALUES];
		ls_fault	fault;
		ls_apply_result r;

		memcpy(v, in, sizeof(v));
		memset(isnull, 1, sizeof(isnull));
		r = ls_pipeline_apply_batch(p, modes[m], v, isnull, NVALUES, &fault);
		CHECK(r == LS_APPLY_OK || r == LS_APPLY_OVERFLOW);

		for (size_t i = 0; i < NVALUES; i++)
		{
			int64_t		want = 0;
			ls_fault	want_fault;
			ls_apply_result want_r;

			want_r = ls_pipeline_apply(p, modes[m], in[i], &want, &want_fault);
			if (want_r == LS_APPLY_OVERFLOW)
			{
				CHECK(modes[m] == LS_OVERFLOW_ERROR);
				CHECK(r == LS_APPLY_OVERFLOW);
				CHECK(fault.index == i);
				CHECK(fault.step == want_fault.step);
				CHECK(fault.step >= 0 && fault.step < p->nsteps);
				CHECK(fault.input == in[i]);
				CHECK(fault.stage_input == want_fault.stage_input);
				break;
			}
			CHECK(want_r != LS_APPLY_NULL || modes[m] == LS_OVERFLOW_NULL);
			CHECK(isnull[i] == (want_r == LS_APPLY_NULL));
			if (want_r == LS_APPLY_OK)
				CHECK(v[i] == want);
			if (i == NVALUES - 1)
				CHECK(r == LS_APPLY_OK);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_pipeline p;
	ls_error	err;
	int64_t		values[NVALUES];

	if (!ls_pipeline_parse((const char *) data, size, &p, &err))
	{
		check_error(&err, size);
		return 0;
	}

	CHECK(err.kind == LS_ERROR_NONE);
	CHECK(p.nsteps >= 1 && p.nsteps <= LS_MAX_STEPS);
	for (int i = 0; i < p.nsteps; i++)
	{
		const ls_stage *stage = p.steps[i].stage;

		CHECK(stage != NULL);
		CHECK(ls_stage_lookup(stage->name, strlen(stage->name)) == stage);
	}

	check_round_trip(&p);
	fill_values(data, size, values);
	check_apply(&p, values);
	return 0;
}
