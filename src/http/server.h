/* server.h — the HTTP server: libmicrohttpd with its epoll thread pool, the
 * page cache in front of the page functions, and a watcher thread that
 * notices database changes (CLI edits, scheduled articles) and invalidates
 * exactly the cached pages that show them. */
#ifndef DEPESCHE_HTTP_SERVER_H
#define DEPESCHE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct site;

struct server_opts {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks one */
	bool no_cache;            /* render every request (benchmarks, theme work) */
	unsigned threads;         /* 0: one per core */
	size_t cache_bytes;       /* 0: 256 MiB */
	bool access_log;          /* one line per request on stderr */
	bool no_mail;             /* no dispatcher or sender (`depesche mail run` does it) */
};

/* Serves site until SIGTERM or SIGINT; returns an enum dp_err (DP_OK on a
 * clean stop). Prints "listening on http://HOST:PORT/" to stdout once it
 * accepts connections. */
int server_run(const struct site *site, const struct server_opts *opts);

#endif
