/*
 * test/bench/soak/ship.c: a log shipper for the soak harness (issue 13).
 *
 * Sends realistic log events into a table with COPY ... FROM STDIN, one
 * transaction per batch, as a shipper (Vector, Fluent Bit) would, and says
 * per second how many rows it got committed.  The events are those of
 * tools/generate_events.sql -- the same 50 services drawn with probability
 * ~1/rank, the same medians and spreads, lognormal latencies by Box-Muller,
 * zeros, clock-skewed negatives, timeouts and the 1-in-50 slow path -- plus
 * bursts (now and then one service's share of the traffic jumps for a few
 * seconds) and an optional incident (one service's latencies times FACTOR
 * during a window of wall-clock time).
 *
 *   ship [--rate EVENTS_PER_S] [--batch ROWS] [--seconds S] [--seed N]
 *        [--incident SERVICE:START_EPOCH_S:SECONDS:FACTOR] [--table events]
 *
 * --rate 0 (the default) sends as fast as the server takes them; a batch
 * ends after --batch rows (10,000) or after a second, whichever comes first,
 * as a shipper flushes on size or time.  --seconds 0
 * (the default) runs until SIGTERM or SIGINT, which end the batch in progress
 * with a commit.  The connection comes from libpq's environment (PGHOST,
 * PGPORT, PGUSER, PGDATABASE, ...).  --table is an SQL name, used as written.
 *
 * Output (stdout, flushed per line): "EPOCH_S<TAB>ROWS" for every second from
 * the start to the end, ROWS being the rows whose COPY committed in that
 * second, then "total N".  Any error -- connection, COPY, a commit that
 * reports another row count -- is printed on stderr and the exit status is 1:
 * nothing is dropped silently.
 *
 * The events are a function of the seed alone, but for their timestamps
 * (ts is the wall clock when the event is made, in microseconds) and the
 * incident, which is placed in wall-clock time.  Bursts are placed in event
 * counts, not time, to stay repeatable; at a writer's full speed (~50,000
 * events/s) a burst lasts a few seconds.
 *
 * Cheap per event (~150 ns: four uniforms from xoshiro256**, one exp() for
 * the rank, Box-Muller's log, sqrt, cos and the lognormal's exp, and the
 * text formatting with a timestamp prefix cached per second): its CPU counts
 * against the same cores as the server's.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define NSERVICES 50
#define MAX_VALUE 30000000		/* the generator's timeout, in µs */
#define SEND_CHUNK (64 * 1024)	/* bytes handed to libpq at a time */
#define MAX_ROW 128				/* longest text row we make */
#define FLUSH_US 1000000		/* a batch ends after --batch rows or 1 s */

typedef struct Service
{
	const char *name;
	size_t		len;
	double		median_us;
	double		sigma;
} Service;

/* ranks 1..12 by name, as tools/generate_events.sql; 13..50 are computed */
static const struct
{
	const char *name;
	double		median_us;
	double		sigma;
}			named_services[] = {
	{"api-gateway", 9000, 0.7}, {"auth", 2500, 0.5},
	{"checkout", 60000, 0.8}, {"catalog", 7000, 0.6},
	{"search", 28000, 0.8}, {"cart", 5000, 0.6},
	{"payments", 150000, 0.7}, {"inventory", 3500, 0.5},
	{"recommendations", 45000, 0.9}, {"notifications", 1500, 1.0},
	{"shipping", 35000, 0.8}, {"user-profile", 4000, 0.6},
};

static Service services[NSERVICES + 1];	/* by rank, 1-based */
static char other_names[NSERVICES + 1][16];

static volatile sig_atomic_t stop_requested = 0;

static void
on_signal(int signo)
{
	(void) signo;
	stop_requested = 1;
}

static void
init_services(void)
{
	size_t		named = sizeof(named_services) / sizeof(named_services[0]);

	for (int r = 1; r <= NSERVICES; r++)
	{
		Service    *s = &services[r];

		if ((size_t) r <= named)
		{
			s->name = named_services[r - 1].name;
			s->median_us = named_services[r - 1].median_us;
			s->sigma = named_services[r - 1].sigma;
		}
		else
		{
			/* format('svc-%s', n), 500 + (n * 7919) % 20000, 0.5 + (n % 7) * 0.1 */
			snprintf(other_names[r], sizeof(other_names[r]), "svc-%d", r);
			s->name = other_names[r];
			s->median_us = 500 + (r * 7919) % 20000;
			s->sigma = 0.5 + (r % 7) * 0.1;
		}
		s->len = strlen(s->name);
	}
}

/* --- xoshiro256** (Blackman and Vigna), seeded by splitmix64 --- */

static uint64_t rng_state[4];

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(void)
{
	uint64_t	result = rotl(rng_state[1] * 5, 7) * 9;
	uint64_t	t = rng_state[1] << 17;

	rng_state[2] ^= rng_state[0];
	rng_state[3] ^= rng_state[1];
	rng_state[1] ^= rng_state[2];
	rng_state[0] ^= rng_state[3];
	rng_state[2] ^= t;
	rng_state[3] = rotl(rng_state[3], 45);
	return result;
}

/* uniform in [0, 1), 53 bits, as random() */
static inline double
uniform(void)
{
	return (rng_next() >> 11) * 0x1.0p-53;
}

/* --- text formatting --- */

static inline char *
put_uint(char *p, uint64_t v)
{
	char		tmp[24];
	int			n = 0;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static inline char *
put_int(char *p, int64_t v)
{
	if (v < 0)
	{
		*p++ = '-';
		return put_uint(p, (uint64_t) (-(v + 1)) + 1);
	}
	return put_uint(p, (uint64_t) v);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "YYYY-MM-DD HH:MM:SS" of the second cached_sec, in UTC */
static int64_t cached_sec = -1;
static char cached_prefix[32];
static size_t cached_prefix_len;

static inline char *
put_ts(char *p, int64_t us)
{
	int64_t		sec = us / 1000000;
	int			frac = (int) (us % 1000000);

	if (sec != cached_sec)
	{
		time_t		t = (time_t) sec;
		struct tm	tm;

		gmtime_r(&t, &tm);
		cached_prefix_len = strftime(cached_prefix, sizeof(cached_prefix), "%Y-%m-%d %H:%M:%S", &tm);
		cached_sec = sec;
	}
	memcpy(p, cached_prefix, cached_prefix_len);
	p += cached_prefix_len;
	*p++ = '.';
	for (int d = 5; d >= 0; d--)
	{
		p[d] = (char) ('0' + frac % 10);
		frac /= 10;
	}
	p += 6;
	memcpy(p, "+00", 3);
	return p + 3;
}

/* --- options --- */

typedef struct Options
{
	double		rate;
	long		batch;
	double		seconds;
	uint64_t	seed;
	const char *table;
	int			incident_rank;	/* 0: no incident */
	int64_t		incident_start_us;
	int64_t		incident_end_us;
	int64_t		incident_factor;
} Options;

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: ship [--rate EVENTS_PER_S] [--batch ROWS] [--seconds S] [--seed N]\n"
			"            [--incident SERVICE:START_EPOCH_S:SECONDS:FACTOR] [--table events]\n"
			"The connection comes from libpq's environment (PGHOST, PGPORT, ...).\n");
}

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "ship: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static double
parse_number(const char *opt, const char *text, double lo, double hi)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !(v >= lo && v <= hi))
	{
		fprintf(stderr, "ship: %s wants a number from %g to %g, not \"%s\"\n", opt, lo, hi, text);
		exit(2);
	}
	return v;
}

/* SERVICE:START_EPOCH_S:SECONDS:FACTOR, split from the right */
static void
parse_incident(Options *o, const char *text)
{
	char	   *copy = strdup(text);
	char	   *fields[3];
	double		start,
				seconds,
				factor;

	if (copy == NULL)
		die("out of memory%s", "");
	for (int i = 2; i >= 0; i--)
	{
		char	   *colon = strrchr(copy, ':');

		if (colon == NULL)
		{
			fprintf(stderr, "ship: --incident wants SERVICE:START_EPOCH_S:SECONDS:FACTOR, not \"%s\"\n", text);
			exit(2);
		}
		*colon = '\0';
		fields[i] = colon + 1;
	}
	for (int r = 1; r <= NSERVICES; r++)
		if (strcmp(services[r].name, copy) == 0)
			o->incident_rank = r;
	if (o->incident_rank == 0)
	{
		fprintf(stderr, "ship: --incident: no service \"%s\" among the generator's\n", copy);
		exit(2);
	}
	start = parse_number("--incident's START_EPOCH_S", fields[0], 0, 1e11);
	seconds = parse_number("--incident's SECONDS", fields[1], 0, 1e9);
	factor = parse_number("--incident's FACTOR", fields[2], 1, 1000);
	if (factor != floor(factor))
		die("--incident's FACTOR must be a whole number, not %s", fields[2]);
	o->incident_start_us = (int64_t) (start * 1e6);
	o->incident_end_us = o->incident_start_us + (int64_t) (seconds * 1e6);
	o->incident_factor = (int64_t) factor;
	free(copy);
}

static void
parse_options(Options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->batch = 10000;
	o->seed = 1;
	o->table = "events";

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const char *v = NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
		{
			usage(stdout);
			exit(0);
		}
		if (strncmp(a, "--", 2) == 0 && strchr(a, '=') != NULL)
		{
			/* --name=value */
			static char name[64];
			size_t		n = (size_t) (strchr(a, '=') - a);

			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, a, n);
			name[n] = '\0';
			v = strchr(a, '=') + 1;
			a = name;
		}
		else if (i + 1 < argc)
			v = argv[++i];
		if (v == NULL)
		{
			usage(stderr);
			exit(2);
		}
		if (strcmp(a, "--rate") == 0)
			o->rate = parse_number(a, v, 0, 1e9);
		else if (strcmp(a, "--batch") == 0)
			o->batch = (long) parse_number(a, v, 1, 1e8);
		else if (strcmp(a, "--seconds") == 0)
			o->seconds = parse_number(a, v, 0, 1e7);
		else if (strcmp(a, "--seed") == 0)
			o->seed = (uint64_t) parse_number(a, v, 0, 9007199254740992.0);
		else if (strcmp(a, "--table") == 0)
			o->table = v;
		else if (strcmp(a, "--incident") == 0)
			parse_incident(o, v);
		else
		{
			fprintf(stderr, "ship: unknown option %s\n", a);
			usage(stderr);
			exit(2);
		}
	}
}

/* --- the events --- */

/*
 * Bursts: after a gap of 1 to 4 million events, one service's share jumps:
 * a fifth of the events of the next 100,000 to 300,000 go to it.  Placed in
 * event counts so that the events are a function of the seed.
 */
#define BURST_SHARE 0.2
static int64_t burst_next_change;	/* event number of the next start or end */
static int	burst_rank;			/* 0: no burst now */

static void
burst_step(int64_t n)
{
	if (n < burst_next_change)
		return;
	if (burst_rank == 0)
	{
		/* any service but the front one, which has a third of the traffic */
		burst_rank = 2 + (int) (uniform() * (NSERVICES - 1));
		burst_next_change = n + 100000 + (int64_t) (uniform() * 200000);
	}
	else
	{
		burst_rank = 0;
		burst_next_change = n + 1000000 + (int64_t) (uniform() * 3000000);
	}
}

static const double LN51 = 3.9318256327243257;	/* ln(51) */

/* one event as a text COPY row at p; returns the end */
static inline char *
make_event(char *p, const Options *o, int64_t ts_us)
{
	int			rank = (int) exp(uniform() * LN51);
	double		u_kind = uniform();
	double		u1 = uniform();
	double		u2 = uniform();
	const Service *s;
	int64_t		value;

	if (rank < 1)
		rank = 1;
	if (rank > NSERVICES)
		rank = NSERVICES;
	if (burst_rank != 0 && uniform() < BURST_SHARE)
		rank = burst_rank;
	s = &services[rank];

	if (u_kind < 0.004)
		value = 0;
	else if (u_kind < 0.006)
		value = -(1 + (int64_t) floor(u1 * 5000));
	else if (u_kind < 0.007 && s->median_us >= 20000)
		value = MAX_VALUE;
	else
	{
		double		z = sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
		double		v = s->median_us * (u_kind >= 0.98 ? 20 : 1) * exp(s->sigma * z);

		value = v >= MAX_VALUE ? MAX_VALUE : (int64_t) llround(v);
	}
	/* the incident, as the demo writes it: positive latencies times FACTOR */
	if (rank == o->incident_rank && value > 0 &&
		ts_us >= o->incident_start_us && ts_us < o->incident_end_us)
		value *= o->incident_factor;

	p = put_ts(p, ts_us);
	*p++ = '\t';
	memcpy(p, s->name, s->len);
	p += s->len;
	*p++ = '\t';
	p = put_int(p, value);
	*p++ = '\n';
	return p;
}

/* --- per-second output --- */

static int64_t report_sec;		/* the second being counted */
static int64_t report_rows;		/* rows committed in it */

/* rows committed at now_s: closes the seconds before it */
static void
report_commit(int64_t now_s, int64_t rows)
{
	while (report_sec < now_s)
	{
		printf("%lld\t%lld\n", (long long) report_sec, (long long) report_rows);
		report_rows = 0;
		report_sec++;
	}
	report_rows += rows;
	fflush(stdout);
}

/* --- COPY --- */

static void
pg_fail(PGconn *conn, const char *what)
{
	fprintf(stderr, "ship: %s: %s", what, PQerrorMessage(conn));
	PQfinish(conn);
	exit(1);
}

static void
send_data(PGconn *conn, const char *buf, size_t len)
{
	if (len > 0 && PQputCopyData(conn, buf, (int) len) != 1)
		pg_fail(conn, "COPY data");
}

/* ends the COPY and checks that exactly rows were committed */
static void
finish_copy(PGconn *conn, long rows)
{
	PGresult   *res;
	bool		ok = true;

	if (PQputCopyEnd(conn, NULL) != 1)
		pg_fail(conn, "COPY end");
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			fprintf(stderr, "ship: COPY failed: %s", PQresultErrorMessage(res));
			ok = false;
		}
		else if (strtol(PQcmdTuples(res), NULL, 10) != rows)
		{
			fprintf(stderr, "ship: COPY committed %s rows, not %ld\n", PQcmdTuples(res), rows);
			ok = false;
		}
		PQclear(res);
	}
	if (!ok)
	{
		PQfinish(conn);
		exit(1);
	}
}

static void
start_copy(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		fprintf(stderr, "ship: %s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(conn);
		exit(1);
	}
	PQclear(res);
}

int
main(int argc, char **argv)
{
	Options		o;
	PGconn	   *conn;
	char	   *sql;
	size_t		sql_len;
	static char buf[SEND_CHUNK + MAX_ROW];
	struct sigaction sa;
	int64_t		t0,
				deadline_us,
				events = 0,
				total = 0;
	uint64_t	seed_state;

	init_services();
	parse_options(&o, argc, argv);

	seed_state = o.seed;
	for (int i = 0; i < 4; i++)
		rng_state[i] = splitmix64(&seed_state);
	burst_next_change = 1000000 + (int64_t) (uniform() * 3000000);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
		pg_fail(conn, "connection");

	sql_len = strlen(o.table) + 64;
	sql = malloc(sql_len);
	if (sql == NULL)
		die("out of memory%s", "");
	snprintf(sql, sql_len, "COPY %s (ts, service, value) FROM STDIN", o.table);

	t0 = now_us();
	deadline_us = o.seconds > 0 ? t0 + (int64_t) (o.seconds * 1e6) : INT64_MAX;
	report_sec = t0 / 1000000;
	report_rows = 0;

	while (!stop_requested)
	{
		char	   *p = buf;
		long		rows = 0;
		int64_t		ts = now_us();
		int64_t		batch_start_us = ts;

		if (ts >= deadline_us)
			break;
		start_copy(conn, sql);
		while (rows < o.batch && !stop_requested)
		{
			/* the clock and the deadline every 16 events: a few µs apart */
			if ((rows & 15) == 0)
			{
				ts = now_us();
				if (ts >= deadline_us || ts - batch_start_us >= FLUSH_US)
					break;
				if (o.rate > 0)
				{
					/* ahead of the rate: sleep until we are not */
					double		ahead_s = events / o.rate - (ts - t0) / 1e6;

					if (ahead_s > 0.0005)
					{
						send_data(conn, buf, (size_t) (p - buf));
						p = buf;
						usleep((useconds_t) (ahead_s * 1e6));
						ts = now_us();
					}
				}
			}
			burst_step(events);
			p = make_event(p, &o, ts);
			rows++;
			events++;
			if (p - buf >= SEND_CHUNK)
			{
				send_data(conn, buf, (size_t) (p - buf));
				p = buf;
			}
		}
		send_data(conn, buf, (size_t) (p - buf));
		finish_copy(conn, rows);
		total += rows;
		report_commit(now_us() / 1000000, rows);
	}

	/* the last second, and the total */
	report_commit(now_us() / 1000000 + 1, 0);
	printf("total %lld\n", (long long) total);
	fflush(stdout);
	PQfinish(conn);
	free(sql);
	return 0;
}
