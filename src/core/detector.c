/*
 * detector.c
 *	  The online detector (detector.h): a row is scored against the state of
 *	  the rows before it, then learned, in O(1) time and fixed memory.
 */
#include "detector.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The constants below were chosen on the labelled synthetic corpus of
 * test/bench/detect (issue 14) and are meant for any series: none depends on
 * a series' scale or sampling rate.
 */

/* Residuals beyond this many spreads move a level no further (Huber). */
#define CLIP_SPREADS 3.0

/*
 * And a squared residual counts as at most this many spreads squared: wide,
 * since clipping rare values below their size shrinks the spread estimate
 * round after round (a series that is one value but for 2% of its rows).
 */
#define CLIP_SQUARED 8.0

/* Prediction errors are clipped once they have this much weight. */
#define ERROR_SETTLED 8

/* CUSUM allowance and the sum at which a change is accepted, in spreads. */
#define CUSUM_ALLOWANCE 0.5
#define CUSUM_ACCEPT 12.0

/* The seasonal cells' memory, and the span before they are used, in cycles. */
#define SEASON_CYCLES 3.0
#define HOUR_US 3600e6
#define DAY_US (24 * HOUR_US)
#define WEEK_US (7 * DAY_US)

/*
 * Another prediction replaces the medium level only when its recent squared
 * error is this much lower: the fast level (an autocorrelated series), then
 * a seasonal cell.
 */
#define FAST_ADVANTAGE 0.8
#define SEASON_ADVANTAGE 0.8

/*
 * Spread floors: a share of the typical change between rows (the series'
 * resolution: one step of a gauge), of the slow spread and of the level, and
 * an absolute one.
 */
#define FLOOR_JUMP 0.25
#define FLOOR_SPREAD 0.05
#define FLOOR_LEVEL 1e-6
#define FLOOR_ABSOLUTE 1e-9

/*
 * Calibration: a prior weight on "at least as large"; the share of the
 * weight modelled as the exponential tail (at least TAIL_MIN rows' worth),
 * and the least mean excess of that tail, in cells.  The tail is the rarest
 * 2%, not 1%: its mean excess then rests on twice the rows, and a series
 * with a habit of bursts (a counter) shows it in its tail's slope.
 */
#define CALIBRATION_PRIOR 1.0
#define TAIL_FRACTION 0.02
#define TAIL_MIN 4.0
#define TAIL_MIN_EXCESS 0.5

/* Rows before the calibration learns: the first spreads are guesses. */
#define WARMUP 32

/*
 * A young calibration has seen few rows, and its rarest few are where its
 * tail is least known: a surprise counts for n / (n + CALIBRATION_YOUTH) of
 * itself, n the calibration's weight in rows (a half at 500 rows, nine
 * tenths at 4,500).  A burst no bigger than the series' ordinary ones,
 * early on, no longer passes for a record.
 */
#define CALIBRATION_YOUTH 500.0

/*
 * The alarm: from a surprise of ALARM_LEVEL (-log2 p; a score of 0.992,
 * below any threshold worth alerting on, so that a detection at the
 * threshold opens an episode too), later rows no more surprising than the
 * alarm, which decays with ALARM_HALF_LIFE rows, count for ALARM_DAMP of
 * their surprise.
 */
#define ALARM_LEVEL 7.0
#define ALARM_HALF_LIFE 256.0
#define ALARM_DAMP 0.5

/* The histograms' scale at which their cells are scaled back (see learn). */
#define HIST_RESCALE 1e-100

/* The longest gap counted, in typical steps: all is forgotten by then. */
#define MAX_STEPS 1e6

/* --- options --- */

void
ls_detector_default_options(ls_detector_options *o)
{
	o->fast = 4;
	o->medium = 32;
	o->slow = 512;
	o->memory = 8192;
	o->season = 1;
}

static bool
options_valid(const ls_detector_options *o, ls_error_kind kind, ls_error *err)
{
	const double *h[4] = {&o->fast, &o->medium, &o->slow, &o->memory};
	const char *names[4] = {"fast", "medium", "slow", "memory"};

	for (int i = 0; i < 4; i++)
		if (!(*h[i] >= 1 && *h[i] <= 1e9))
			return ls_error_set(err, kind, 0,
								"detector option %s must be between 1 and 1e9 rows", names[i]);
	if (!(o->fast <= o->medium && o->medium <= o->slow))
		return ls_error_set(err, kind, 0,
							"detector options must have fast <= medium <= slow");
	if (o->season != 0 && o->season != 1)
		return ls_error_set(err, kind, 0, "detector option season must be on or off");
	return true;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool
ls_detector_parse_options(ls_detector_options *o, const char *text, size_t length,
						  ls_error *err)
{
	static const char *const keys[] = {"fast", "medium", "slow", "memory", "season"};
	double	   *fields[5] = {&o->fast, &o->medium, &o->slow, &o->memory, &o->season};
	bool		seen[5] = {false, false, false, false, false};
	size_t		pos = 0;

	ls_error_clear(err);
	ls_detector_default_options(o);
	for (;;)
	{
		size_t		key_start,
					key_end,
					value_start,
					value_end;
		char		value[48];
		int			k;

		while (pos < length && is_space(text[pos]))
			pos++;
		if (pos >= length)
			break;
		key_start = pos;
		while (pos < length && text[pos] != '=' && text[pos] != ',' && !is_space(text[pos]))
			pos++;
		key_end = pos;
		while (pos < length && is_space(text[pos]))
			pos++;
		if (pos >= length || text[pos] != '=')
			return ls_error_set(err, LS_ERROR_INVALID, key_start,
								"expected key=value in detector options at offset %zu",
								key_start);
		pos++;
		while (pos < length && is_space(text[pos]))
			pos++;
		value_start = pos;
		while (pos < length && text[pos] != ',' && !is_space(text[pos]))
			pos++;
		value_end = pos;
		for (k = 0; k < 5; k++)
			if (strlen(keys[k]) == key_end - key_start &&
				memcmp(keys[k], text + key_start, key_end - key_start) == 0)
				break;
		if (k == 5)
		{
			ls_error_set(err, LS_ERROR_INVALID, key_start,
						 "unknown detector option \"%.*s\"",
						 (int) (key_end - key_start > 40 ? 40 : key_end - key_start),
						 text + key_start);
			ls_error_hint(err, "The options are fast, medium, slow, memory and season.");
			return false;
		}
		if (seen[k])
			return ls_error_set(err, LS_ERROR_INVALID, key_start,
								"detector option %s is given twice", keys[k]);
		seen[k] = true;
		if (value_end == value_start || value_end - value_start >= sizeof(value))
			return ls_error_set(err, LS_ERROR_INVALID, value_start,
								"detector option %s needs a value", keys[k]);
		memcpy(value, text + value_start, value_end - value_start);
		value[value_end - value_start] = '\0';
		if (k == 4)
		{
			if (strcmp(value, "on") == 0 || strcmp(value, "true") == 0)
				o->season = 1;
			else if (strcmp(value, "off") == 0 || strcmp(value, "false") == 0)
				o->season = 0;
			else
				return ls_error_set(err, LS_ERROR_INVALID, value_start,
									"detector option season must be on or off, not \"%s\"",
									value);
		}
		else
		{
			char	   *end;
			double		v = strtod(value, &end);

			if (*end != '\0' || !isfinite(v))
				return ls_error_set(err, LS_ERROR_INVALID, value_start,
									"detector option %s must be a number of rows, not \"%s\"",
									keys[k], value);
			*fields[k] = v;
		}
		while (pos < length && is_space(text[pos]))
			pos++;
		if (pos < length)
		{
			if (text[pos] != ',')
				return ls_error_set(err, LS_ERROR_INVALID, pos,
									"expected \",\" in detector options at offset %zu", pos);
			pos++;
		}
	}
	return options_valid(o, LS_ERROR_INVALID, err);
}

/* --- the model --- */

void
ls_detector_init(ls_detector *d, const ls_detector_options *o, double x, int64_t t)
{
	memset(d, 0, sizeof(*d));
	d->options = *o;
	d->count = 1;
	d->first = t;
	d->last = t;
	d->score = 0;
	d->previous = x;
	d->hist_scale = 1;
	for (int k = 0; k < 3; k++)
	{
		d->weight[k] = 1;
		d->level[k] = x;
	}
}

/* The hour of day and of week (from 2000-01-01, a Saturday) of t, in UTC. */
static void
cells(int64_t t, int *day, int *week)
{
	int64_t		hours = t / (int64_t) 3600000000;

	if (t < 0 && t % (int64_t) 3600000000 != 0)
		hours--;
	*week = (int) (((hours % LS_DETECTOR_WEEK_HOURS) + LS_DETECTOR_WEEK_HOURS) % LS_DETECTOR_WEEK_HOURS);
	*day = *week % LS_DETECTOR_HOURS;
}

static double
clip(double v, double limit)
{
	return v > limit ? limit : (v < -limit ? -limit : v);
}

/*
 * Everything computed for one row before it is learned: what scoring needs,
 * and what learning reuses.
 */
typedef struct row
{
	double		steps;			/* elapsed time in typical steps, >= 1 */
	int			day;
	int			week;
	int			pred;			/* the prediction chosen */
	double		residual;		/* x - prediction */
	double		spread;			/* the floored spread of that residual */
	double		floor;
	double		z;
	double		stat[LS_DETECTOR_STATS];
	double		unit[LS_DETECTOR_STATS];	/* log2(1 + stat) in cells */
	double		cusum[2];
	double		surprise;		/* -log2 of the combined p */
	double		alarm;			/* the state's alarm after this row */
	double		score;
} row;

static double
decay(double steps, double half_life)
{
	return exp2(-steps / half_life);
}

/*
 * p of a value in cell units u: the share of the recent weight at least as
 * large.  The largest TAIL_FRACTION of the weight is modelled as an
 * exponential tail (peaks over a threshold, its scale the mean excess), so
 * that among the rare values the score still grows with the size, and a
 * value beyond all seen gets a p below all seen.  The cells hold weights
 * divided by scale (see learn).  Most values fall low: the weight below u's
 * cell, summed from the bottom, settles them; only a value in the tail
 * needs the pass from the top cell down to the tail's threshold.
 */
static double
tail(const double *hist, double scale, double total, double u)
{
	double		target = fmax(TAIL_FRACTION * total, TAIL_MIN);
	double		stored_target = target / scale;
	int			cell = u < LS_DETECTOR_BINS ? (int) u : LS_DETECTOR_BINS - 1;
	double		frac = u - cell > 1 ? 1 : u - cell;
	double		above = 0;		/* stored weight of the cells above b */
	double		moment = 0;		/* and its sum of weight * cell centre */
	double		at_least = -1;	/* stored weight at least u, once known */
	bool		crossed = false;
	double		below = 0;

	for (int b = 0; b < cell; b++)
		below += hist[b];
	if (total / scale - below - hist[cell] * frac >= stored_target)
		return (fmax(total - (below + hist[cell] * frac) * scale, 0) + CALIBRATION_PRIOR) /
			(total + CALIBRATION_PRIOR);

	for (int b = LS_DETECTOR_BINS - 1; b >= 0; b--)
	{
		if (b == cell)
			at_least = above + hist[b] * (1 - frac);
		if (!crossed && above + hist[b] >= stored_target)
		{
			/* the threshold t inside cell b leaves exactly target above it */
			double		f = (stored_target - above) / hist[b];
			double		t = b + 1 - f;
			double		excess = (moment - above * t +
								  (stored_target - above) * f / 2) / stored_target;

			if (u > t)
				return (target + CALIBRATION_PRIOR) / (total + CALIBRATION_PRIOR) *
					exp(-(u - t) / fmax(excess, TAIL_MIN_EXCESS));
			crossed = true;
		}
		if (crossed && at_least >= 0)
			break;
		above += hist[b];
		moment += hist[b] * (b + 0.5);
	}
	/* below the tail, or too little seen for one: the histogram as it is */
	return (at_least * scale + CALIBRATION_PRIOR) / (total + CALIBRATION_PRIOR);
}

static double
to_units(double s)
{
	double		u = log2(1 + fabs(s)) * LS_DETECTOR_BINS_PER_UNIT;

	return u < 1e6 ? u : 1e6;
}

/* Scores x at t against d into r; d unchanged. */
static void
assess(const ls_detector *d, double x, int64_t t, row *r)
{
	const ls_detector_options *o = &d->options;
	double		elapsed = (double) t - (double) d->last;
	double		slow_spread = sqrt(d->var[LS_DETECTOR_SLOW]);
	double		best;
	double		pred;
	double		p;

	r->steps = d->step > 0 ? elapsed / d->step : 1;
	if (r->steps < 1)
		r->steps = 1;
	if (r->steps > MAX_STEPS)
		r->steps = MAX_STEPS;
	cells(t, &r->day, &r->week);

	/* the floor: scale-aware, and never zero */
	r->floor = FLOOR_SPREAD * slow_spread + FLOOR_JUMP * d->jump +
		FLOOR_LEVEL * fabs(d->level[LS_DETECTOR_SLOW]) + FLOOR_ABSOLUTE;

	/* the prediction: the level, or a seasonal cell once it has earned it */
	r->pred = LS_DETECTOR_PRED_LEVEL;
	pred = d->level[LS_DETECTOR_MEDIUM];
	best = d->error[LS_DETECTOR_PRED_LEVEL];
	/* an autocorrelated series is better predicted by its recent level */
	if (d->error[LS_DETECTOR_PRED_FAST] < best * FAST_ADVANTAGE)
	{
		r->pred = LS_DETECTOR_PRED_FAST;
		pred = d->level[LS_DETECTOR_FAST];
		best = d->error[LS_DETECTOR_PRED_FAST];
	}
	best *= SEASON_ADVANTAGE;
	if (o->season != 0)
	{
		double		span = (double) t - (double) d->first;

		if (span >= SEASON_CYCLES * WEEK_US && d->week_weight[r->week] > 0 &&
			d->error[LS_DETECTOR_PRED_WEEK] < best)
		{
			r->pred = LS_DETECTOR_PRED_WEEK;
			pred = d->week_level[r->week] + d->offset[1];
			best = d->error[LS_DETECTOR_PRED_WEEK];
		}
		if (span >= SEASON_CYCLES * DAY_US && d->day_weight[r->day] > 0 &&
			d->error[LS_DETECTOR_PRED_DAY] < best)
		{
			r->pred = LS_DETECTOR_PRED_DAY;
			pred = d->day_level[r->day] + d->offset[0];
		}
	}
	r->residual = x - pred;
	r->spread = sqrt(d->error[r->pred]) + r->floor;
	r->z = r->residual / r->spread;

	/* the statistics: the point |z|, and a two-sided CUSUM of the z */
	r->stat[0] = fabs(r->z);
	{
		double		zs = clip((x - d->level[LS_DETECTOR_SLOW]) / (slow_spread + r->floor), 6);

		if (r->pred == LS_DETECTOR_PRED_DAY || r->pred == LS_DETECTOR_PRED_WEEK)
			zs = clip(r->z, 6);
		r->cusum[0] = fmax(0, d->cusum[0] + zs - CUSUM_ALLOWANCE);
		r->cusum[1] = fmax(0, d->cusum[1] - zs - CUSUM_ALLOWANCE);
		r->stat[1] = fmax(r->cusum[0], r->cusum[1]);
	}

	/* calibration: the smallest p of the four, Bonferroni-corrected */
	p = 1;
	for (int i = 0; i < LS_DETECTOR_STATS; i++)
	{
		r->unit[i] = to_units(r->stat[i]);
		p = fmin(p, tail(d->hist[i], d->hist_scale, d->hist_total[i], r->unit[i]));
	}
	p *= LS_DETECTOR_STATS;
	if (p >= 1 || d->count < WARMUP)
		p = 1;
	/* far beyond the tail p underflows; its surprise stays finite */
	if (p < 1e-300)
		p = 1e-300;

	/*
	 * After an alarm, what is no more surprising than it (decayed) counts
	 * for half: an episode is reported once, when it starts or grows.
	 */
	r->surprise = -log2(p) * d->hist_total[0] / (d->hist_total[0] + CALIBRATION_YOUTH);
	p = exp2(-r->surprise);
	r->alarm = d->alarm * decay(r->steps, ALARM_HALF_LIFE);
	if (r->surprise >= ALARM_LEVEL)
	{
		if (r->surprise <= r->alarm)
			p = exp2(-r->surprise * ALARM_DAMP);
		else
			r->alarm = r->surprise;
	}
	r->score = 1 - p;
}

/* Adds x at t, assessed as r, to d. */
static void
learn(ls_detector *d, double x, int64_t t, const row *r)
{
	const ls_detector_options *o = &d->options;
	double		hl[3] = {o->fast, o->medium, o->slow};
	double		elapsed = (double) t - (double) d->last;
	double		keep;

	/* the typical step: a slow average of the gaps, a long gap clipped */
	if (elapsed > 0)
	{
		if (d->step == 0)
			d->step = elapsed;
		else
			d->step += 0.05 * (fmin(elapsed, 4 * d->step) - d->step);
	}

	/*
	 * The statistics' histograms forget, then count this row.  Rather than
	 * scaling every cell, the cells hold weight / hist_scale and the scale
	 * decays (a new row adds 1 / hist_scale); the cells are scaled back only
	 * when it gets small.
	 */
	keep = decay(r->steps, o->memory);
	if (d->count >= WARMUP)
	{
		d->hist_scale *= keep;
		if (d->hist_scale < HIST_RESCALE)
		{
			for (int i = 0; i < LS_DETECTOR_STATS; i++)
				for (int b = 0; b < LS_DETECTOR_BINS; b++)
					d->hist[i][b] *= d->hist_scale;
			d->hist_scale = 1;
		}
		for (int i = 0; i < LS_DETECTOR_STATS; i++)
		{
			int			cell = (int) r->unit[i];

			if (cell >= LS_DETECTOR_BINS)
				cell = LS_DETECTOR_BINS - 1;
			d->hist[i][cell] += 1 / d->hist_scale;
			d->hist_total[i] = d->hist_total[i] * keep + 1;
		}
	}

	/* each prediction's error, before the levels move */
	{
		double		keep_error = decay(r->steps, o->slow);
		double		pred[4] = {d->level[LS_DETECTOR_MEDIUM],
			d->day_level[r->day] + d->offset[0],
			d->week_level[r->week] + d->offset[1],
		d->level[LS_DETECTOR_FAST]};
		bool		known[4] = {true, d->day_weight[r->day] > 0, d->week_weight[r->week] > 0, true};

		for (int k = 0; k < 4; k++)
		{
			double		e = x - pred[k];
			double		e2 = e * e;
			double		limit = CLIP_SQUARED * CLIP_SQUARED *
				(d->error[k] + r->floor * r->floor);

			if (!known[k])
				continue;
			if (d->error_weight[k] >= ERROR_SETTLED && e2 > limit)
				e2 = limit;
			d->error_weight[k] = d->error_weight[k] * keep_error + 1;
			d->error[k] += (e2 - d->error[k]) / d->error_weight[k];
			/* the seasonal offsets follow the level at the medium scale */
			if (k == LS_DETECTOR_PRED_DAY || k == LS_DETECTOR_PRED_WEEK)
			{
				double		a = 1 - decay(r->steps, o->medium);
				double		spread = sqrt(d->error[k]) + r->floor;

				d->offset[k - 1] += a * clip(e, CLIP_SPREADS * spread);
			}
		}
	}

	/* levels and spreads: robust, the fast one unclipped to follow changes */
	for (int k = 0; k < 3; k++)
	{
		double		w = d->weight[k] * decay(r->steps, hl[k]) + 1;
		double		a = 1 / w;
		double		e = x - d->level[k];
		double		spread = sqrt(d->var[k]) + r->floor;
		double		ec = k == LS_DETECTOR_FAST ? e : clip(e, CLIP_SPREADS * spread);
		double		ev = clip(e, CLIP_SQUARED * spread);

		d->weight[k] = w;
		d->level[k] += a * ec;
		d->var[k] = (1 - a) * (d->var[k] + a * ev * ev);
	}

	/* the seasonal cells, each forgetting over a few cycles of its visits */
	if (o->season != 0)
	{
		double		per_hour = d->step > 0 ? HOUR_US / d->step : 1;
		double		keep_cell = exp2(-1 / (SEASON_CYCLES * fmax(per_hour, 1)));
		double		limit = CLIP_SPREADS * (sqrt(d->var[LS_DETECTOR_SLOW]) + r->floor);
		double	   *lv[2] = {&d->day_level[r->day], &d->week_level[r->week]};
		double	   *wt[2] = {&d->day_weight[r->day], &d->week_weight[r->week]};

		for (int c = 0; c < 2; c++)
		{
			double		w = *wt[c] * keep_cell + 1;

			if (*wt[c] == 0)
				*lv[c] = x;
			else
				*lv[c] += clip(x - *lv[c], limit) / w;
			*wt[c] = w;
		}
	}

	d->cusum[0] = r->cusum[0];
	d->cusum[1] = r->cusum[1];
	d->alarm = r->alarm;

	/*
	 * A change the CUSUM accepts: the levels and seasonal offsets move to
	 * this value and the slower scales restart from the fast one's weight,
	 * so the new regime is learned now rather than over the slow half-life.
	 */
	if (d->cusum[0] > CUSUM_ACCEPT || d->cusum[1] > CUSUM_ACCEPT)
	{
		for (int k = 0; k < 3; k++)
		{
			d->level[k] = x;
			if (d->weight[k] > o->fast)
				d->weight[k] = o->fast;
		}
		if (d->day_weight[r->day] > 0)
			d->offset[0] = x - d->day_level[r->day];
		if (d->week_weight[r->week] > 0)
			d->offset[1] = x - d->week_level[r->week];
		d->cusum[0] = d->cusum[1] = 0;
	}

	/* the typical size of a change, the series' resolution */
	if (x != d->previous)
	{
		d->jump_weight = d->jump_weight * decay(1, o->slow) + 1;
		d->jump += (fabs(x - d->previous) - d->jump) / d->jump_weight;
	}
	d->previous = x;

	if (d->count < INT64_MAX)
		d->count++;
	d->last = t;
	d->score = r->score;
}

static bool
check_row(const ls_detector *d, double x, int64_t t, ls_error *err)
{
	if (!isfinite(x))
		return ls_error_set(err, LS_ERROR_INVALID, 0,
							"a detector value must be finite");
	if (fabs(x) > LS_DETECTOR_VALUE_MAX)
		return ls_error_set(err, LS_ERROR_OUT_OF_RANGE, 0,
							"a detector value must be within -1e150 and 1e150");
	if (t < d->last)
		return ls_error_set(err, LS_ERROR_INVALID, 0,
							"detector rows must come in time order");
	return true;
}

bool
ls_detector_update(ls_detector *d, double x, int64_t t, ls_error *err)
{
	row			r;

	ls_error_clear(err);
	if (!check_row(d, x, t, err))
		return false;
	assess(d, x, t, &r);
	learn(d, x, t, &r);
	return true;
}

bool
ls_detector_score(const ls_detector *d, double x, int64_t t, double *score,
				  ls_error *err)
{
	row			r;

	ls_error_clear(err);
	if (!check_row(d, x, t, err))
		return false;
	assess(d, x, t, &r);
	*score = r.score;
	return true;
}

/* --- validation --- */

static bool
all_finite(const double *v, size_t n, bool nonnegative)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]) || (nonnegative && v[i] < 0))
			return false;
	return true;
}

static bool
bounded(const double *v, size_t n, double limit)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs(v[i]) <= limit))
			return false;
	return true;
}

bool
ls_detector_validate(const ls_detector *d, int version, ls_error *err)
{
	ls_error_clear(err);
	if (version != LS_DETECTOR_FORMAT_VERSION)
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"unsupported format version %d (expected %d)",
							version, LS_DETECTOR_FORMAT_VERSION);
	if (d->count < 1)
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "count must be at least 1");
	if (d->first == INT64_MIN || d->last == INT64_MAX || d->last < d->first)
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"first and last must be finite times, first <= last");
	if (!options_valid(&d->options, LS_ERROR_BAD_INPUT, err))
		return false;
	if (!(d->score == -1 || (d->score >= 0 && d->score <= 1)))
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"score must be in [0, 1], or -1 for none");
	/*
	 * Values are within +-LS_DETECTOR_VALUE_MAX, so levels (means of them,
	 * plus offsets) stay within ten times that and squares within double:
	 * no update of a valid state overflows.
	 */
	if (!bounded(d->level, 3, 10 * LS_DETECTOR_VALUE_MAX) ||
		!bounded(d->day_level, LS_DETECTOR_HOURS, 10 * LS_DETECTOR_VALUE_MAX) ||
		!bounded(d->week_level, LS_DETECTOR_WEEK_HOURS, 10 * LS_DETECTOR_VALUE_MAX) ||
		!bounded(d->offset, 2, 10 * LS_DETECTOR_VALUE_MAX) ||
		!bounded(&d->previous, 1, LS_DETECTOR_VALUE_MAX) ||
		!bounded(d->var, 3, 1e303) || !bounded(d->error, 4, 1e303) ||
		!bounded(&d->jump, 1, 1e152))
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"levels, offsets and spreads must be within the range of values");
	if (!all_finite(d->level, 3, false) || !all_finite(d->day_level, LS_DETECTOR_HOURS, false) ||
		!all_finite(d->week_level, LS_DETECTOR_WEEK_HOURS, false) ||
		!all_finite(d->offset, 2, false) || !isfinite(d->previous) ||
		!all_finite(d->cusum, 2, true) ||
		!all_finite(&d->alarm, 1, true))
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"levels, offsets, previous, cusum and alarm must be finite (cusum, alarm >= 0)");
	if (!all_finite(&d->step, 1, true) || !all_finite(d->var, 3, true) ||
		!all_finite(d->error, 4, true) || !all_finite(d->error_weight, 4, true) ||
		!all_finite(&d->jump, 1, true) || !all_finite(&d->jump_weight, 1, true) ||
		!all_finite(d->day_weight, LS_DETECTOR_HOURS, true) ||
		!all_finite(d->week_weight, LS_DETECTOR_WEEK_HOURS, true) ||
		!all_finite(d->hist_total, LS_DETECTOR_STATS, true) ||
		!all_finite(&d->hist[0][0], LS_DETECTOR_STATS * LS_DETECTOR_BINS, true))
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"step, spreads, errors, jump, weights and histograms must be finite and >= 0");
	if (!(d->hist_scale >= HIST_RESCALE * 1e-10 && d->hist_scale <= 1) ||
		!bounded(d->hist_total, LS_DETECTOR_STATS, 1e300) ||
		!bounded(&d->hist[0][0], LS_DETECTOR_STATS * LS_DETECTOR_BINS, 1e300))
		return ls_error_set(err, LS_ERROR_BAD_INPUT, 0,
							"hist_scale must be in [1e-110, 1] and histograms at most 1e300");
	for (int k = 0; k < 3; k++)
		if (!(d->weight[k] >= 1 && isfinite(d->weight[k])))
			return ls_error_set(err, LS_ERROR_BAD_INPUT, 0, "weights must be at least 1");
	return true;
}
