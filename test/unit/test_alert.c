/*
 * test_alert.c
 *	  Tests of the alert state machine on hand-built series of z-scores:
 *	  rising, escalating, holding, clearing, NULLs, and threshold checks.
 */
#include "unit.h"

#include <math.h>
#include <stdio.h>

#include "core/alert.h"

/* NULL in a series: the row is not stepped, as the SQL glue does. */
#define NUL NAN

/* The defaults of the logscore.alert_* settings. */
static const ls_alert_thresholds defaults = {3, 5, 2, 2, 3};

#define O LS_LEVEL_OK
#define W LS_LEVEL_WARNING
#define C LS_LEVEL_CRITICAL

/* Runs z[0..n) from the start and checks the state after every row. */
static void
check_series_at(const char *file, int line, const ls_alert_thresholds *t,
				const double *z, const ls_alert_level *expected, int n)
{
	ls_alert_machine m;

	ls_alert_start(&m);
	for (int i = 0; i < n; i++)
	{
		ls_alert_level state = isnan(z[i]) ? m.state : ls_alert_step(&m, t, z[i]);

		if (state != expected[i])
			fail_msg("%s:%d: row %d (z = %g): state %d, expected %d",
					 file, line, i + 1, z[i], (int) state, (int) expected[i]);
	}
}

#define check_series(t, z, expected) \
	do \
	{ \
		assert_int_equal(sizeof(z) / sizeof((z)[0]), \
						 sizeof(expected) / sizeof((expected)[0])); \
		check_series_at(__FILE__, __LINE__, (t), (z), (expected), \
						(int) (sizeof(z) / sizeof((z)[0]))); \
	} while (0)

static void
test_alert_levels(void **state)
{
	(void) state;
	assert_int_equal(ls_alert_level_of(0, 3, 5), O);
	assert_int_equal(ls_alert_level_of(2.999, 3, 5), O);
	assert_int_equal(ls_alert_level_of(3, 3, 5), W);
	assert_int_equal(ls_alert_level_of(-3, 3, 5), W);
	assert_int_equal(ls_alert_level_of(4.999, 3, 5), W);
	assert_int_equal(ls_alert_level_of(5, 3, 5), C);
	assert_int_equal(ls_alert_level_of(-5, 3, 5), C);
	assert_int_equal(ls_alert_level_of(INFINITY, 3, 5), C);
	assert_int_equal(ls_alert_level_of(-INFINITY, 3, 5), C);
	assert_int_equal(ls_alert_level_of(-0.0, 3, 5), O);
	/* warning = critical: no warning band */
	assert_int_equal(ls_alert_level_of(4, 4, 4), C);
	assert_int_equal(ls_alert_level_of(3.9, 4, 4), O);
}

static void
test_alert_rise_to_warning(void **state)
{
	/* one row above is not enough; two in a row are */
	static const double z[] = {0, 3.5, 1, 3.5, 4};
	static const ls_alert_level expected[] = {O, O, O, O, W};

	(void) state;
	check_series(&defaults, z, expected);
}

static void
test_alert_rise_to_critical(void **state)
{
	static const double z[] = {6, 7, 0.5};
	static const ls_alert_level expected[] = {O, C, C};

	(void) state;
	check_series(&defaults, z, expected);
}

static void
test_alert_rise_to_lowest(void **state)
{
	/* critical then warning: the state rises to warning only */
	static const double z[] = {6, 4, 9, 9};
	static const ls_alert_level expected[] = {O, W, W, C};
	/* and with a longer streak, the lowest anywhere in it */
	static const ls_alert_thresholds three = {3, 5, 2, 3, 3};
	static const double z3[] = {6, 3, 8, 8};
	static const ls_alert_level expected3[] = {O, O, W, W};

	(void) state;
	check_series(&defaults, z, expected);
	check_series(&three, z3, expected3);
}

static void
test_alert_escalation(void **state)
{
	/*
	 * From warning, one critical row does not escalate; a warning row in
	 * between breaks the streak; two critical rows in a row do.
	 */
	static const double z[] = {4, 4, 6, 4, 6, 6};
	static const ls_alert_level expected[] = {O, W, W, W, W, C};

	(void) state;
	check_series(&defaults, z, expected);
}

static void
test_alert_hold(void **state)
{
	/* between clear and warning the state holds, however long */
	static const double z[] = {4, 4, 2.5, 2.9, 2, 2.5, 2.99, 2};
	static const ls_alert_level expected[] = {O, W, W, W, W, W, W, W};
	/* from critical, warning-level rows hold too */
	static const double zc[] = {6, 6, 4, 4, 4, 4.9};
	static const ls_alert_level expectedc[] = {O, C, C, C, C, C};

	(void) state;
	check_series(&defaults, z, expected);
	check_series(&defaults, zc, expectedc);
}

static void
test_alert_clear(void **state)
{
	/* three rows below clear in a row return to ok, from warning */
	static const double z[] = {4, 4, 1, 1.99, 0, 3.5};
	static const ls_alert_level expected[] = {O, W, W, W, O, O};
	/* and from critical straight to ok */
	static const double zc[] = {6, 6, 1, 1, 1};
	static const ls_alert_level expectedc[] = {O, C, C, C, O};
	/* one row at or above clear breaks the streak */
	static const double zb[] = {4, 4, 1, 1, 2, 1, 1, 1};
	static const ls_alert_level expectedb[] = {O, W, W, W, W, W, W, O};
	/* a row that rises towards critical breaks it too */
	static const double zr[] = {4, 4, 1, 1, 6, 1, 1, 1};
	static const ls_alert_level expectedr[] = {O, W, W, W, W, W, W, O};

	(void) state;
	check_series(&defaults, z, expected);
	check_series(&defaults, zc, expectedc);
	check_series(&defaults, zb, expectedb);
	check_series(&defaults, zr, expectedr);
}

static void
test_alert_nulls(void **state)
{
	/* NULLs neither raise, nor clear, nor break a streak */
	static const double z[] = {NUL, 4, NUL, NUL, 4, 1, NUL, 1, NUL, 1, NUL};
	static const ls_alert_level expected[] = {O, O, O, O, W, W, W, W, W, O, O};
	static const double zc[] = {6, NUL, 6, NUL, 0, NUL, 0, 0};
	static const ls_alert_level expectedc[] = {O, O, C, C, C, C, C, O};

	(void) state;
	check_series(&defaults, z, expected);
	check_series(&defaults, zc, expectedc);
}

static void
test_alert_negative(void **state)
{
	/* the level is by |z|: negative scores alert and clear alike */
	static const double z[] = {-4, 3.5, -6, -6, -1, 1, -0.5};
	static const ls_alert_level expected[] = {O, W, W, C, C, C, O};

	(void) state;
	check_series(&defaults, z, expected);
}

static void
test_alert_infinite(void **state)
{
	static const double z[] = {INFINITY, -INFINITY, 0, 0, 0};
	static const ls_alert_level expected[] = {O, C, C, C, O};

	(void) state;
	check_series(&defaults, z, expected);
}

static void
test_alert_enter_after_one(void **state)
{
	/* every row above the state raises it at once; exit_after 1 clears at once */
	static const ls_alert_thresholds at_once = {3, 5, 2, 1, 1};
	static const double z[] = {0, 4, 6, 4, 1, 6, 2, 1.5};
	static const ls_alert_level expected[] = {O, W, C, C, O, C, C, O};

	(void) state;
	check_series(&at_once, z, expected);
}

static void
test_alert_streaks_reset_on_change(void **state)
{
	/*
	 * The rise to warning resets the streaks: the critical row that follows
	 * starts a new one, so escalating still takes two critical rows.
	 */
	static const double z[] = {4, 6, 6, 6};
	static const ls_alert_level expected[] = {O, W, W, C};

	(void) state;
	check_series(&defaults, z, expected);
}

/* The names the SQL functions' arguments have, and the default numbers. */
static const ls_alert_naming arguments = {
	{"warning", "critical", "clear", "enter_after", "exit_after"}, false, NULL
};

/* The settings' names: only the words of a misordering differ. */
static const ls_alert_naming settings = {
	{"logscore.alert_warning", "logscore.alert_critical", "logscore.alert_clear",
	"logscore.alert_enter_after", "logscore.alert_exit_after"}, true, NULL
};

/* A writer of values that marks them, to see that the naming's is used. */
static void
write_marked(char *buffer, size_t size, double value)
{
	snprintf(buffer, size, "<%g>", value);
}

static void
test_alert_check(void **state)
{
	ls_error	err;
	ls_alert_thresholds t;

	(void) state;
	assert_true(ls_alert_check(&defaults, &arguments, &err));
	assert_int_equal(err.kind, LS_ERROR_NONE);

	/* equal thresholds are allowed */
	t = (ls_alert_thresholds) {3, 3, 3, 1, 1};
	assert_true(ls_alert_check(&t, &arguments, &err));

	t = defaults;
	t.warning = 6;
	assert_false(ls_alert_check(&t, &arguments, &err));
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "alert threshold warning (6) must not be above critical (5)");
	assert_string_equal(err.hint, "Pass thresholds such that 0 < clear <= warning <= critical.");

	t = defaults;
	t.clear = 3.5;
	assert_false(ls_alert_check(&t, &arguments, &err));
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "alert threshold clear (3.5) must not be above warning (3)");

	{
		static const double bad[] = {0, -1, NAN, INFINITY, -INFINITY};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			t = defaults;
			t.clear = bad[i];
			assert_false(ls_alert_check(&t, &arguments, &err));
			assert_int_equal(err.kind, LS_ERROR_INVALID);
			assert_string_equal(err.message, "alert threshold clear must be a finite number above 0");

			t = defaults;
			t.warning = bad[i];
			assert_false(ls_alert_check(&t, &arguments, &err));
			assert_int_equal(err.kind, LS_ERROR_INVALID);
			assert_string_equal(err.message, "alert threshold warning must be a finite number above 0");

			t = defaults;
			t.critical = bad[i];
			assert_false(ls_alert_check(&t, &arguments, &err));
			assert_int_equal(err.kind, LS_ERROR_INVALID);
			assert_string_equal(err.message, "alert threshold critical must be a finite number above 0");
		}
	}

	t = defaults;
	t.enter_after = 0;
	assert_false(ls_alert_check(&t, &arguments, &err));
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "enter_after must be at least 1");
	assert_string_equal(err.detail, "The value given is 0.");

	t = defaults;
	t.exit_after = -3;
	assert_false(ls_alert_check(&t, &arguments, &err));
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "exit_after must be at least 1");
	assert_string_equal(err.detail, "The value given is -3.");

	/* the levels alone ignore clear and the counts */
	assert_true(ls_alert_check_levels(1, 1, &arguments, &err));
	assert_false(ls_alert_check_levels(5, 3, &arguments, &err));
	assert_string_equal(err.message, "alert threshold warning (5) must not be above critical (3)");
	assert_false(ls_alert_check_levels(0, 3, &arguments, &err));
	assert_string_equal(err.message, "alert threshold warning must be a finite number above 0");
	assert_string_equal(err.detail, "The value given is 0.");
}

/* The naming decides the names, the words of a misordering, and the numbers. */
static void
test_alert_check_naming(void **state)
{
	ls_error	err;
	ls_alert_thresholds t = defaults;
	ls_alert_naming marked = arguments;

	(void) state;
	t.clear = 4;
	assert_false(ls_alert_check(&t, &settings, &err));
	assert_string_equal(err.message,
						"logscore.alert_clear (4) must not be above logscore.alert_warning (3)");
	assert_string_equal(err.hint,
						"Set the alert settings so that logscore.alert_clear <= logscore.alert_warning <= logscore.alert_critical.");
	t = defaults;
	t.exit_after = 0;
	assert_false(ls_alert_check(&t, &settings, &err));
	assert_string_equal(err.message, "logscore.alert_exit_after must be at least 1");

	marked.write_value = write_marked;
	assert_false(ls_alert_check_levels(-1, 3, &marked, &err));
	assert_string_equal(err.detail, "The value given is <-1>.");
	assert_false(ls_alert_check_levels(4, 3, &marked, &err));
	assert_string_equal(err.message, "alert threshold warning (<4>) must not be above critical (<3>)");
}

int
run_alert_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert_levels),
		cmocka_unit_test(test_alert_rise_to_warning),
		cmocka_unit_test(test_alert_rise_to_critical),
		cmocka_unit_test(test_alert_rise_to_lowest),
		cmocka_unit_test(test_alert_escalation),
		cmocka_unit_test(test_alert_hold),
		cmocka_unit_test(test_alert_clear),
		cmocka_unit_test(test_alert_nulls),
		cmocka_unit_test(test_alert_negative),
		cmocka_unit_test(test_alert_infinite),
		cmocka_unit_test(test_alert_enter_after_one),
		cmocka_unit_test(test_alert_streaks_reset_on_change),
		cmocka_unit_test(test_alert_check),
		cmocka_unit_test(test_alert_check_naming),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
