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

/*
 * The batch loops test overflow by comparing inputs with bounds that prepare
 * derived from the arguments, and compute in unsigned arithmetic (which
 * wraps, where signed overflow would be undefined).  Comparisons and wrapping
 * arithmetic are what the compiler can vectorise; __builtin_*_overflow is not.
 */

/* Bounds on x for x + c to fit. */
static void
add_bounds(ls_step *step, int64_t c)
{
	step->lo = c < 0 ? INT64_MIN - c : INT64_MIN;
	step->hi = c > 0 ? INT64_MAX - c : INT64_MAX;
}

/* --- scale(k): x * k --- */

static void
scale_prepare(ls_step *step)
{
	int64_t		k = step->args[0];

	if (k == 0 || k == 1)
	{
		step->lo = INT64_MIN;
		step->hi = INT64_MAX;
	}
	else if (k == -1)
	{
		step->lo = -INT64_MAX;
		step->hi = INT64_MAX;
	}
	else if (k > 0)
	{
		/* C division truncates toward zero: ceil for lo, floor for hi */
		step->lo = INT64_MIN / k;
		step->hi = INT64_MAX / k;
	}
	else
	{
		step->lo = INT64_MAX / k;
		step->hi = INT64_MIN / k;
	}
}

static bool
scale_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		k = step->args[0];
	int64_t		lo = step->lo;
	int64_t		hi = step->hi;
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		overflow |= (v[i] < lo) | (v[i] > hi);
		v[i] = ls_wrapping_mul(v[i], k);
	}
	return overflow;
}

/* --- shift(c): x + c --- */

static void
shift_prepare(ls_step *step)
{
	add_bounds(step, step->args[0]);
}

static bool
shift_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		c = step->args[0];
	int64_t		lo = step->lo;
	int64_t		hi = step->hi;
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		overflow |= (v[i] < lo) | (v[i] > hi);
		v[i] = ls_wrapping_add(v[i], c);
	}
	return overflow;
}

/* --- abs: |x|; only INT64_MIN has no bigint absolute value --- */

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

static bool
bucket_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		w = step->args[0];

	for (size_t i = 0; i < n; i++)
		v[i] = ls_floor_div(v[i], w);
	return false;
}

/* --- log2: floor(log2(x)) for x >= 1, and -1 for x <= 0 --- */

static bool
log2_batch(const ls_step *step, int64_t *v, size_t n)
{
	(void) step;
	for (size_t i = 0; i < n; i++)
		v[i] = ls_floor_log2(v[i]);
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

/*
 * Divisibility without division (Granlund and Montgomery; Hacker's Delight
 * 10-16): for m = odd * 2^shift, u is divisible by m exactly when u times the
 * inverse of odd (mod 2^64), rotated right by shift, is at most
 * UINT64_MAX / m.  A multiply and a compare instead of a 64-bit divide.
 */
static void
modsquare_prepare(ls_step *step)
{
	uint64_t	m = (uint64_t) step->args[0];
	uint64_t	odd;
	uint64_t	inverse;

	step->shift = (unsigned) __builtin_ctzll(m);
	odd = m >> step->shift;
	/* Newton's iteration doubles the correct low bits: 3, 6, ..., 96 */
	inverse = odd;
	for (int i = 0; i < 5; i++)
		inverse *= 2 - odd * inverse;
	step->inverse = inverse;
	step->limit = UINT64_MAX / m;
	add_bounds(step, step->args[1]);
}

static bool
modsquare_batch(const ls_step *step, int64_t *v, size_t n)
{
	int64_t		c = step->args[1];
	int64_t		lo = step->lo;
	int64_t		hi = step->hi;
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		int64_t		x = v[i];
		bool		d = ls_divisible(step, x);
		bool		square_overflow = (x > LS_SQUARE_LIMIT) | (x < -LS_SQUARE_LIMIT);
		bool		shift_overflow = (x < lo) | (x > hi);

		overflow |= d ? square_overflow : shift_overflow;
		v[i] = d ? ls_wrapping_mul(x, x) : ls_wrapping_add(x, c);
	}
	return overflow;
}

/* --- square: x * x --- */

static bool
square_batch(const ls_step *step, int64_t *v, size_t n)
{
	bool		overflow = false;

	(void) step;
	for (size_t i = 0; i < n; i++)
	{
		overflow |= (v[i] > LS_SQUARE_LIMIT) | (v[i] < -LS_SQUARE_LIMIT);
		v[i] = ls_wrapping_mul(v[i], v[i]);
	}
	return overflow;
}

/* --- threshold(t): 1 when x >= t, else 0 --- */

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
	{"scale", LS_OP_SCALE, LS_KIND_TRANSFORM, 1, "k", ls_scale_scalar, scale_batch, NULL, scale_prepare,
	"Multiplies by k."},
	{"shift", LS_OP_SHIFT, LS_KIND_TRANSFORM, 1, "c", ls_shift_scalar, shift_batch, NULL, shift_prepare,
	"Adds c."},
	{"abs", LS_OP_ABS, LS_KIND_TRANSFORM, 0, "", ls_abs_scalar, abs_batch, NULL, NULL,
	"Absolute value."},
	{"clamp", LS_OP_CLAMP, LS_KIND_TRANSFORM, 2, "lo, hi", ls_clamp_scalar, clamp_batch, clamp_check, NULL,
	"Limits to the range lo..hi."},
	{"bucket", LS_OP_BUCKET, LS_KIND_TRANSFORM, 1, "w", ls_bucket_scalar, bucket_batch, width_check, NULL,
	"Floor division by the width w (w > 0), rounding toward minus infinity."},
	{"log2", LS_OP_LOG2, LS_KIND_TRANSFORM, 0, "", ls_log2_scalar, log2_batch, NULL, NULL,
	"Floor of the base-2 logarithm for x >= 1; -1 for x <= 0."},
	{"modsquare", LS_OP_MODSQUARE, LS_KIND_SCORE, 2, "m, c", ls_modsquare_scalar, modsquare_batch, modulus_check,
		modsquare_prepare,
	"x squared when the modulus m (m > 0) divides x, else x + c: the founding scorer."},
	{"square", LS_OP_SQUARE, LS_KIND_SCORE, 0, "", ls_square_scalar, square_batch, NULL, NULL,
	"x squared."},
	{"threshold", LS_OP_THRESHOLD, LS_KIND_SCORE, 1, "t", ls_threshold_scalar, threshold_batch, NULL, NULL,
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

void
ls_step_init(ls_step *step, const ls_stage *stage, const int64_t *args)
{
	memset(step, 0, sizeof(*step));
	step->stage = stage;
	step->op = stage->op;
	for (int i = 0; i < stage->nargs; i++)
		step->args[i] = args[i];
	if (stage->prepare != NULL)
		stage->prepare(step);
}

const char *
ls_kind_name(ls_kind kind)
{
	return kind == LS_KIND_SCORE ? "score" : "transform";
}
