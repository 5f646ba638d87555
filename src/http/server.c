/* server.c — libmicrohttpd glue: request limits, the page cache in front of
 * the page functions, conditional requests, graceful shutdown.
 * RFC 9110 (semantics, conditional requests), RFC 9112 (HTTP/1.1). */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "http/auth.h"
#include "http/dynamic.h"
#include "http/groupcommit.h"
#include "http/watch.h"
#include "moderation/triage.h"
#include "newsletter/dispatch.h"
#include "newsletter/links.h"
#include "page/comments.h"
#include "page/page.h"
#include "page/theme.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"

#define MAX_BODY_BYTES (1u << 20)   /* no public URL takes a body yet */
#define CONN_TIMEOUT_S 30
#define CONN_LIMIT 20000
#define PER_IP_LIMIT 1024
#define CONN_MEMORY (64u * 1024)

struct server {
	const struct site *site;
	const struct server_opts *opts;
	struct theme *theme;
	struct cache *cache;
	char *db_path;
	pthread_mutex_t stores_lock;   /* guards stores[] */
	struct store **stores;         /* one per worker thread, closed at the end */
	size_t nstores, cap_stores;
	struct dyn_env env;            /* what dynamic requests get */
	struct triage_model *triage;   /* the site's learned comment model */
	struct groupcommit *gc;        /* durable comment intake */
};

/* Per-request state, only for requests that send a body. */
struct req_state {
	size_t body_bytes;
	int too_big;
};

static int first_call_marker; /* *con_cls for body-less requests */

static __thread struct store *tls_store;

/* This worker thread's database connection, opened on first use. */
static struct store *thread_store(struct server *srv)
{
	if (tls_store)
		return tls_store;
	struct store *s = NULL;
	if (store_open(srv->db_path, STORE_DURABLE, &s) != DP_OK)
		return NULL;
	pthread_mutex_lock(&srv->stores_lock);
	if (srv->nstores == srv->cap_stores) {
		size_t cap = srv->cap_stores ? srv->cap_stores * 2 : 8;
		struct store **p = realloc(srv->stores, cap * sizeof *p);
		if (!p) {
			pthread_mutex_unlock(&srv->stores_lock);
			store_close(s);
			return NULL;
		}
		srv->stores = p;
		srv->cap_stores = cap;
	}
	srv->stores[srv->nstores++] = s;
	pthread_mutex_unlock(&srv->stores_lock);
	return tls_store = s;
}

static struct store *env_store(void *ctx)
{
	return thread_store(ctx);
}

static enum MHD_Result queue_plain(struct MHD_Connection *conn, unsigned status,
				   const char *text, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Sends the themed error page (never cached, never echoing the request). */
static enum MHD_Result queue_error(struct server *srv, struct MHD_Connection *conn,
				   unsigned status, const struct cache_cond *cond)
{
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_req req = { srv->site, srv->theme, NULL, (int64_t)time(NULL), &route, NULL };
	struct page_res res;
	page_res_init(&res);
	page_error(&req, &res, status);
	struct cache_page cp = { res.status, res.content_type, res.cache_control, res.body.data,
				 res.body.len, 0, 0, NULL, 0,
				 status == MHD_HTTP_METHOD_NOT_ALLOWED ? "GET, HEAD" : NULL, NULL };
	unsigned sent;
	int rc = cache_insert(srv->cache, "", &cp, 0, 0, cond, conn, &sent);
	page_res_release(&res);
	if (rc) {
		if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
			return queue_plain(conn, status, "Method not allowed\n", "GET, HEAD");
		return queue_plain(conn, status, "Error\n", NULL);
	}
	return MHD_YES;
}

static enum MHD_Result queue_redirect(struct MHD_Connection *conn, const char *location)
{
	static const char text[] = "Moved permanently.\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof text - 1, (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_MOVED_PERMANENTLY, r);
	MHD_destroy_response(r);
	return ret;
}

static void read_cond(struct MHD_Connection *conn, struct cache_cond *cond)
{
	cond->if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_IF_NONE_MATCH);
	cond->if_modified_since = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	cond->enc = cache_pick_encoding(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								    MHD_HTTP_HEADER_ACCEPT_ENCODING));
}

/* A cache miss: route, render, cache, send. */
static enum MHD_Result render(struct server *srv, struct MHD_Connection *conn, const char *url,
			      const struct cache_cond *cond, unsigned *ret_status)
{
	struct route route;
	route_parse(url, &route);
	if (route.kind == ROUTE_REDIRECT) {
		*ret_status = MHD_HTTP_MOVED_PERMANENTLY;
		return queue_redirect(conn, route.slug);
	}
	if (route.kind == ROUTE_BAD_REQUEST) {
		*ret_status = MHD_HTTP_BAD_REQUEST;
		return queue_error(srv, conn, MHD_HTTP_BAD_REQUEST, cond);
	}
	struct store *st = thread_store(srv);
	if (!st) {
		log_error("cannot open the database %s", srv->db_path);
		*ret_status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return queue_error(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, cond);
	}
	/* Taken before reading: a change that lands meanwhile keeps this page out of the cache. */
	uint64_t gen = cache_generation(srv->cache);
	struct page_req req = { srv->site, srv->theme, st, (int64_t)time(NULL), &route, NULL };
	struct page_res res;
	page_res_init(&res);
	/* One snapshot for the whole page (and one round of locks). */
	bool reading = store_read_begin(st) == DP_OK;
	page_serve(&req, &res);
	if (reading)
		store_read_end(st);
	if (res.status == 500)
		log_error("rendering %s failed", url);
	/* The cache takes the page's bytes as they are (no copy). */
	size_t len = res.body.len;
	char *body = buf_take(&res.body, &len);
	struct cache_page cp = { res.status, res.content_type, res.cache_control, body ? body : "",
				 body ? len : 0, res.last_modified, res.expires_at, res.deps,
				 res.ndeps, NULL, body };
	int keep = !srv->opts->no_cache && route.kind != ROUTE_HEALTHZ;
	int rc = cache_insert(srv->cache, url, &cp, gen, keep, cond, conn, ret_status);
	page_res_release(&res);
	return rc == DP_OK ? MHD_YES : MHD_NO;
}

/* The two cached paths whose query string makes another page: "/?s=words"
 * (a search, as WordPress has it) and "/jobs/" with filters. Everything
 * else ignores its query string (the cache is keyed by path). */
static int by_query(struct MHD_Connection *conn, const char *url)
{
	if (strcmp(url, "/") == 0)
		return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "s") != NULL;
	if (strcmp(url, "/jobs/") == 0)
		return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "location") ||
		       MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "type") ||
		       MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "remote");
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	(void)version;
	(void)upload_data;
	struct cache_cond cond;

	if (*con_cls == NULL && (router_owns(url) || by_query(conn, url) ||
				 (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
				  strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)))
		return dynamic_begin(&srv->env, conn, url, method, con_cls);
	if (dynamic_is(*con_cls))
		return dynamic_continue(&srv->env, conn, url, method, upload_data, upload_data_size,
					con_cls);
	if (*con_cls == NULL) {
		/* First call: headers only. Refuse oversized bodies before reading them. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > MAX_BODY_BYTES) {
			read_cond(conn, &cond);
			cond.if_none_match = cond.if_modified_since = NULL;
			*con_cls = &first_call_marker;
			return queue_error(srv, conn, MHD_HTTP_CONTENT_TOO_LARGE, &cond);
		}
		*con_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_data_size) {
		struct req_state *st = *con_cls == &first_call_marker ? NULL : *con_cls;
		if (!st) {
			st = calloc(1, sizeof *st);
			if (!st)
				return MHD_NO;
			*con_cls = st;
		}
		st->body_bytes += *upload_data_size;
		if (st->body_bytes > MAX_BODY_BYTES)
			st->too_big = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	read_cond(conn, &cond);
	if (*con_cls != &first_call_marker && ((struct req_state *)*con_cls)->too_big) {
		cond.if_none_match = cond.if_modified_since = NULL;
		return queue_error(srv, conn, MHD_HTTP_CONTENT_TOO_LARGE, &cond);
	}
	int is_head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (!is_head && strcmp(method, MHD_HTTP_METHOD_GET) != 0) {
		cond.if_none_match = cond.if_modified_since = NULL;
		return queue_error(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED, &cond);
	}

	unsigned status = 0;
	enum MHD_Result ret;
	int rc = srv->opts->no_cache ? DP_ENOTFOUND
				     : cache_lookup(srv->cache, url, &cond, (int64_t)time(NULL), conn,
						    &status);
	if (rc == DP_OK)
		ret = MHD_YES;
	else if (rc == DP_ENOTFOUND)
		ret = render(srv, conn, url, &cond, &status);
	else
		ret = MHD_NO;
	if (srv->opts->access_log)
		log_info("%s %s %u", method, url, status);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	if (dynamic_is(*con_cls))
		dynamic_free(*con_cls);
	else if (*con_cls && *con_cls != &first_call_marker)
		free(*con_cls);
	*con_cls = NULL;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decoding of paths and query arguments (libmicrohttpd has turned
 * '+' in arguments into spaces already), in place. A '%' without two hex
 * digits after it, and "%00", become the byte 0xFF, which is never valid
 * UTF-8: a page that checks its input answers 400 instead of reading "%zz"
 * as text, and no NUL cuts a value short. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *w = s;
	for (const char *r = s; *r;) {
		if (*r != '%') {
			*w++ = *r++;
			continue;
		}
		int hi = hex_digit(r[1]), lo = hi < 0 ? -1 : hex_digit(r[2]);
		if (hi < 0 || lo < 0 || (hi | lo) == 0) {
			*w++ = (char)0xFF;
			r += hi < 0 || lo < 0 ? 1 : 3;
			continue;
		}
		*w++ = (char)(hi << 4 | lo);
		r += 3;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_warn("http: %s", line);
}

/* "HOST:PORT" or "[V6]:PORT" into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, int *ret_v6)
{
	char host[128];
	const char *colon;
	memset(ss, 0, sizeof *ss);
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host)
			return DP_EINVAL;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof host)
			return DP_EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return DP_EINVAL;
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*ret_v6 = 0;
		return DP_OK;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*ret_v6 = 1;
		return DP_OK;
	}
	return DP_EINVAL;
}

struct reindex_log {
	int phase, tenth;  /* last logged */
};

/* A log line per tenth of a rebuild's work. */
static void reindex_progress(void *arg, int phase, size_t done, size_t total)
{
	struct reindex_log *rl = arg;
	int tenth = total ? (int)(done * 10 / total) : 10;
	if (phase == rl->phase && tenth == rl->tenth)
		return;
	rl->phase = phase;
	rl->tenth = tenth;
	log_info("search: %s %d%% (%zu/%zu)", phase == 1 ? "related" : "indexing", tenth * 10, done,
		 total);
}

/* The comment form's secret (made once per site; it also signs the links
 * in mail) and the learned triage model, from the database; and a search
 * index in the site's language (the admin's settings page may have changed
 * it since the last start), built first when an upgrade needs it (logged,
 * with progress). */
static int load_site_state(const char *db_path, const char *lang,
			   struct triage_model **ret_model)
{
	struct store *st = NULL;
	char *secret = NULL, *model = NULL, index_lang[16];
	bool stale = false;
	size_t articles = 0;
	int rc = store_open(db_path, STORE_NO_INDEX_BUILD, &st);
	if (rc)
		return rc;
	if ((rc = store_search_lang(st, index_lang, sizeof index_lang)) ||
	    (rc = store_search_stale(st, &stale, &articles))) {
		store_close(st);
		return rc;
	}
	if (strcmp(index_lang, lang) != 0 || stale) {
		struct reindex_log rl = { -1, -1 };
		if (stale)
			log_info("search: building the index of %zu articles (it was made by an older"
				 " version or never); the site starts when it is done", articles);
		else
			log_info("search: the index is in \"%s\", the site in \"%s\": rebuilding it",
				 index_lang, lang);
		if ((rc = store_search_reindex(st, lang, reindex_progress, &rl))) {
			store_close(st);
			return rc;
		}
		log_info("search: the index is built");
	}
	rc = store_kv_get(st, "comment_secret", &secret);
	if (rc == DP_ENOTFOUND) {
		char fresh[65];
		auth_random_token(fresh);
		rc = store_kv_set(st, "comment_secret", fresh);
		secret = strdup(fresh);
	}
	if (!rc && secret) {
		comment_set_secret((const unsigned char *)secret, strlen(secret));
		link_set_secret((const unsigned char *)secret, strlen(secret));
	}
	*ret_model = NULL;
	if (!rc && store_kv_get(st, "triage_model", &model) == DP_OK)
		triage_model_load(model, ret_model);
	if (!rc && !*ret_model)
		rc = triage_model_new(ret_model);
	free(secret);
	free(model);
	store_close(st);
	return rc;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int server_run(const struct site *site, const struct server_opts *opts)
{
	struct server srv = { .site = site, .opts = opts };
	struct MHD_Daemon *d = NULL;
	struct watch *w = NULL;
	struct dispatcher *mail = NULL;
	struct sockaddr_storage ss;
	char err[512] = "";
	int v6 = 0, rc;
	sigset_t sigs;

	/* Signals go to the main thread only (sigwait below), never to the
	 * watcher or MHD's workers: block them before any thread starts. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&srv.stores_lock, NULL);
	rc = parse_listen(opts->listen, &ss, &v6);
	if (rc) {
		fprintf(stderr, "depesche: --listen %s: expected HOST:PORT, e.g. 127.0.0.1:8080\n",
			opts->listen);
		goto out;
	}
	rc = theme_load(site->theme_dir, site->lang, &srv.theme, err, sizeof err);
	if (rc) {
		fprintf(stderr, "depesche: theme: %s\n", err);
		goto out;
	}
	rc = DP_ENOMEM;
	srv.db_path = site_db_path(site);
	if (!srv.db_path || cache_new(opts->cache_bytes ? opts->cache_bytes : (256u << 20),
				      &srv.cache))
		goto out;
	rc = load_site_state(srv.db_path, site->lang, &srv.triage);
	if (rc) {
		fprintf(stderr, "depesche: cannot open the database %s: %s\n", srv.db_path,
			dp_strerror(rc));
		goto out;
	}
	rc = groupcommit_start(srv.db_path, &srv.gc);
	if (rc) {
		fprintf(stderr, "depesche: cannot open the database %s: %s\n", srv.db_path,
			dp_strerror(rc));
		goto out;
	}
	srv.env = (struct dyn_env){ .site = site, .theme = srv.theme, .triage = srv.triage,
				    .gc = srv.gc, .thread_store = env_store, .ctx = &srv };
	rc = watch_start(srv.db_path, srv.cache, &w);
	if (rc) {
		fprintf(stderr, "depesche: cannot open the database %s: %s\n", srv.db_path,
			dp_strerror(rc));
		goto out;
	}

	raise_fd_limit();

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = opts->threads ? opts->threads : (cores > 0 ? (unsigned)cores : 1);
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (v6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &srv,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, threads,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "depesche: cannot listen on %s (in use, or not an address of this "
				"machine?)\n", opts->listen);
		rc = DP_EIO;
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET6_ADDRSTRLEN] = "127.0.0.1";
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
	/* Mail (alerts, newsletters, notices, the outbox sender) in the
	 * background; it logs for itself when it cannot send. */
	if (!opts->no_mail && (rc = dispatch_start(site->dir, &mail)))
		log_error("mail: cannot start the dispatcher: %s; no mail goes out",
			  dp_strerror(rc));
	printf(v6 ? "listening on http://[%s]:%u/\n" : "listening on http://%s:%u/\n", host,
	       info ? info->port : 0);
	fflush(stdout);
	log_info("serving %s with %u threads%s%s", site->dir, threads,
		 opts->no_cache ? ", page cache off" : "",
		 opts->no_mail ? ", no mail (depesche mail run sends it)" : "");

	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("signal %d: stopping", sig);
	rc = DP_OK;
out:
	/* Mail being sent is finished first; nothing new is claimed. */
	dispatch_stop(mail);
	/* Queued comments are committed and answered before the server stops. */
	groupcommit_stop(srv.gc);
	if (d)
		MHD_stop_daemon(d);
	watch_stop(w);
	for (size_t i = 0; i < srv.nstores; i++)
		store_close(srv.stores[i]);
	free(srv.stores);
	cache_free(srv.cache);
	triage_model_free(srv.triage);
	theme_free(srv.theme);
	free(srv.db_path);
	pthread_mutex_destroy(&srv.stores_lock);
	return rc;
}
