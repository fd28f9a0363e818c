/*
 * test_sketch_window.c
 *	  Tests of the sliding-frame sketch: at every step of a slide over
 *	  values with ties, zeros and negatives, the window is the sketch of its
 *	  frame built from scratch, and removals mostly succeed (a rebuild is the
 *	  exception); the removals that must ask for a rebuild do.
 */
#include "unit.h"

#include <math.h>

#include "core/sketch_window.h"

#define SLIDE_VALUES 20000
#define SLIDE_WIDTH 300

static double
slide_value(uint64_t *state)
{
	int64_t		pick = xs_range(state, 0, 19);

	if (pick == 0)
		return 0.0;
	if (pick <= 3)
		return -(double) xs_range(state, 1, 200) / 10.0;
	if (pick == 4)
		return (double) xs_range(state, 1, 1000000000);
	return (double) xs_range(state, 0, 1000) / 10.0;
}

/* The window rebuilt from values[lo, hi), as PostgreSQL restarts it. */
static void
rebuild(ls_sketch_window *w, const double *values, size_t lo, size_t hi)
{
	ls_sketch_window_free(w);
	assert_int_equal(ls_sketch_window_init(w, 0.01, &test_allocator), LS_SKETCH_OK);
	for (size_t i = lo; i < hi; i++)
		assert_int_equal(ls_sketch_window_add(w, values[i]), LS_SKETCH_OK);
}

static void
test_sketch_window_slide(void **unused)
{
	static double values[SLIDE_VALUES];
	uint64_t	state = 0x5eed14c;
	ls_sketch_window w;
	size_t		rebuilds = 0;

	(void) unused;
	for (size_t i = 0; i < SLIDE_VALUES; i++)
		values[i] = slide_value(&state);
	assert_int_equal(ls_sketch_window_init(&w, 0.01, &test_allocator), LS_SKETCH_OK);
	for (size_t end = 1; end <= SLIDE_VALUES; end++)
	{
		size_t		start = end > SLIDE_WIDTH ? end - SLIDE_WIDTH : 0;
		ls_sketch	scratch;

		if (start > 0 && ls_sketch_window_remove(&w, values[start - 1]) != LS_SKETCH_WINDOW_OK)
		{
			rebuilds++;
			rebuild(&w, values, start, end - 1);
		}
		assert_int_equal(ls_sketch_window_add(&w, values[end - 1]), LS_SKETCH_OK);

		must_init(&scratch, 0.01);
		for (size_t i = start; i < end; i++)
			must_add(&scratch, values[i]);
		if (!ls_sketch_same_distribution(&w.sketch, &scratch))
			fail_msg("frame [%zu, %zu): not the sketch of its values", start, end);
		if (fabs(w.sketch.sum - scratch.sum) > 1e-9 * (double) scratch.count * 1e9 ||
			fabs(w.sketch.mean - scratch.mean) > 1e-9 * 1e9 ||
			fabs(ls_sketch_stddev(&w.sketch) - ls_sketch_stddev(&scratch)) >
			1e-9 * ls_sketch_stddev(&scratch))
			fail_msg("frame [%zu, %zu): sum %.17g / %.17g, stddev %.17g / %.17g", start, end,
					 w.sketch.sum, scratch.sum, ls_sketch_stddev(&w.sketch),
					 ls_sketch_stddev(&scratch));
		ls_sketch_free(&scratch);
	}
	/* the point of the inverse: rebuilds are the exception */
	if (rebuilds * 10 > SLIDE_VALUES)
		fail_msg("%zu rebuilds in %d removals", rebuilds, SLIDE_VALUES - SLIDE_WIDTH);
	assert_true(rebuilds > 0);
	ls_sketch_window_free(&w);
	assert_int_equal(test_allocations_live, 0);
}

/* The removals that cannot stay exact ask for a rebuild. */
static void
test_sketch_window_rebuilds(void **unused)
{
	ls_sketch_window w;

	(void) unused;
	assert_int_equal(ls_sketch_window_init(&w, 0.01, &test_allocator), LS_SKETCH_OK);
	/* the minimum and the maximum leave with no tie: unknown successors */
	assert_int_equal(ls_sketch_window_add(&w, 1), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_add(&w, 5), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_add(&w, 9), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_remove(&w, 1), LS_SKETCH_WINDOW_REBUILD);
	rebuild(&w, (const double[]) {5, 9, 9}, 0, 3);
	assert_int_equal(ls_sketch_window_remove(&w, 9), LS_SKETCH_WINDOW_OK);	/* a tie is left */
	assert_int_equal(ls_sketch_window_remove(&w, 9), LS_SKETCH_WINDOW_REBUILD);
	/* a value never added, and a NaN */
	rebuild(&w, (const double[]) {5, 6, 7}, 0, 3);
	assert_int_equal(ls_sketch_window_remove(&w, 6.5), LS_SKETCH_WINDOW_REBUILD);
	rebuild(&w, (const double[]) {5, 6, 7}, 0, 3);
	assert_int_equal(ls_sketch_window_remove(&w, NAN), LS_SKETCH_WINDOW_REBUILD);
	/* a burst leaving cancels m2 to rounding */
	rebuild(&w, (const double[]) {1e12, 1, 2, 3, 2, 1}, 0, 6);
	w.min_ties = 1;
	assert_int_equal(ls_sketch_window_remove(&w, 1e12), LS_SKETCH_WINDOW_REBUILD);
	/* the last value leaving empties the window, which then starts afresh */
	rebuild(&w, (const double[]) {4}, 0, 1);
	assert_int_equal(ls_sketch_window_remove(&w, 4), LS_SKETCH_WINDOW_OK);
	assert_true(w.sketch.count == 0);
	assert_int_equal(ls_sketch_window_add(&w, -2), LS_SKETCH_OK);
	assert_true(w.sketch.min == -2 && w.sketch.max == -2 && w.min_ties == 1);
	/* a collapsed sketch no longer knows a value's bucket */
	ls_sketch_window_free(&w);
	assert_int_equal(ls_sketch_window_init(&w, 0.01, &test_allocator), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_add(&w, 1e-200), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_add(&w, 1e200), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_add(&w, 1), LS_SKETCH_OK);
	assert_true(w.sketch.collapsed);
	assert_int_equal(ls_sketch_window_remove(&w, 1), LS_SKETCH_WINDOW_REBUILD);
	ls_sketch_window_free(&w);
	assert_int_equal(test_allocations_live, 0);
}

/*
 * Buckets a removal emptied do not make a later add collapse.  The oldest
 * value, 1e-10, is neither the minimum (-5) nor the maximum (2), so it
 * leaves without a rebuild and leaves its bucket empty at the low end of the
 * positive store; 1e9 then spans 1e19 from it, more than 2048 buckets hold,
 * but only 5e8 from the values still there.
 */
static void
test_sketch_window_no_stale_collapse(void **unused)
{
	static const double values[] = {1e-10, -5, 2, 2, 1e9};
	ls_sketch_window w;
	ls_sketch	scratch;

	(void) unused;
	assert_int_equal(ls_sketch_window_init(&w, 0.01, &test_allocator), LS_SKETCH_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ls_sketch_window_add(&w, values[i]), LS_SKETCH_OK);
	assert_int_equal(ls_sketch_window_remove(&w, values[0]), LS_SKETCH_WINDOW_OK);
	assert_false(ls_sketch_fits(&w.sketch, values[4]));
	assert_int_equal(ls_sketch_window_add(&w, values[4]), LS_SKETCH_OK);
	assert_false(w.sketch.collapsed);
	must_init(&scratch, 0.01);
	for (int i = 1; i < 5; i++)
		must_add(&scratch, values[i]);
	assert_true(ls_sketch_same_distribution(&w.sketch, &scratch));
	ls_sketch_free(&scratch);
	ls_sketch_window_free(&w);
	assert_int_equal(test_allocations_live, 0);
}

int
run_sketch_window_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sketch_window_slide, reset_allocations),
		cmocka_unit_test_setup(test_sketch_window_rebuilds, reset_allocations),
		cmocka_unit_test_setup(test_sketch_window_no_stale_collapse, reset_allocations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
