/*
 * test_registry.c
 *	  Tests of the stage registry: the table's contents, lookup by name
 *	  (case-insensitive, length-bounded) and the "seed" alias.
 */
#include "unit.h"

#include <string.h>

/*
 * Every stage the core must have.  A new stage fails
 * test_registry_names_every_stage until it is listed here, which is the
 * reminder to give it tests in test_stages.c.
 */
static const char *const expected_names[] = {
	"scale", "shift", "abs", "clamp", "bucket", "log2", "modsquare",
	"square", "threshold"
};

#define NEXPECTED (sizeof(expected_names) / sizeof(expected_names[0]))

static void
test_registry_names_every_stage(void **state)
{
	(void) state;
	assert_int_equal(ls_stage_count(), NEXPECTED);
	for (size_t i = 0; i < NEXPECTED; i++)
	{
		const ls_stage *stage = ls_stage_lookup(expected_names[i],
												strlen(expected_names[i]));

		assert_non_null(stage);
		assert_string_equal(stage->name, expected_names[i]);
	}
}

static void
test_registry_entries_complete(void **state)
{
	(void) state;
	for (size_t i = 0; i < ls_stage_count(); i++)
	{
		const ls_stage *stage = ls_stage_at(i);

		assert_non_null(stage);
		assert_non_null(stage->name);
		assert_non_null(stage->scalar);
		assert_non_null(stage->batch);
		assert_non_null(stage->description);
		assert_non_null(stage->params);
		assert_true(strlen(stage->description) > 0);
		assert_true(stage->nargs >= 0 && stage->nargs <= LS_MAX_ARGS);
		/* params names the arguments: empty exactly when there are none */
		assert_int_equal(stage->params[0] == '\0', stage->nargs == 0);
		assert_true(stage->kind == LS_KIND_TRANSFORM ||
					stage->kind == LS_KIND_SCORE);
		/* names are lower case so that the canonical text is too */
		for (const char *c = stage->name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'));
	}
}

static void
test_registry_names_unique(void **state)
{
	(void) state;
	for (size_t i = 0; i < ls_stage_count(); i++)
		for (size_t j = i + 1; j < ls_stage_count(); j++)
			assert_string_not_equal(ls_stage_at(i)->name, ls_stage_at(j)->name);
}

static void
test_registry_at_out_of_range(void **state)
{
	(void) state;
	assert_null(ls_stage_at(ls_stage_count()));
	assert_null(ls_stage_at(ls_stage_count() + 1));
	assert_null(ls_stage_at(SIZE_MAX));
}

static void
test_registry_lookup_finds_each(void **state)
{
	(void) state;
	for (size_t i = 0; i < ls_stage_count(); i++)
	{
		const ls_stage *stage = ls_stage_at(i);

		assert_ptr_equal(ls_stage_lookup(stage->name, strlen(stage->name)), stage);
	}
}

static void
test_registry_lookup_case_insensitive(void **state)
{
	(void) state;
	assert_ptr_equal(ls_stage_lookup("SCALE", 5), ls_stage_lookup("scale", 5));
	assert_ptr_equal(ls_stage_lookup("ModSquare", 9), ls_stage_lookup("modsquare", 9));
	assert_ptr_equal(ls_stage_lookup("LOG2", 4), ls_stage_lookup("log2", 4));
	assert_ptr_equal(ls_stage_lookup("tHrEsHoLd", 9), ls_stage_lookup("threshold", 9));
	assert_non_null(ls_stage_lookup("ABS", 3));
}

static void
test_registry_lookup_uses_length(void **state)
{
	(void) state;
	/* only the first len bytes are the name */
	assert_ptr_equal(ls_stage_lookup("scale(2)", 5), ls_stage_lookup("scale", 5));
	assert_ptr_equal(ls_stage_lookup("absolutely", 3), ls_stage_lookup("abs", 3));
	/* a prefix or an extension of a name is not the name */
	assert_null(ls_stage_lookup("scal", 4));
	assert_null(ls_stage_lookup("scalex", 6));
	assert_null(ls_stage_lookup("scale", 4));
	assert_null(ls_stage_lookup("", 0));
}

static void
test_registry_lookup_unknown(void **state)
{
	(void) state;
	assert_null(ls_stage_lookup("nope", 4));
	assert_null(ls_stage_lookup("scale ", 6));
	assert_null(ls_stage_lookup("sc_ale", 6));
	/* an alias is not a stage */
	assert_null(ls_stage_lookup("seed", 4));
}

/*
 * The name is (pointer, length), not a C string: a NUL inside it must not
 * match a stage name's terminator and lead the comparison past its end.
 */
static void
test_registry_lookup_embedded_nul(void **state)
{
	(void) state;
	assert_null(ls_stage_lookup("abs\0", 4));
	assert_null(ls_stage_lookup("abs\0\0\0\0", 7));
	assert_null(ls_stage_lookup("log2\0x", 6));
	assert_null(ls_alias_lookup("seed\0", 5));
}

static void
test_registry_alias_seed(void **state)
{
	(void) state;
	assert_string_equal(ls_alias_lookup("seed", 4), LS_DEFAULT_PIPELINE);
	assert_string_equal(ls_alias_lookup("SEED", 4), LS_DEFAULT_PIPELINE);
	assert_string_equal(ls_alias_lookup("seed | abs", 4), LS_DEFAULT_PIPELINE);
	assert_null(ls_alias_lookup("see", 3));
	assert_null(ls_alias_lookup("seeds", 5));
	assert_null(ls_alias_lookup("scale", 5));
	assert_null(ls_alias_lookup("", 0));
}

static void
test_registry_kind_names(void **state)
{
	(void) state;
	assert_string_equal(ls_kind_name(LS_KIND_TRANSFORM), "transform");
	assert_string_equal(ls_kind_name(LS_KIND_SCORE), "score");
	assert_int_equal(ls_stage_lookup("modsquare", 9)->kind, LS_KIND_SCORE);
	assert_int_equal(ls_stage_lookup("scale", 5)->kind, LS_KIND_TRANSFORM);
}

int
run_registry_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_names_every_stage),
		cmocka_unit_test(test_registry_entries_complete),
		cmocka_unit_test(test_registry_names_unique),
		cmocka_unit_test(test_registry_at_out_of_range),
		cmocka_unit_test(test_registry_lookup_finds_each),
		cmocka_unit_test(test_registry_lookup_case_insensitive),
		cmocka_unit_test(test_registry_lookup_uses_length),
		cmocka_unit_test(test_registry_lookup_unknown),
		cmocka_unit_test(test_registry_lookup_embedded_nul),
		cmocka_unit_test(test_registry_alias_seed),
		cmocka_unit_test(test_registry_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
