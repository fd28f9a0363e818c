/*
 * helpers.c
 *	  Test helpers: a fixed-seed xorshift PRNG, a generator of values and of
 *	  valid random pipelines, pipeline comparison and formatting, and a
 *	  leak-counting allocator and encoders for sketches.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: small, fast, and the same sequence on every platform. */
uint64_t
xs_next(uint64_t *state)
{
	uint64_t	x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(2685821657736338717);
}

/* A value in lo..hi inclusive; lo <= hi. */
int64_t
xs_range(uint64_t *state, int64_t lo, int64_t hi)
{
	uint64_t	span = (uint64_t) hi - (uint64_t) lo;
	uint64_t	r = xs_next(state);

	if (span != UINT64_MAX)
		r %= span + 1;
	return (int64_t) ((uint64_t) lo + r);
}

/*
 * A value a pipeline might see: mostly small, often an extreme or a value
 * next to where squaring or doubling starts to overflow, sometimes anything.
 */
int64_t
xs_value(uint64_t *state)
{
	static const int64_t edges[] = {
		INT64_MIN, INT64_MIN + 1, INT64_MIN / 2, INT64_MIN / 2 - 1,
		-3037000500, -3037000499, -1, 0, 1,
		3037000499, 3037000500, INT64_MAX / 2, INT64_MAX / 2 + 1,
		INT64_MAX - 1, INT64_MAX
	};
	uint64_t	pick = xs_next(state) % 8;

	switch (pick)
	{
		case 0:
		case 1:
			return edges[xs_next(state) % (sizeof(edges) / sizeof(edges[0]))];
		case 2:
			return (int64_t) xs_next(state);
		case 3:
			return xs_range(state, -(INT64_C(1) << 32), INT64_C(1) << 32);
		default:
			return xs_range(state, -1000, 1000);
	}
}

/* An argument: mostly small so that batches often take the fast path. */
static int64_t
random_arg(uint64_t *state)
{
	uint64_t	pick = xs_next(state) % 10;

	if (pick < 6)
		return xs_range(state, -10, 10);
	if (pick < 8)
		return xs_range(state, -(INT64_C(1) << 31), INT64_C(1) << 31);
	return xs_value(state);
}

/*
 * A valid pipeline of 1..maxsteps stages drawn from the registry, with
 * arguments redrawn until the stage's own check accepts them, and each step
 * prepared by ls_step_init as the parser prepares it.
 */
void
random_pipeline(uint64_t *state, ls_pipeline *p, int maxsteps)
{
	memset(p, 0, sizeof(*p));
	p->nsteps = (int) xs_range(state, 1, maxsteps);
	for (int i = 0; i < p->nsteps; i++)
	{
		const ls_stage *stage = ls_stage_at(xs_next(state) % ls_stage_count());
		int64_t		args[LS_MAX_ARGS] = {0, 0};

		for (;;)
		{
			const char *message = NULL;

			for (int a = 0; a < stage->nargs; a++)
				args[a] = random_arg(state);
			if (stage->check == NULL || stage->check(args, &message) < 0)
				break;
		}
		ls_step_init(&p->steps[i], stage, args);
	}
}

/*
 * Same stages with the same arguments and the same derived constants; unused
 * argument slots are ignored.
 */
bool
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

void
must_parse_at(const char *file, int line, const char *text, ls_pipeline *p)
{
	ls_error	err;

	if (!ls_pipeline_parse(text, strlen(text), p, &err))
	{
		print_error("parsing \"%s\" failed at offset %zu: %s\n",
					text, err.offset, err.message);
		_fail(file, line);
	}
}

/*
 * The canonical text of p, "a(1) | b", in a malloc'd buffer of exactly the
 * right size: its steps as ls_step_format writes them (what the product's
 * messages show), joined by " | ".
 */
char *
format_alloc(const ls_pipeline *p)
{
	size_t		len = 0;
	size_t		used = 0;
	char	   *buf;

	for (int i = 0; i < p->nsteps; i++)
	{
		int			n = ls_step_format(&p->steps[i], NULL, 0);

		assert_true(n > 0);
		len += (size_t) n + (i > 0 ? 3 : 0);
	}
	buf = malloc(len + 1);
	assert_non_null(buf);
	buf[0] = '\0';
	for (int i = 0; i < p->nsteps; i++)
	{
		if (i > 0)
			used += (size_t) snprintf(buf + used, len + 1 - used, " | ");
		used += (size_t) ls_step_format(&p->steps[i], buf + used, len + 1 - used);
	}
	assert_int_equal(used, len);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* --- sketches --- */

static void *
test_alloc(void *context, size_t size)
{
	void	   *p = malloc(size == 0 ? 1 : size);

	(void) context;
	assert_non_null(p);
	test_allocations_live++;
	test_allocations_made++;
	return p;
}

static void
test_release(void *context, void *pointer)
{
	(void) context;
	assert_non_null(pointer);
	test_allocations_live--;
	free(pointer);
}

ls_allocator test_allocator = {test_alloc, test_release, NULL};
long		test_allocations_live = 0;
long		test_allocations_made = 0;

/* Uniform in [0, 1), from the top 53 bits. */
double
xs_uniform(uint64_t *state)
{
	return (double) (xs_next(state) >> 11) * 0x1.0p-53;
}

/* Standard normal, by Box-Muller. */
double
xs_normal(uint64_t *state)
{
	double		u = 1.0 - xs_uniform(state);	/* (0, 1] */
	double		v = xs_uniform(state);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

void
must_init(ls_sketch *s, double alpha)
{
	assert_int_equal(ls_sketch_init(s, alpha, &test_allocator), LS_SKETCH_OK);
}

void
must_add(ls_sketch *s, double x)
{
	if (ls_sketch_add(s, x) != LS_SKETCH_OK)
		fail_msg("adding %.17g failed", x);
}

/* The binary form in a malloc'd buffer; *size is its length. */
uint8_t *
encode_alloc(const ls_sketch *s, size_t *size)
{
	size_t		n = ls_sketch_encoded_size(s);
	uint8_t    *buf = malloc(n);

	assert_non_null(buf);
	assert_int_equal(ls_sketch_encode(s, buf), n);
	*size = n;
	return buf;
}

/* The text form in a malloc'd buffer of exactly the right size. */
char *
text_alloc(const ls_sketch *s)
{
	size_t		n = ls_sketch_to_text(s, NULL, 0);
	char	   *buf = malloc(n + 1);

	assert_non_null(buf);
	assert_int_equal(ls_sketch_to_text(s, buf, n + 1), n);
	assert_int_equal(strlen(buf), n);
	return buf;
}

/*
 * Same encoding but for sum, mean and m2, whose last bits depend on the order
 * values were added or merged in (bytes 28 to 51 of the binary form).
 */
void
assert_same_buckets(const ls_sketch *a, const ls_sketch *b)
{
	size_t		na;
	size_t		nb;
	uint8_t    *ea = encode_alloc(a, &na);
	uint8_t    *eb = encode_alloc(b, &nb);

	assert_int_equal(na, nb);
	memset(ea + 28, 0, 24);
	memset(eb + 28, 0, 24);
	assert_memory_equal(ea, eb, na);
	free(ea);
	free(eb);
}

/* A cmocka setup: a test that failed may have leaked; the next starts at 0. */
int
reset_allocations(void **state)
{
	(void) state;
	test_allocations_live = 0;
	return 0;
}
