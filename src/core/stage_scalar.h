/*
 * stage_scalar.h
 *	  Each stage's scalar function, inline: the registry in stages.c points
 *	  at them, and ls_pipeline_apply calls them directly by op code, so the
 *	  per-row path has no indirect call for a built-in stage.
 *
 * Included by pipeline.h; not a header to include on its own.
 */
#ifndef LOGSCORE_STAGE_SCALAR_H
#define LOGSCORE_STAGE_SCALAR_H

/* |x| above this overflows x * x */
#define LS_SQUARE_LIMIT INT64_C(3037000499)

/* The sign of the exact result of a * b, for saturation. */
static inline int
ls_product_direction(int64_t a, int64_t b)
{
	return ((a < 0) != (b < 0)) ? -1 : 1;
}

static inline int64_t
ls_wrapping_mul(int64_t a, int64_t b)
{
	return (int64_t) ((uint64_t) a * (uint64_t) b);
}

static inline int64_t
ls_wrapping_add(int64_t a, int64_t b)
{
	return (int64_t) ((uint64_t) a + (uint64_t) b);
}

static inline int
ls_scale_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		k = step->args[0];

	if (__builtin_mul_overflow(x, k, out))
		return ls_product_direction(x, k);
	return 0;
}

static inline int
ls_shift_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		c = step->args[0];

	if (__builtin_add_overflow(x, c, out))
		return c < 0 ? -1 : 1;
	return 0;
}

static inline int
ls_abs_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	if (x == INT64_MIN)
		return 1;
	*out = x < 0 ? -x : x;
	return 0;
}

static inline int
ls_clamp_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		lo = step->args[0];
	int64_t		hi = step->args[1];

	*out = x < lo ? lo : (x > hi ? hi : x);
	return 0;
}

static inline int64_t
ls_floor_div(int64_t x, int64_t w)
{
	int64_t		q = x / w;

	/* C truncates toward zero; step down when a negative x left a remainder */
	return q - ((x % w != 0) & (x < 0));
}

static inline int
ls_bucket_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	*out = ls_floor_div(x, step->args[0]);
	return 0;
}

static inline int64_t
ls_floor_log2(int64_t x)
{
	return x >= 1 ? 63 - __builtin_clzll((unsigned long long) x) : -1;
}

static inline int
ls_log2_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	*out = ls_floor_log2(x);
	return 0;
}

static inline bool
ls_divisible(const ls_step *step, int64_t x)
{
	uint64_t	u = x < 0 ? 0 - (uint64_t) x : (uint64_t) x;
	uint64_t	q = u * step->inverse;

	q = (q >> step->shift) | (q << ((64 - step->shift) & 63));
	return q <= step->limit;
}

static inline int
ls_modsquare_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		c = step->args[1];

	if (ls_divisible(step, x))
		return __builtin_mul_overflow(x, x, out) ? 1 : 0;
	if (__builtin_add_overflow(x, c, out))
		return c < 0 ? -1 : 1;
	return 0;
}

static inline int
ls_square_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	return __builtin_mul_overflow(x, x, out) ? 1 : 0;
}

static inline int
ls_threshold_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	*out = x >= step->args[0];
	return 0;
}
#endif							/* LOGSCORE_STAGE_SCALAR_H */
