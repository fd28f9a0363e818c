/*
 * robust_z.h
 *	  The robust z-score that logscore_robust_zscore (against a window
 *	  frame's other rows) and logscore_anomaly (against a baseline sketch)
 *	  both give: (x - median) / max(IQR / 1.349, min_spread).
 *
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_ROBUST_Z_H
#define LOGSCORE_ROBUST_Z_H

#include <math.h>

/* IQR / 1.349 estimates the standard deviation of a normal distribution. */
#define LS_IQR_PER_STDDEV 1.349

/*
 * The default floor of the spread, when the caller gives no min_spread:
 *
 *   max(1e-3 * |median|, 1e-12)
 *
 * On a spiky series (a gauge that sits at one level but for a jitter, a
 * counter that is mostly one value) the interquartile range collapses to 0
 * or nearly, and ordinary points scored |z| in the hundreds of thousands.
 * The floor has to be in the data's own unit, which is unknown, so it is
 * taken from the level the values sit at:
 *
 * - a thousandth of |median|: a change of 0.1% of the level counts as one
 *   spread.  It never acts on latency-like data, whose IQR / 1.349 is tens
 *   of percent of the median, and stops a near-constant gauge's z from
 *   exploding.  A large offset with a real spread smaller than 0.1% of it
 *   (300.000 K varying by 0.01) is floored: pass min_spread there.
 * - 1e-12, the one absolute term, for a series centred on 0 (a counter of
 *   errors that is mostly 0): a 0 then scores 0 and anything else scores
 *   huge, rather than NULL.  Such series should pass min_spread, e.g. the
 *   counter's resolution, 1.  It overflows no score below 1.8e296.
 *
 * No term comes from the values' moments or tail quantiles, on purpose:
 * logscore's main data is heavy-tailed, and any such floor is dominated by
 * the tail and hides the very shifts a robust z is for.  The founding
 * pipeline squares one score in seven (30 s timeouts score ~3.6e15), so a
 * baseline sketch of its scores has a standard deviation of ~4e10 against
 * an IQR of ~3e4: a floor of a tenth of the standard deviation scored a
 * tenfold latency incident z = 0.000 instead of 7.6, and shrank the robust
 * z of data with a few percent of far outliers ~2.4 times.
 *
 * A spread that is still 0 (only when the caller passes min_spread = 0)
 * means no score, as an IQR of 0 meant before the floor.
 */
#define LS_MIN_SPREAD_PER_MEDIAN 1e-3
#define LS_MIN_SPREAD_ABSOLUTE 1e-12

/* A min_spread that stands for the default floor (any negative value). */
#define LS_MIN_SPREAD_DEFAULT (-1.0)

typedef enum ls_robust_z_status
{
	LS_ROBUST_Z_OK,
	LS_ROBUST_Z_NO_SPREAD,		/* spread 0: no scale to measure x in */
	LS_ROBUST_Z_OVERFLOW		/* quartiles or score beyond double precision */
} ls_robust_z_status;

/* The default floor for values with this median. */
static inline double
ls_robust_default_floor(double median)
{
	double		by_median = LS_MIN_SPREAD_PER_MEDIAN * fabs(median);

	if (isfinite(by_median) && by_median > LS_MIN_SPREAD_ABSOLUTE)
		return by_median;
	return LS_MIN_SPREAD_ABSOLUTE;
}

/*
 * The score of x (not NaN) given the quartiles and the floor of the spread
 * (>= 0, finite).  An infinite x scores infinite; any other infinity means
 * the arithmetic overflowed.
 */
static inline ls_robust_z_status
ls_robust_z(double x, double p25, double p50, double p75, double floor, double *z)
{
	double		iqr = p75 - p25;
	double		spread = iqr / LS_IQR_PER_STDDEV;

	if (!isfinite(iqr) || !isfinite(p50))
		return LS_ROBUST_Z_OVERFLOW;
	if (spread < floor)
		spread = floor;
	if (spread == 0.0)
		return LS_ROBUST_Z_NO_SPREAD;
	*z = (x - p50) / spread;
	if (!isfinite(*z) && isfinite(x))
		return LS_ROBUST_Z_OVERFLOW;
	return LS_ROBUST_Z_OK;
}

#endif							/* LOGSCORE_ROBUST_Z_H */
