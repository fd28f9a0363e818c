/*
 * unit.h
 *	  Shared declarations for the core's cmocka tests: the group runners that
 *	  main.c calls, a fixed-seed PRNG, and small pipeline and sketch helpers.
 */
#ifndef LOGSCORE_UNIT_H
#define LOGSCORE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/pipeline.h"
#include "core/sketch.h"

/* cmocka prints integers unsigned; this prints both sides as bigints. */
#define assert_i64_equal(a, b) \
	do \
	{ \
		int64_t		a_ = (a); \
		int64_t		b_ = (b); \
		if (a_ != b_) \
			fail_msg("%s is %lld, expected %s = %lld", #a, (long long) a_, \
					 #b, (long long) b_); \
	} while (0)

/* Parses text or fails the test with the parser's message. */
#define must_parse(text, p) must_parse_at(__FILE__, __LINE__, (text), (p))

/* --- group runners, one per test file --- */

extern int	run_error_tests(void);
extern int	run_registry_tests(void);
extern int	run_stage_tests(void);
extern int	run_parse_tests(void);
extern int	run_format_tests(void);
extern int	run_apply_tests(void);
extern int	run_batch_tests(void);
extern int	run_sketch_tests(void);
extern int	run_sketch_format_tests(void);
extern int	run_alert_tests(void);
extern int	run_ewm_tests(void);
extern int	run_window_tests(void);
extern int	run_sketch_window_tests(void);
extern int	run_detector_tests(void);

/* --- helpers.c --- */

extern uint64_t xs_next(uint64_t *state);
extern int64_t xs_range(uint64_t *state, int64_t lo, int64_t hi);
extern int64_t xs_value(uint64_t *state);
extern void random_pipeline(uint64_t *state, ls_pipeline *p, int maxsteps);
extern bool pipelines_equal(const ls_pipeline *a, const ls_pipeline *b);
extern void must_parse_at(const char *file, int line, const char *text,
						  ls_pipeline *p);
extern char *format_alloc(const ls_pipeline *p);

/* A malloc allocator that counts what is live, to catch leaks. */
extern ls_allocator test_allocator;
extern long test_allocations_live;
extern long test_allocations_made;
extern int	reset_allocations(void **state);

extern double xs_uniform(uint64_t *state);
extern double xs_normal(uint64_t *state);
extern void must_init(ls_sketch *s, double alpha);
extern void must_add(ls_sketch *s, double x);
extern uint8_t *encode_alloc(const ls_sketch *s, size_t *size);
extern char *text_alloc(const ls_sketch *s);
extern void assert_same_buckets(const ls_sketch *a, const ls_sketch *b);

#endif							/* LOGSCORE_UNIT_H */
