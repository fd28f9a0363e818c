/*
 * robust_z.h
 *	  The robust z-score that logscore_robust_zscore (against a window
 *	  frame's other rows) and logscore_anomaly (against a baseline sketch)
 *	  both give: (x - median) / (IQR / 1.349).
 *
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_ROBUST_Z_H
#define LOGSCORE_ROBUST_Z_H

#include <math.h>

/* IQR / 1.349 estimates the standard deviation of a normal distribution. */
#define LS_IQR_PER_STDDEV 1.349

typedef enum ls_robust_z_status
{
	LS_ROBUST_Z_OK,
	LS_ROBUST_Z_NO_SPREAD,		/* IQR = 0: no scale to measure x in */
	LS_ROBUST_Z_OVERFLOW		/* quartiles or score beyond double precision */
} ls_robust_z_status;

/*
 * The score of x (not NaN) given the quartiles.  An infinite x scores
 * infinite; any other infinity means the arithmetic overflowed.
 */
static inline ls_robust_z_status
ls_robust_z(double x, double p25, double p50, double p75, double *z)
{
	double		iqr = p75 - p25;

	if (iqr == 0.0)
		return LS_ROBUST_Z_NO_SPREAD;
	*z = (x - p50) / (iqr / LS_IQR_PER_STDDEV);
	if (!isfinite(iqr) || !isfinite(p50) || (!isfinite(*z) && isfinite(x)))
		return LS_ROBUST_Z_OVERFLOW;
	return LS_ROBUST_Z_OK;
}

#endif							/* LOGSCORE_ROBUST_Z_H */
