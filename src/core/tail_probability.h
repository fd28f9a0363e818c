/*
 * tail_probability.h
 *	  The two-sided tail of the standard normal distribution, P(|Z| >= |z|),
 *	  and its natural logarithm, for users who map a z-score to a
 *	  probability themselves: exp(-z^2 / 2) underflows, and PostgreSQL's exp
 *	  raises an error when it does, from |z| of about 38.6 on.
 *
 * Pure C99: no PostgreSQL header.
 */
#ifndef LOGSCORE_TAIL_PROBABILITY_H
#define LOGSCORE_TAIL_PROBABILITY_H

/*
 * erfc(|z| / sqrt 2): 1 at z = 0, NaN for NaN, 0 for +-infinity.  Never an
 * error: from |z| of about 37.5 on the result is subnormal (fewer
 * significant bits), and from about 38.5 on it is 0, the nearest double.
 */
extern double ls_tail_probability(double z);

/*
 * The natural logarithm of the same, finite for every |z| up to about
 * 1.9e154 (beyond, -z^2 / 2 itself is below -DBL_MAX and the result is
 * -infinity): log(erfc) while erfc keeps full precision, then the
 * asymptotic series of erfc, which is exact to double precision there.
 * 0 at z = 0, NaN for NaN, -infinity for +-infinity.
 */
extern double ls_log_tail_probability(double z);

#endif							/* LOGSCORE_TAIL_PROBABILITY_H */
