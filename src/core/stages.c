/*
 * stages.c
 *	  Every stage logscore knows, and the registry table that names them.
 *
 * Adding a stage is adding its scalar and batch functions here and one row to
 * the table at the bottom; the parser, the settings, logscore_stages() and
 * logscore_explain() all read the table.
 */
#include "pipeline.h"

#include <string.h>

/* The sign of the exact result of a * b, for saturation. */
static inline int
product_direction(int64_t a, int64_t b)
{
	return ((a < 0) != (b < 0)) ? -1 : 1;
}

/* --- scale(k): x * k --- */

static int
scale_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		k = step->args[0];

	if (__builtin_mul_overflow(x, k, out))
		return product_direction(x, k);
	return 0;
}

static bool
scale_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		k = step->args[0];
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
		overflow |= __builtin_mul_overflow(v[i], k, &v[i]);
	return overflow;
}

/* --- shift(c): x + c --- */

static int
shift_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		c = step->args[0];

	if (__builtin_add_overflow(x, c, out))
		return c < 0 ? -1 : 1;
	return 0;
}

static bool
shift_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		c = step->args[0];
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
		overflow |= __builtin_add_overflow(v[i], c, &v[i]);
	return overflow;
}

/* --- abs: |x|; only INT64_MIN has no bigint absolute value --- */

static int
abs_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	if (x == INT64_MIN)
		return 1;
	*out = x < 0 ? -x : x;
	return 0;
}

static bool
abs_batch(const ls_step *step, int64_t *v, size_t n)
{
	bool		overflow = false;

	(void) step;
	for (size_t i = 0; i < n; i++)
	{
		overflow |= (v[i] == INT64_MIN);
		v[i] = v[i] < 0 ? (int64_t) (0 - (uint64_t) v[i]) : v[i];
	}
	return overflow;
}

/* --- clamp(lo, hi) --- */

static int
clamp_check(const int64_t *args, const char **message)
{
	if (args[0] > args[1])
	{
		*message = "lower bound lo is greater than upper bound hi";
		return 0;
	}
	return -1;
}

static int
clamp_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		lo = step->args[0];
	int64_t		hi = step->args[1];

	*out = x < lo ? lo : (x > hi ? hi : x);
	return 0;
}

static bool
clamp_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		lo = step->args[0];
	int64_t		hi = step->args[1];

	for (size_t i = 0; i < n; i++)
		v[i] = v[i] < lo ? lo : (v[i] > hi ? hi : v[i]);
	return false;
}

/* --- bucket(w): floor(x / w), rounding toward minus infinity --- */

static int
width_check(const int64_t *args, const char **message)
{
	if (args[0] <= 0)
	{
		*message = "width w must be greater than zero";
		return 0;
	}
	return -1;
}

static inline int64_t
floor_div(int64_t x, int64_t w)
{
	int64_t		q = x / w;

	/* C truncates toward zero; step down when a negative x left a remainder */
	return q - ((x % w != 0) & (x < 0));
}

static int
bucket_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	*out = floor_div(x, step->args[0]);
	return 0;
}

static bool
bucket_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		w = step->args[0];

	for (size_t i = 0; i < n; i++)
		v[i] = floor_div(v[i], w);
	return false;
}

/* --- log2: floor(log2(x)) for x >= 1, and -1 for x <= 0 --- */

static inline int64_t
floor_log2(int64_t x)
{
	return x >= 1 ? 63 - __builtin_clzll((unsigned long long) x) : -1;
}

static int
log2_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	*out = floor_log2(x);
	return 0;
}

static bool
log2_batch(const ls_step *step, int64_t *v, size_t n)
{
	(void) step;
	for (size_t i = 0; i < n; i++)
		v[i] = floor_log2(v[i]);
	return false;
}

/* --- modsquare(m, c): x * x when m divides x, else x + c --- */

static int
modulus_check(const int64_t *args, const char **message)
{
	if (args[0] <= 0)
	{
		*message = "modulus m must be greater than zero";
		return 0;
	}
	return -1;
}

static int
modsquare_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	int64_t		m = step->args[0];
	int64_t		c = step->args[1];

	if (x % m == 0)
		return __builtin_mul_overflow(x, x, out) ? 1 : 0;
	if (__builtin_add_overflow(x, c, out))
		return c < 0 ? -1 : 1;
	return 0;
}

static bool
modsquare_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		m = step->args[0];
	int64_t		c = step->args[1];
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		int64_t		x = v[i];
		int64_t		squared;
		int64_t		shifted;
		bool		divisible = (x % m == 0);
		bool		square_overflow = __builtin_mul_overflow(x, x, &squared);
		bool		shift_overflow = __builtin_add_overflow(x, c, &shifted);

		overflow |= divisible ? square_overflow : shift_overflow;
		v[i] = divisible ? squared : shifted;
	}
	return overflow;
}

/* --- square: x * x --- */

static int
square_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	(void) step;
	return __builtin_mul_overflow(x, x, out) ? 1 : 0;
}

static bool
square_batch(const ls_step *step, int64_t *v, size_t n)
{
	bool		overflow = false;

	(void) step;
	for (size_t i = 0; i < n; i++)
		overflow |= __builtin_mul_overflow(v[i], v[i], &v[i]);
	return overflow;
}

/* --- threshold(t): 1 when x >= t, else 0 --- */

static int
threshold_scalar(const ls_step *step, int64_t x, int64_t *out)
{
	*out = x >= step->args[0];
	return 0;
}

static bool
threshold_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		t = step->args[0];

	for (size_t i = 0; i < n; i++)
		v[i] = v[i] >= t;
	return false;
}

/* --- the registry --- */

static const ls_stage stages[] = {
	{"scale", LS_KIND_TRANSFORM, 1, "k", scale_scalar, scale_batch, NULL,
	"Multiplies by k."},
	{"shift", LS_KIND_TRANSFORM, 1, "c", shift_scalar, shift_batch, NULL,
	"Adds c."},
	{"abs", LS_KIND_TRANSFORM, 0, "", abs_scalar, abs_batch, NULL,
	"Absolute value."},
	{"clamp", LS_KIND_TRANSFORM, 2, "lo, hi", clamp_scalar, clamp_batch, clamp_check,
	"Limits to the range lo..hi."},
	{"bucket", LS_KIND_TRANSFORM, 1, "w", bucket_scalar, bucket_batch, width_check,
	"Floor division by the width w (w > 0), rounding toward minus infinity."},
	{"log2", LS_KIND_TRANSFORM, 0, "", log2_scalar, log2_batch, NULL,
	"Floor of the base-2 logarithm for x >= 1; -1 for x <= 0."},
	{"modsquare", LS_KIND_SCORE, 2, "m, c", modsquare_scalar, modsquare_batch, modulus_check,
	"x squared when the modulus m (m > 0) divides x, else x + c: the founding scorer."},
	{"square", LS_KIND_SCORE, 0, "", square_scalar, square_batch, NULL,
	"x squared."},
	{"threshold", LS_KIND_SCORE, 1, "t", threshold_scalar, threshold_batch, NULL,
	"1 when x >= t, else 0."},
};

static const struct
{
	const char *name;
	const char *pipeline;
}			aliases[] = {
	{"seed", LS_DEFAULT_PIPELINE},
};

#define lengthof(array) (sizeof(array) / sizeof((array)[0]))

static bool
name_equals(const char *name, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		char		c = text[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		/* a NUL in the text must not match the name's terminator */
		if (c == '\0' || name[i] != c)
			return false;
	}
	return name[len] == '\0';
}

size_t
ls_stage_count(void)
{
	return lengthof(stages);
}

const ls_stage *
ls_stage_at(size_t i)
{
	return i < lengthof(stages) ? &stages[i] : NULL;
}

const ls_stage *
ls_stage_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < lengthof(stages); i++)
		if (name_equals(stages[i].name, name, len))
			return &stages[i];
	return NULL;
}

const char *
ls_alias_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < lengthof(aliases); i++)
		if (name_equals(aliases[i].name, name, len))
			return aliases[i].pipeline;
	return NULL;
}

const char *
ls_kind_name(ls_kind kind)
{
	return kind == LS_KIND_SCORE ? "score" : "transform";
}
