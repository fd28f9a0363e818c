/*
 * sketch.h
 *	  A mergeable quantile sketch with relative accuracy (DDSketch-style):
 *	  values are counted in logarithmic buckets, so every quantile it returns
 *	  is within a relative error alpha of the true one.  Exact count, sum,
 *	  min and max, and a mergeable second moment for the standard deviation.
 *
 * Pure C99: no PostgreSQL header.  Bucket arrays grow through an allocator
 * the caller supplies (palloc in a memory context, or malloc in tests).
 */
#ifndef LOGSCORE_SKETCH_H
#define LOGSCORE_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define LS_SKETCH_DEFAULT_ALPHA 0.01
#define LS_SKETCH_MIN_ALPHA 0.0001
#define LS_SKETCH_MAX_ALPHA 0.5

/*
 * Most buckets one store (positive or negative values) keeps.  When a store
 * would need more, its buckets nearest zero are collapsed into one, so
 * quantiles among the smallest magnitudes lose their accuracy guarantee; all
 * others keep it.  At alpha = 0.01 this spans magnitudes over a ratio of
 * about 6e17 before anything collapses.
 */
#define LS_SKETCH_MAX_BUCKETS 2048

/* |x| below this counts as zero (keeps bucket indexes in int32 range). */
#define LS_SKETCH_MIN_MAGNITUDE 1e-300

/* The first byte of the binary format; bump it when the layout changes. */
#define LS_SKETCH_FORMAT_VERSION 1

typedef struct ls_allocator
{
	void	   *(*alloc) (void *context, size_t size);	/* never returns NULL */
	void		(*release) (void *context, void *pointer);
	void	   *context;
} ls_allocator;

/* Counts for one sign: counts[i] is bucket index offset + i. */
typedef struct ls_store
{
	int32_t		offset;
	uint32_t	nbuckets;		/* used */
	uint32_t	capacity;		/* allocated */
	uint64_t   *counts;
} ls_store;

typedef struct ls_sketch
{
	double		alpha;			/* relative accuracy */
	double		gamma;			/* (1 + alpha) / (1 - alpha); derived */
	double		log_gamma;		/* log(gamma); derived */
	uint64_t	count;			/* all values, zeros included */
	uint64_t	zero_count;		/* values with |x| < LS_SKETCH_MIN_MAGNITUDE */
	double		sum;
	double		mean;			/* running mean, for m2 */
	double		m2;				/* sum of squared deviations from the mean */
	double		min;
	double		max;
	bool		collapsed;		/* some buckets nearest zero were merged */
	ls_store	positive;
	ls_store	negative;		/* indexed by the bucket of |x| */
	const ls_allocator *allocator;
} ls_sketch;

typedef enum ls_sketch_status
{
	LS_SKETCH_OK,
	LS_SKETCH_BAD_VALUE,		/* NaN or infinite input */
	LS_SKETCH_BAD_ALPHA,		/* accuracy outside [MIN_ALPHA, MAX_ALPHA] */
	LS_SKETCH_ALPHA_MISMATCH,	/* merging sketches of different accuracy */
	LS_SKETCH_BAD_FORMAT		/* encoded input that does not validate */
} ls_sketch_status;

/* --- building (sketch.c) --- */

extern ls_sketch_status ls_sketch_init(ls_sketch *s, double alpha,
									   const ls_allocator *allocator);
extern void ls_sketch_free(ls_sketch *s);
extern ls_sketch_status ls_sketch_add(ls_sketch *s, double x);

/* Adds src's values to dst; both must have the same alpha. */
extern ls_sketch_status ls_sketch_merge(ls_sketch *dst, const ls_sketch *src);

/*
 * The error a status other than LS_SKETCH_OK stands for (LS_SKETCH_OK
 * clears *err).  Building returns the status alone, a word per row; the
 * words come only when one fails.
 */
extern void ls_sketch_error(ls_sketch_status status, ls_error *err);

/*
 * For a sliding frame (sketch_window.c).  ls_sketch_fits: whether adding x
 * keeps its store within LS_SKETCH_MAX_BUCKETS as it is laid out now, so
 * that nothing collapses.  ls_sketch_shrink: drops the empty buckets at the
 * ends of both stores (the layout only: counts and answers stay), so that
 * buckets a removed value emptied do not make a later add collapse.
 * ls_sketch_uncount: takes x out of its bucket (or the zero count) and
 * nothing else; false, changing nothing, when no such count is held or the
 * sketch has collapsed (x's bucket is then no longer known).
 */
extern bool ls_sketch_fits(const ls_sketch *s, double x);
extern void ls_sketch_shrink(ls_sketch *s);
extern bool ls_sketch_uncount(ls_sketch *s, double x);

/* --- reading (sketch.c) --- */

/*
 * The value at quantile q in [0, 1] by percentile_disc's definition (the
 * first value whose cumulative fraction reaches q), within relative error
 * alpha, clamped to [min, max].  NaN for an empty sketch.
 */
extern double ls_sketch_quantile(const ls_sketch *s, double q);

/* The fraction of values <= x, to the resolution of one bucket; NaN if empty. */
extern double ls_sketch_rank(const ls_sketch *s, double x);

/*
 * The nonzero part of a store: counts[*lo .. *hi) holds every nonzero
 * bucket and starts and ends with one.  Returns false (and *lo == *hi) when
 * the store holds no count.  The binary and the text forms write a store
 * trimmed so, and merging adds only that part.
 */
extern bool ls_store_trim(const ls_store *st, uint32_t *lo, uint32_t *hi);

/* Sample standard deviation (n - 1); NaN for fewer than two values. */
extern double ls_sketch_stddev(const ls_sketch *s);

/*
 * Whether a and b have the same accuracy, count, zero count, minimum,
 * maximum and bucket counts: then every quantile and rank agrees.  The
 * sum, mean and m2 are left out, since adding the same values in another
 * order (another plan, another shard layout) changes their last bits.
 */
extern bool ls_sketch_same_distribution(const ls_sketch *a, const ls_sketch *b);

/* --- binary format (sketch_format.c) --- */

/*
 * Layout, little-endian: version byte, flags byte (bit 0: collapsed), two
 * zero bytes, then alpha, count, zero_count, sum, mean, m2, min, max (8 bytes
 * each), then per store (positive, then negative) int32 offset, uint32
 * nbuckets and nbuckets counts as unsigned LEB128 varints.  Decoding checks
 * every field: version, alpha's range, store sizes and index ranges, that
 * bucket counts add up to count, min <= max, and that no bytes are left.
 * A failure is an LS_ERROR_BAD_INPUT in *err (which may be NULL).
 */
extern size_t ls_sketch_encoded_size(const ls_sketch *s);
extern size_t ls_sketch_encode(const ls_sketch *s, uint8_t *buffer);
extern ls_sketch_status ls_sketch_decode(ls_sketch *s, const uint8_t *buffer,
										 size_t length, const ls_allocator *allocator,
										 ls_error *err);

/* --- text format (sketch_text.c) --- */

/*
 * A readable, exact form, e.g.
 *   {"version":1,"alpha":0.01,"count":3,"zero":1,"sum":12.5,"mean":4.1666666666666670,
 *    "m2":..., "min":0,"max":10,"collapsed":false,
 *    "positive":{"offset":80,"counts":[1,0,1]},"negative":{"offset":0,"counts":[]}}
 * Doubles are written with 17 significant digits, so text round-trips to the
 * same bits.  In "counts", -k stands for k empty buckets: the writer puts
 * every run of two or more so ("[2,-30,1]"), the reader takes either form.  ls_sketch_to_text returns the length it needed, like snprintf.
 */
extern size_t ls_sketch_to_text(const ls_sketch *s, char *buffer, size_t size);
extern ls_sketch_status ls_sketch_from_text(ls_sketch *s, const char *text, size_t length,
											const ls_allocator *allocator, ls_error *err);

#endif							/* LOGSCORE_SKETCH_H */
