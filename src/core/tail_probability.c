/*
 * tail_probability.c
 *	  The two-sided normal tail P(|Z| >= |z|) and its logarithm, without an
 *	  underflow error for any z.
 */
#include "tail_probability.h"

#include <math.h>

/* C99 has no M_SQRT2 or M_PI; the core builds as strict C99 (make unit) */
#define SQRT_2 1.41421356237309504880
#define HALF_LOG_PI 0.57236494292470008707

/*
 * Where log(erfc(x)) gives way to the asymptotic series (x = |z| / sqrt 2).
 * erfc(26) is about 5.7e-296, still a normal double with full precision;
 * there the series' first omitted term, 945 / (32 x^10) relative to 1, is
 * below 1e-16, so both sides of the switch are exact to double precision.
 */
#define SERIES_FROM 26.0

double
ls_tail_probability(double z)
{
	if (isnan(z))
		return z;
	/* erfc underflows gradually to 0 and sets no error C callers must check */
	return erfc(fabs(z) / SQRT_2);
}

double
ls_log_tail_probability(double z)
{
	double		x;
	double		inverse_square;
	double		series;

	if (isnan(z))
		return z;
	x = fabs(z) / SQRT_2;
	if (x < SERIES_FROM)
		return log(erfc(x));
	if (isinf(x))
		return -INFINITY;

	/*
	 * erfc(x) = exp(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - ...):
	 * the logarithm of each factor is taken apart, so nothing underflows;
	 * only -x^2 overflows, to -infinity, once |z| > sqrt(2 DBL_MAX).
	 */
	inverse_square = 1.0 / (2.0 * x * x);
	series = 1.0 - inverse_square * (1.0 - 3.0 * inverse_square *
									 (1.0 - 5.0 * inverse_square *
									  (1.0 - 7.0 * inverse_square)));
	return -(x * x) - log(x) - HALF_LOG_PI + log(series);
}
