/*
 * test/bench/soak/listen.c: a NOTIFY listener for the soak harness (issue 13).
 *
 *   listen [--channel logscore_alerts] [--seconds S]
 *
 * LISTENs on the channel and prints "RECV_EPOCH_US<TAB>PAYLOAD" on stdout
 * for each notification, flushed at once, RECV_EPOCH_US being the wall
 * clock when it was read from the connection: the alert latency is measured
 * from it.  Prints "listening on CHANNEL" on stderr once the LISTEN is in
 * effect, so that a caller can wait for it.  Exits 0 after S seconds (0, the
 * default: never) or on SIGTERM or SIGINT; 1 on any error, the connection
 * lost included.  The connection comes from libpq's environment.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <libpq-fe.h>

static volatile sig_atomic_t stop_requested = 0;

static void
on_signal(int signo)
{
	(void) signo;
	stop_requested = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
pg_fail(PGconn *conn, const char *what)
{
	fprintf(stderr, "listen: %s: %s", what, PQerrorMessage(conn));
	PQfinish(conn);
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *channel = "logscore_alerts";
	double		seconds = 0;
	PGconn	   *conn;
	PGresult   *res;
	char	   *ident;
	char	   *sql;
	struct sigaction sa;
	int64_t		deadline_us;

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
		{
			char	   *end;

			errno = 0;
			seconds = strtod(argv[++i], &end);
			if (errno != 0 || end == argv[i] || *end != '\0' || !(seconds >= 0 && seconds <= 1e7))
			{
				fprintf(stderr, "listen: --seconds wants a number from 0 to 1e7, not \"%s\"\n", argv[i]);
				return 2;
			}
		}
		else
		{
			fprintf(stderr, "usage: listen [--channel logscore_alerts] [--seconds S]\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}

	/*
	 * SIGTERM ends the wait in select(): no SA_RESTART, and select() is not
	 * restarted anyway.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK)
		pg_fail(conn, "connection");

	ident = PQescapeIdentifier(conn, channel, strlen(channel));
	if (ident == NULL)
		pg_fail(conn, "channel name");
	sql = malloc(strlen(ident) + 8);
	if (sql == NULL)
	{
		fprintf(stderr, "listen: out of memory\n");
		return 1;
	}
	sprintf(sql, "LISTEN %s", ident);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_fail(conn, sql);
	PQclear(res);
	PQfreemem(ident);
	free(sql);
	fprintf(stderr, "listening on %s\n", channel);

	deadline_us = seconds > 0 ? now_us() + (int64_t) (seconds * 1e6) : INT64_MAX;
	while (!stop_requested)
	{
		int			sock = PQsocket(conn);
		fd_set		in;
		struct timeval tv;
		int64_t		left = deadline_us - now_us();
		PGnotify   *n;

		if (left <= 0)
			break;
		/* wake at least once a second, to see the deadline */
		if (left > 1000000)
			left = 1000000;
		tv.tv_sec = (time_t) (left / 1000000);
		tv.tv_usec = (suseconds_t) (left % 1000000);
		if (sock < 0)
			pg_fail(conn, "no socket");
		FD_ZERO(&in);
		FD_SET(sock, &in);
		if (select(sock + 1, &in, NULL, NULL, &tv) < 0)
		{
			if (errno == EINTR)
				continue;
			fprintf(stderr, "listen: select: %s\n", strerror(errno));
			PQfinish(conn);
			return 1;
		}
		if (!PQconsumeInput(conn))
			pg_fail(conn, "reading");
		if (PQstatus(conn) != CONNECTION_OK)
			pg_fail(conn, "connection lost");
		while ((n = PQnotifies(conn)) != NULL)
		{
			printf("%lld\t%s\n", (long long) now_us(), n->extra);
			fflush(stdout);
			PQfreemem(n);
		}
	}
	PQfinish(conn);
	return 0;
}
