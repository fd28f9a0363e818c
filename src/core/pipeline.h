/*
 * pipeline.h
 *	  The scoring pipeline: stages, the registry that names them, the compiled
 *	  form a pipeline text parses into, and scalar and batch application.
 *
 * Pure C99: no PostgreSQL header.  Nothing here allocates; a compiled
 * pipeline is one flat struct the caller owns, so it can live in a GUC's
 * malloc'd "extra", in fn_extra, or on the stack.
 */
#ifndef LOGSCORE_PIPELINE_H
#define LOGSCORE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define LS_MAX_ARGS 2
#define LS_MAX_STEPS 32

/* The founding pipeline; also what the alias "seed" expands to. */
#define LS_DEFAULT_PIPELINE "scale(2) | modsquare(7, 5)"

typedef enum ls_kind
{
	LS_KIND_TRANSFORM,
	LS_KIND_SCORE
} ls_kind;

/*
 * The built-in stages, so the scalar loop can call them without an indirect
 * call.  A stage without an op of its own (LS_OP_OTHER) still works: the loop
 * calls its registry function.
 */
typedef enum ls_op
{
	LS_OP_OTHER = 0,
	LS_OP_SCALE,
	LS_OP_SHIFT,
	LS_OP_ABS,
	LS_OP_CLAMP,
	LS_OP_BUCKET,
	LS_OP_LOG2,
	LS_OP_MODSQUARE,
	LS_OP_SQUARE,
	LS_OP_THRESHOLD
} ls_op;

typedef enum ls_overflow_mode
{
	LS_OVERFLOW_ERROR,
	LS_OVERFLOW_NULL,
	LS_OVERFLOW_SATURATE
} ls_overflow_mode;

struct ls_step;

/*
 * Computes one stage on one value.  Returns 0, or +1 / -1 when the exact
 * result lies above INT64_MAX / below INT64_MIN (then *out is unspecified).
 */
typedef int (*ls_scalar_fn) (const struct ls_step *step, int64_t x, int64_t *out);

/*
 * Computes one stage over v[0..n) in place.  Returns true when any element
 * overflowed; v is then unspecified and the caller redoes the values one by
 * one.  Keeping the overflow test out of the loop's control flow is what lets
 * the compiler vectorise it.
 */
typedef bool (*ls_batch_fn) (const struct ls_step *step, int64_t *v, size_t n);

/*
 * Derives the constants a stage's loops use from its arguments (overflow
 * bounds, a modular inverse), once, when the pipeline is compiled.
 */
typedef void (*ls_prepare_fn) (struct ls_step *step);

/*
 * Validates a stage's arguments.  Returns the index of the first bad argument
 * and sets *message, or returns -1 when they are fine.
 */
typedef int (*ls_check_fn) (const int64_t *args, const char **message);

typedef struct ls_stage
{
	const char *name;
	ls_op		op;
	ls_kind		kind;
	int			nargs;
	const char *params;			/* parameter names, e.g. "m, c" */
	ls_scalar_fn scalar;
	ls_batch_fn batch;
	ls_check_fn check;			/* NULL when every bigint is valid */
	ls_prepare_fn prepare;		/* NULL when nothing is derived */
	const char *description;
} ls_stage;

typedef struct ls_step
{
	const ls_stage *stage;
	ls_op		op;				/* stage->op, kept here to save a load per row */
	int64_t		args[LS_MAX_ARGS];
	/* derived by the stage's prepare function; see stages.c */
	int64_t		lo;				/* inputs below lo overflow */
	int64_t		hi;				/* inputs above hi overflow */
	uint64_t	inverse;		/* of the modulus's odd part, mod 2^64 */
	uint64_t	limit;			/* UINT64_MAX / modulus */
	unsigned	shift;			/* trailing zero bits of the modulus */
} ls_step;

typedef struct ls_pipeline
{
	int			nsteps;
	ls_step		steps[LS_MAX_STEPS];
} ls_pipeline;

/* --- registry (stages.c) --- */

extern size_t ls_stage_count(void);
extern const ls_stage *ls_stage_at(size_t i);
extern const ls_stage *ls_stage_lookup(const char *name, size_t len);
extern const char *ls_kind_name(ls_kind kind);

/* Fills a step for stage with args (already checked) and derives its constants. */
extern void ls_step_init(ls_step *step, const ls_stage *stage, const int64_t *args);

/* Aliases name whole pipelines: "seed" is the founding one. */
extern const char *ls_alias_lookup(const char *name, size_t len);

/* --- parsing (parse.c) --- */

/*
 * Compiles text[0..len) into *out.  On failure returns false with *err set:
 * kind LS_ERROR_INVALID (syntax, unknown stage, bad argument) or
 * LS_ERROR_LIMIT (more than LS_MAX_STEPS stages), and the byte offset where
 * it was found.  On success *err is cleared.
 */
extern bool ls_pipeline_parse(const char *text, size_t len,
							  ls_pipeline *out, ls_error *err);

/* Writes "name(a, b)"; returns the length it needed, like snprintf. */
extern int	ls_step_format(const ls_step *step, char *buf, size_t size);

/* --- applying (apply.c) --- */

typedef enum ls_apply_result
{
	LS_APPLY_OK,
	LS_APPLY_NULL,				/* overflowed under LS_OVERFLOW_NULL */
	LS_APPLY_OVERFLOW			/* overflowed under LS_OVERFLOW_ERROR */
} ls_apply_result;

/*
 * Where an overflow happened.  The inline scoring loop fills these four
 * numbers and nothing more; ls_fault_error words them when it is an error.
 */
typedef struct ls_fault
{
	size_t		index;			/* position in a batch; 0 for a scalar */
	int			step;			/* 0-based step that overflowed */
	int64_t		input;			/* the value the pipeline was given */
	int64_t		stage_input;	/* the value the failing step was given */
} ls_fault;

/*
 * The LS_ERROR_OUT_OF_RANGE error that fault in p stands for, with the
 * stage and values in its detail.  element is the 1-based position of the
 * value in the caller's array, or 0 for a single value.  The hint, which
 * names the caller's on_overflow setting or argument, is the caller's.
 */
extern void ls_fault_error(const ls_pipeline *p, const ls_fault *fault, int element,
						   ls_error *err);

#include "stage_scalar.h"

/* One step on one value: a direct call for built-in stages. */
static inline int
ls_step_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	switch (step->op)
	{
		case LS_OP_SCALE:
			return ls_scale_scalar(step, x, out);
		case LS_OP_SHIFT:
			return ls_shift_scalar(step, x, out);
		case LS_OP_ABS:
			return ls_abs_scalar(step, x, out);
		case LS_OP_CLAMP:
			return ls_clamp_scalar(step, x, out);
		case LS_OP_BUCKET:
			return ls_bucket_scalar(step, x, out);
		case LS_OP_LOG2:
			return ls_log2_scalar(step, x, out);
		case LS_OP_MODSQUARE:
			return ls_modsquare_scalar(step, x, out);
		case LS_OP_SQUARE:
			return ls_square_scalar(step, x, out);
		case LS_OP_THRESHOLD:
			return ls_threshold_scalar(step, x, out);
		default:
			return step->stage->scalar(step, x, out);
	}
}

/*
 * Scores one value.  Inline, so that the per-row SQL functions carry the loop
 * themselves: one call fewer per row, and a function PostgreSQL's JIT can
 * inline whole from the bitcode.
 */
static inline ls_apply_result
ls_pipeline_apply(const ls_pipeline *p, ls_overflow_mode mode,
				  int64_t x, int64_t *out, ls_fault *fault)
{
	int64_t		v = x;

	for (int i = 0; i < p->nsteps; i++)
	{
		const ls_step *step = &p->steps[i];
		int64_t		next;
		int			direction = ls_step_scalar(step, v, &next);

		if (__builtin_expect(direction != 0, 0))
		{
			if (mode == LS_OVERFLOW_SATURATE)
				next = direction > 0 ? INT64_MAX : INT64_MIN;
			else
			{
				fault->index = 0;
				fault->step = i;
				fault->input = x;
				fault->stage_input = v;
				return mode == LS_OVERFLOW_NULL ? LS_APPLY_NULL : LS_APPLY_OVERFLOW;
			}
		}
		v = next;
	}
	*out = v;
	return LS_APPLY_OK;
}

/*
 * Scores v[0..n) in place.  isnull may be NULL unless mode is
 * LS_OVERFLOW_NULL; when given, isnull[i] is set for every i.  Under
 * LS_OVERFLOW_ERROR the first overflow stops the batch and is described in
 * *fault.
 */
extern ls_apply_result ls_pipeline_apply_batch(const ls_pipeline *p,
											   ls_overflow_mode mode,
											   int64_t *v, bool *isnull,
											   size_t n, ls_fault *fault);

#endif							/* LOGSCORE_PIPELINE_H */
