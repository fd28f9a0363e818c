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
 *   max(0.1 * stddev, 1e-6 * |median|, 1e-12)
 *
 * On a spiky series (a counter that is mostly one value) the interquartile
 * range collapses to 0 or nearly, and ordinary points scored |z| in the
 * hundreds of thousands.  The floor has to be in the data's own unit, which
 * is unknown, so it is taken from spreads the state has anyway:
 *
 * - a tenth of the standard deviation of the same values.  For normal data
 *   IQR / 1.349 is the standard deviation, so the floor never acts; it acts
 *   only once outliers make the standard deviation ten times the robust
 *   spread (about 1% of the values 100 spreads out), and then caps a point's
 *   |z| at ten times its classic z.  A spike on a counter that is flat but
 *   for a fraction p of spikes of one height scores about 10 / sqrt(p).
 * - a millionth of |median|, for a series that sits at one nonzero level:
 *   the standard deviation is 0 there, and a change of one part in a million
 *   of the level counts as one spread.  Small enough that a real spread on
 *   a large offset (300.000 K varying by 0.001) is never overruled.
 * - 1e-12, the one absolute term, for a baseline that is exactly 0
 *   throughout: a 0 then scores 0 and anything else scores huge, rather
 *   than NULL.  It presumes only that the unit's meaningful differences are
 *   well above 1e-12, and it overflows no score below 1.8e296.
 *
 * A spread that is still 0 (only when the caller passes min_spread = 0)
 * means no score, as an IQR of 0 meant before the floor.
 */
#define LS_MIN_SPREAD_PER_STDDEV 0.1
#define LS_MIN_SPREAD_PER_MEDIAN 1e-6
#define LS_MIN_SPREAD_ABSOLUTE 1e-12

/* A min_spread that stands for the default floor (any negative value). */
#define LS_MIN_SPREAD_DEFAULT (-1.0)

typedef enum ls_robust_z_status
{
	LS_ROBUST_Z_OK,
	LS_ROBUST_Z_NO_SPREAD,		/* spread 0: no scale to measure x in */
	LS_ROBUST_Z_OVERFLOW		/* quartiles or score beyond double precision */
} ls_robust_z_status;

/*
 * The default floor for values with this standard deviation (NaN or
 * infinite: not known, left out) and median.
 */
static inline double
ls_robust_default_floor(double stddev, double median)
{
	double		floor = LS_MIN_SPREAD_ABSOLUTE;
	double		by_median = LS_MIN_SPREAD_PER_MEDIAN * fabs(median);

	if (isfinite(stddev) && LS_MIN_SPREAD_PER_STDDEV * stddev > floor)
		floor = LS_MIN_SPREAD_PER_STDDEV * stddev;
	if (isfinite(by_median) && by_median > floor)
		floor = by_median;
	return floor;
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
