/*
 * test_error.c
 *	  Tests of ls_error (core/error.h), the one type every core error is
 *	  reported in: setting, cutting, clearing, and a NULL error.
 */
#include "unit.h"

#include <string.h>

#include "core/error.h"

static void
test_error_set_and_clear(void **state)
{
	ls_error	err;

	(void) state;
	memset(&err, 0x7f, sizeof(err));
	ls_error_clear(&err);
	assert_int_equal(err.kind, LS_ERROR_NONE);
	assert_int_equal(err.offset, 0);
	assert_string_equal(err.message, "");
	assert_string_equal(err.detail, "");
	assert_string_equal(err.hint, "");

	assert_false(ls_error_set(&err, LS_ERROR_LIMIT, 7, "%d of %s", 3, "them"));
	ls_error_detail(&err, "The %s.", "detail");
	ls_error_hint(&err, "The %s.", "hint");
	assert_int_equal(err.kind, LS_ERROR_LIMIT);
	assert_int_equal(err.offset, 7);
	assert_string_equal(err.message, "3 of them");
	assert_string_equal(err.detail, "The detail.");
	assert_string_equal(err.hint, "The hint.");

	/* setting anew forgets the last error's detail and hint */
	ls_error_set(&err, LS_ERROR_INVALID, 0, "again");
	assert_int_equal(err.kind, LS_ERROR_INVALID);
	assert_string_equal(err.message, "again");
	assert_string_equal(err.detail, "");
	assert_string_equal(err.hint, "");
}

/* A long message is cut to fit, terminated. */
static void
test_error_cut(void **state)
{
	ls_error	err;
	char		longer[2 * LS_MESSAGE_SIZE];

	(void) state;
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ls_error_set(&err, LS_ERROR_INVALID, 0, "%s", longer);
	assert_int_equal(strlen(err.message), LS_MESSAGE_SIZE - 1);
	ls_error_detail(&err, "%s%s", longer, longer);
	assert_int_equal(strlen(err.detail), LS_ERROR_TEXT_SIZE - 1);
}

/* A caller that wants only the outcome passes NULL. */
static void
test_error_null(void **state)
{
	(void) state;
	ls_error_clear(NULL);
	assert_false(ls_error_set(NULL, LS_ERROR_INVALID, 0, "%s", "unseen"));
	ls_error_detail(NULL, "unseen");
	ls_error_hint(NULL, "unseen");
}

int
run_error_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set_and_clear),
		cmocka_unit_test(test_error_cut),
		cmocka_unit_test(test_error_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
