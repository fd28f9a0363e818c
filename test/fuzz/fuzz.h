/*
 * fuzz.h
 *	  What every libFuzzer harness in test/fuzz shares: the entry point's
 *	  prototype, and a check that survives NDEBUG.
 */
#ifndef LOGSCORE_FUZZ_H
#define LOGSCORE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Like assert(), but not compiled out and with a message before the trap. */
#define CHECK(cond) \
	do \
	{ \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif							/* LOGSCORE_FUZZ_H */
