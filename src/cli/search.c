/* search.c — `depesche search`: the site search from the command line.
 *
 * `reindex` rebuilds the index and the related-article lists in the site's
 * language (store_search_reindex, one transaction), with a progress bar on
 * stderr: redrawn in place on a terminal, a line per tenth otherwise (logs).
 * `query` searches as a reader does and prints the hits; `bench` runs
 * queries from stdin many times and prints their latencies, for the
 * benchmark of issue 5. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define LIMIT_MAX 100          /* hits per query */
#define RUNS_MAX 100000        /* runs of each bench query */
#define BENCH_QUERIES_MAX 10000
#define BAR_WIDTH 30

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] search COMMAND ...\n\n"
	      "  reindex          rebuild the search index and the related articles in\n"
	      "                   the site's language (setting \"lang\"); progress on stderr\n"
	      "  query WORDS... [--limit N] [--offset N] [--json]\n"
	      "                   search as a reader does: best matches first, with the\n"
	      "                   number of matches; \"a phrase\" in quotes, -word excludes\n"
	      "  bench [--runs N] [--limit N]\n"
	      "                   run each query of stdin (one a line) N times (default 20)\n"
	      "                   after one warm-up and print the latencies (ms): p50 and\n"
	      "                   p99 per query and over all runs\n\n"
	      "Articles are indexed when they are saved, published, unpublished or\n"
	      "deleted; a reindex is needed only after the language changes (config set\n"
	      "lang does it) or to recompute every related-articles list. A search ranks\n"
	      "at most the 1000 newest matches.\n",
	      f);
}

/* flags: store_open()'s. */
static int open_site(const char *data_dir, struct site *site, struct store **st, int flags)
{
	if (cli_site_open(data_dir, site))
		return EXIT_ERR;
	char *path = site_db_path(site);
	int rc = path ? cli_store_open(path, flags, st) : DP_ENOMEM;
	free(path);
	if (rc) {
		site_release(site);
		return cli_fail("cannot open the database: %s", dp_strerror(rc));
	}
	return EXIT_OK;
}

/* Parses a count in 1..max; false (with a message) otherwise. */
static bool parse_count(const char *opt, const char *s, long max, long *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max) {
		cli_fail("%s must be a number from 0 to %ld", opt, max);
		return false;
	}
	*ret = v;
	return true;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- reindex ---- */

struct bar {
	bool tty;
	int phase;     /* the phase shown; -1: none yet */
	int shown;     /* percent (terminal) or tenth (log) last shown; -1: none */
};

static void progress(void *arg, int phase, size_t done, size_t total)
{
	static const char *const names[] = { "indexing", "related" };
	struct bar *b = arg;
	const char *name = phase == 1 ? names[1] : names[0];
	int pct = total ? (int)(done * 100 / total) : 100;
	if (phase != b->phase) {
		if (b->tty && b->phase >= 0)
			fputc('\n', stderr);
		b->phase = phase;
		b->shown = -1;
	}
	if (b->tty) {
		if (pct == b->shown)
			return;
		int fill = pct * BAR_WIDTH / 100;
		fprintf(stderr, "\r%-8s [%.*s%*s] %3d%%  %zu/%zu", name, fill,
			"##############################", BAR_WIDTH - fill, "", pct, done, total);
		b->shown = pct;
	} else {
		if (pct / 10 == b->shown)
			return;
		fprintf(stderr, "%s: %d%% (%zu/%zu)\n", name, pct / 10 * 10, done, total);
		b->shown = pct / 10;
	}
	fflush(stderr);
}

static int cmd_reindex(int argc, char **argv, const char *data_dir)
{
	struct site site = { 0 };
	struct store *st = NULL;
	struct bar bar = { isatty(STDERR_FILENO) == 1, -1, -1 };
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "depesche: usage: depesche search reindex\n");
		return EXIT_USAGE;
	}
	/* An index that needs building is built here, with the progress shown. */
	if (open_site(data_dir, &site, &st, STORE_NO_INDEX_BUILD))
		return EXIT_ERR;
	double t0 = now_ms();
	int rc = store_search_reindex(st, site.lang, progress, &bar);
	if (bar.tty && bar.phase >= 0)
		fputc('\n', stderr);
	int r = EXIT_OK;
	if (rc)
		r = cli_fail("cannot rebuild the search index: %s", dp_strerror(rc));
	else
		printf("search index rebuilt (%s) in %.1f s\n", site.lang, (now_ms() - t0) / 1e3);
	store_close(st);
	site_release(&site);
	return r;
}

/* ---- query ---- */

/* The hit's HTML as terminal text: <mark>…</mark> as […], the entities
 * html_txt writes decoded. */
static void put_marked(FILE *f, const char *h)
{
	static const struct {
		const char *from, *to;
	} map[] = { { "<mark>", "[" },  { "</mark>", "]" }, { "&amp;", "&" }, { "&lt;", "<" },
		    { "&gt;", ">" },    { "&quot;", "\"" }, { "&#39;", "'" } };
	while (h && *h) {
		size_t i;
		for (i = 0; i < sizeof map / sizeof map[0]; i++) {
			size_t n = strlen(map[i].from);
			if (!strncmp(h, map[i].from, n)) {
				fputs(map[i].to, f);
				h += n;
				break;
			}
		}
		if (i == sizeof map / sizeof map[0])
			fputc(*h++, f);
	}
}

static json_t *hit_json(const struct search_hit *h)
{
	char when[40], path[600];
	json_t *o = json_object();
	if (!o)
		return NULL;
	time_fmt_iso_utc(when, sizeof when, h->article.published_at);
	snprintf(path, sizeof path, "/%s/", h->article.slug);
	json_object_set_new(o, "id", json_integer(h->article.id));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "title", json_string(h->article.title));
	json_object_set_new(o, "published_at", json_string(when));
	json_object_set_new(o, "score", json_real(h->score));
	json_object_set_new(o, "title_html", json_string(h->title_html));
	json_object_set_new(o, "snippet_html", json_string(h->snippet_html));
	return o;
}

/* The words as one query, joined by spaces; caller frees. */
static char *join_words(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *q = malloc(len), *p = q;
	if (!q)
		return NULL;
	*p = '\0';
	for (int i = 0; i < argc; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	return q;
}

static int cmd_query(int argc, char **argv, const char *data_dir)
{
	long limit = 10, offset = 0;
	bool as_json = false, only_words = false;
	int nwords = 0;
	/* By hand rather than getopt: "-word" excludes a word, and options may
	 * follow the words. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_words || strncmp(a, "--", 2) != 0) {
			argv[1 + nwords++] = argv[i];
		} else if (!strcmp(a, "--")) {
			only_words = true;
		} else if (!strcmp(a, "--json")) {
			as_json = true;
		} else if ((!strcmp(a, "--limit") || !strcmp(a, "--offset")) && i + 1 < argc) {
			if (!parse_count(a, argv[++i], a[2] == 'l' ? LIMIT_MAX : 1000000,
					 a[2] == 'l' ? &limit : &offset))
				return EXIT_USAGE;
		} else {
			fprintf(stderr, "depesche: unknown option or missing value: %s\n", a);
			return EXIT_USAGE;
		}
	}
	if (!nwords) {
		fprintf(stderr, "depesche: usage: depesche search query WORDS... [--limit N]"
				" [--offset N] [--json]\n");
		return EXIT_USAGE;
	}
	char *words = join_words(nwords, argv + 1);
	if (!words)
		return cli_fail("out of memory");
	if (strlen(words) > SEARCH_QUERY_MAX) {
		free(words);
		return cli_fail("the query is longer than %d bytes", SEARCH_QUERY_MAX);
	}

	struct site site = { 0 };
	struct store *st = NULL;
	if (open_site(data_dir, &site, &st, 0)) {
		free(words);
		return EXIT_ERR;
	}
	struct search_query q = { .q = words, .now = (int64_t)time(NULL),
				  .offset = (size_t)offset, .limit = limit ? (size_t)limit : 10 };
	struct search_result res;
	int r = EXIT_OK, rc = store_search(st, &q, &res);
	if (rc == DP_EINVAL) {
		r = cli_fail("nothing to search for: give words, \"a phrase\" or -excluded words"
			     " besides at least one wanted");
	} else if (rc) {
		r = cli_fail("cannot search: %s", dp_strerror(rc));
	} else if (as_json) {
		json_t *o = json_object(), *hits = json_array();
		for (size_t i = 0; o && hits && i < res.n; i++)
			json_array_append_new(hits, hit_json(&res.hits[i]));
		json_object_set_new(o, "query", json_string(words));
		json_object_set_new(o, "total", json_integer((json_int_t)res.total));
		json_object_set_new(o, "hits", hits);
		char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (text)
			puts(text);
		else
			r = cli_fail("out of memory");
		free(text);
	} else {
		printf("%zu %s\n", res.total, res.total == 1 ? "match" : "matches");
		for (size_t i = 0; i < res.n; i++) {
			const struct search_hit *h = &res.hits[i];
			char when[40];
			time_fmt_iso_local(when, sizeof when, h->article.published_at);
			printf("%zu. ", (size_t)offset + i + 1);
			put_marked(stdout, h->title_html);
			printf("\n   /%s/  %.10s  score %.3f\n   ", h->article.slug, when, h->score);
			put_marked(stdout, h->snippet_html);
			putchar('\n');
		}
	}
	if (!rc)
		search_result_release(&res);
	store_close(st);
	site_release(&site);
	free(words);
	return r;
}

/* ---- bench ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of n sorted values. */
static double percentile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	return v[rank ? rank - 1 : 0];
}

static int cmd_bench(int argc, char **argv, const char *data_dir)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ 0 }
	};
	long runs = 20, limit = 10;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!parse_count("--runs", optarg, RUNS_MAX, &runs) || runs < 1)
				return runs < 1 ? cli_fail("--runs must be at least 1") : EXIT_USAGE;
			break;
		case 'l':
			if (!parse_count("--limit", optarg, LIMIT_MAX, &limit))
				return EXIT_USAGE;
			break;
		default: return cli_bad_option(argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "depesche: usage: depesche search bench [--runs N] [--limit N]"
				" < QUERIES\n");
		return EXIT_USAGE;
	}
	struct site site = { 0 };
	struct store *st = NULL;
	if (open_site(data_dir, &site, &st, 0))
		return EXIT_ERR;
	double *all = NULL, *mine = malloc((size_t)runs * sizeof *mine);
	size_t nall = 0, nq = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = EXIT_OK;
	if (!mine) {
		r = cli_fail("out of memory");
		goto out;
	}
	while (r == EXIT_OK && (len = getline(&line, &cap, stdin)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (++nq > BENCH_QUERIES_MAX) {
			r = cli_fail("more than %d queries", BENCH_QUERIES_MAX);
			break;
		}
		double *grown = realloc(all, (nall + (size_t)runs) * sizeof *all);
		if (!grown) {
			r = cli_fail("out of memory");
			break;
		}
		all = grown;
		struct search_query q = { .q = line, .now = (int64_t)time(NULL),
					  .limit = limit ? (size_t)limit : 10 };
		size_t total = 0;
		for (long i = -1; i < runs && r == EXIT_OK; i++) {
			struct search_result res;
			double t0 = now_ms();
			int rc = store_search(st, &q, &res);
			double t = now_ms() - t0;
			if (rc) {
				r = cli_fail("query \"%s\": %s", line, dp_strerror(rc));
				break;
			}
			total = res.total;
			search_result_release(&res);
			if (i >= 0)
				mine[i] = all[nall++] = t;
		}
		if (r)
			break;
		qsort(mine, (size_t)runs, sizeof *mine, cmp_double);
		size_t width = utf8_len(line);
		printf("%s%*s matches %5zu  p50 %7.2f ms  p99 %7.2f ms\n", line,
		       width < 40 ? (int)(40 - width) : 0, "", total,
		       percentile(mine, (size_t)runs, 50), percentile(mine, (size_t)runs, 99));
	}
	if (r == EXIT_OK && nall) {
		qsort(all, nall, sizeof *all, cmp_double);
		printf("all: %zu queries x %ld runs  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", nq, runs,
		       percentile(all, nall, 50), percentile(all, nall, 99), all[nall - 1]);
	} else if (r == EXIT_OK) {
		r = cli_fail("no queries on stdin");
	}
out:
	free(line);
	free(all);
	free(mine);
	store_close(st);
	site_release(&site);
	return r;
}

int cli_search(int argc, char **argv, const char *data_dir)
{
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		help(stdout);
		return EXIT_OK;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(stdout);
			return EXIT_OK;
		}
	if (!strcmp(cmd, "reindex"))
		return cmd_reindex(argc - 1, argv + 1, data_dir);
	if (!strcmp(cmd, "query"))
		return cmd_query(argc - 1, argv + 1, data_dir);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc - 1, argv + 1, data_dir);
	fprintf(stderr, "depesche: unknown search command '%s'\n", cmd);
	help(stderr);
	return EXIT_USAGE;
}
