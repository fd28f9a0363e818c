/*
 * main.c
 *	  Runs every cmocka group of the core's unit tests; exits non-zero when
 *	  any test failed.
 */
#include "unit.h"

int
main(void)
{
	int			failed = 0;

	failed += run_error_tests();
	failed += run_registry_tests();
	failed += run_stage_tests();
	failed += run_parse_tests();
	failed += run_format_tests();
	failed += run_apply_tests();
	failed += run_batch_tests();
	failed += run_sketch_tests();
	failed += run_sketch_format_tests();
	failed += run_alert_tests();
	failed += run_ewm_tests();
	failed += run_window_tests();
	failed += run_sketch_window_tests();
	failed += run_detector_tests();
	return failed == 0 ? 0 : 1;
}
