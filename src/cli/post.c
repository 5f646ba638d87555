/* post.c — `depesche post`: add, list, show, edit, publish, unpublish,
 * delete, import. Every input is validated before the database is touched;
 * a failed command leaves it as it was. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "post/post.h"
#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/slug.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define IMPORT_LINE_MAX (2u << 20)

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] post COMMAND ...\n\n"
	      "  add --title T [--slug S] [--dateline D] [--tags a,b] [--category C]\n"
	      "      [--author NAME] [--date ISO-8601] [--lang en] [--draft]\n"
	      "        reads the Markdown body from stdin; prints the article's path last\n"
	      "  list [--all] [--json]      newest first; --all adds drafts and scheduled ones\n"
	      "  show SLUG [--json]         an article's fields and Markdown body\n"
	      "  edit SLUG [options of add] [--publish]\n"
	      "        changes what is given; a body on stdin replaces the body\n"
	      "  publish SLUG | unpublish SLUG | delete SLUG\n"
	      "  import                     JSON Lines on stdin, one article per line:\n"
	      "        {\"title\",\"body\",\"slug\",\"dateline\",\"tags\":[..],\"category\",\n"
	      "         \"author\",\"date\",\"draft\"} — all or nothing\n\n"
	      "Dates: 2026-11-27, 2026-11-27T10:00, 2026-11-27T10:00:00Z, …+01:00.\n"
	      "--lang marks an article written in another language than the site (\"\" resets).\n"
	      "A date in the future schedules the article; it appears at that time.\n",
	      f);
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Reads all of f, at most POST_BODY_MAX bytes. */
static int read_body(FILE *f, char **ret)
{
	struct buf b = BUF_INIT(POST_BODY_MAX);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n))
			break;
	if (buf_error(&b) == DP_ETOOBIG) {
		buf_release(&b);
		return cli_fail("the body is larger than %u bytes", POST_BODY_MAX);
	}
	if (ferror(f) || buf_error(&b)) {
		buf_release(&b);
		return cli_fail("cannot read the body from stdin");
	}
	if (memchr(buf_cstr(&b), '\0', b.len)) {
		buf_release(&b);
		return cli_fail("the body contains a NUL byte");
	}
	*ret = buf_take(&b, NULL);
	return *ret ? EXIT_OK : cli_fail("out of memory");
}

/* post_save() with its message printed as a CLI error. */
static int save(struct store *st, const struct site *site, struct article *a,
		const struct post_input *in, int64_t now)
{
	char err[512];
	if (post_save(st, site, a, in, now, err, sizeof err))
		return cli_fail("%s", err);
	return EXIT_OK;
}

static int parse_post_opts(int argc, char **argv, struct post_input *in, int *publish,
			   int *json, int *all)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "slug", required_argument, NULL, 's' },
		{ "dateline", required_argument, NULL, 'D' },
		{ "tags", required_argument, NULL, 'g' },
		{ "category", required_argument, NULL, 'c' },
		{ "author", required_argument, NULL, 'a' },
		{ "date", required_argument, NULL, 'd' },
		{ "lang", required_argument, NULL, 'L' },
		{ "draft", no_argument, NULL, 'r' },
		{ "publish", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': in->title = optarg; break;
		case 's': in->slug = optarg; break;
		case 'D': in->dateline = optarg; break;
		case 'g': in->tags = optarg; break;
		case 'c': in->category = optarg; break;
		case 'a': in->author = optarg; break;
		case 'd': in->date = optarg; break;
		case 'L': in->lang = optarg; break;
		case 'r': in->draft = 1; break;
		case 'p': if (publish) *publish = 1; else return -1; break;
		case 'j': if (json) *json = 1; else return -1; break;
		case 'A': if (all) *all = 1; else return -1; break;
		case 'h': help(stdout); return 1;
		default: cli_bad_option(argv); return -1;
		}
	}
	return 0;
}

/* Finds an article by slug, or by id when the argument is a number. */
static int find_article(struct store *st, const char *key, struct article *ret)
{
	int rc = store_article_by_slug(st, key, ret);
	if (rc == DP_ENOTFOUND && key[0] >= '0' && key[0] <= '9' &&
	    strspn(key, "0123456789") == strlen(key))
		rc = store_article_by_id(st, strtoll(key, NULL, 10), ret);
	if (rc == DP_ENOTFOUND)
		return cli_fail("no article '%s'", key);
	if (rc)
		return cli_fail("cannot read the database: %s", dp_strerror(rc));
	return EXIT_OK;
}

static int cmd_add(int argc, char **argv, const struct cli_env *env)
{
	const struct site *site = env->site;
	struct store *st = env->st;
	struct post_input in = { .draft = 0 };
	char *body = NULL;
	struct article a = { 0 };
	int r = parse_post_opts(argc, argv, &in, NULL, NULL, NULL);
	if (r)
		return r > 0 ? EXIT_OK : (help(stderr), EXIT_USAGE);
	if (optind < argc)
		return cli_fail("unexpected argument '%s' (the body comes on stdin)", argv[optind]);
	if (!in.title)
		return cli_fail("post add needs --title");
	if (blank(in.title))
		return cli_fail("the title must not be empty");
	if (read_body(stdin, &body))
		return EXIT_ERR;
	in.body = body;
	a.status = ARTICLE_PUBLISHED;
	r = save(st, site, &a, &in, (int64_t)time(NULL));
	if (!r) {
		if (a.status == ARTICLE_PUBLISHED && a.published_at > (int64_t)time(NULL)) {
			char when[40];
			time_fmt_iso_local(when, sizeof when, a.published_at);
			fprintf(stderr, "scheduled for %s\n", when);
		}
		printf("/%s/\n", a.slug);
	}
	free(body);
	article_release(&a);
	return r;
}

static int cmd_edit(int argc, char **argv, const struct cli_env *env)
{
	const struct site *site = env->site;
	struct store *st = env->st;
	struct post_input in = { .draft = -1 };
	char *body = NULL;
	struct article a = { 0 };
	int publish = 0;
	int r = parse_post_opts(argc, argv, &in, &publish, NULL, NULL);
	if (r)
		return r > 0 ? EXIT_OK : (help(stderr), EXIT_USAGE);
	if (optind != argc - 1)
		return cli_fail("post edit needs exactly one SLUG");
	if (publish && in.draft == 1)
		return cli_fail("--draft and --publish contradict each other");
	if (publish)
		in.draft = 0;
	if (!isatty(STDIN_FILENO)) {
		if (read_body(stdin, &body))
			return EXIT_ERR;
		if (blank(body)) { /* nothing piped in: keep the body */
			free(body);
			body = NULL;
		}
		in.body = body;
	}
	if ((r = find_article(st, argv[optind], &a)) == EXIT_OK)
		r = save(st, site, &a, &in, (int64_t)time(NULL));
	if (!r)
		printf("/%s/\n", a.slug);
	free(body);
	article_release(&a);
	return r;
}

static json_t *article_json(const struct article *a, int with_body)
{
	char pub[40], upd[40], path[300];
	time_fmt_iso_local(pub, sizeof pub, a->published_at);
	time_fmt_iso_local(upd, sizeof upd, a->updated_at);
	snprintf(path, sizeof path, "/%s/", a->slug);
	json_t *tags = json_array();
	for (size_t i = 0; i < a->ntags; i++)
		json_array_append_new(tags, json_string(a->tags[i].name));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)a->id,
			      "slug", a->slug, "path", path, "title", a->title, "status",
			      a->status == ARTICLE_DRAFT ? "draft"
			      : a->published_at > (int64_t)time(NULL) ? "scheduled"
								       : "published",
			      "date", pub, "updated", upd, "tags", tags);
	if (!o)
		return NULL;
	json_object_set_new(o, "dateline", a->dateline ? json_string(a->dateline) : json_null());
	json_object_set_new(o, "category", a->category.id ? json_string(a->category.name) : json_null());
	json_object_set_new(o, "author", a->author.id ? json_string(a->author.name) : json_null());
	json_object_set_new(o, "lang", json_string(a->lang ? a->lang : ""));
	if (with_body)
		json_object_set_new(o, "body", json_string(a->body_md ? a->body_md : ""));
	return o;
}

static int cmd_list(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	struct post_input in = { 0 };
	int json = 0, all = 0;
	int r = parse_post_opts(argc, argv, &in, NULL, &json, &all);
	if (r)
		return r > 0 ? EXIT_OK : (help(stderr), EXIT_USAGE);
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	struct article_query q = { .now = (int64_t)time(NULL), .include_hidden = all,
				   .limit = 1000000 };
	struct article_list l = { 0 };
	if (store_articles(st, &q, &l, NULL))
		return cli_fail("cannot read the database");
	json_t *arr = json ? json_array() : NULL;
	for (size_t i = 0; i < l.n; i++) {
		const struct article *a = &l.items[i];
		if (json) {
			json_array_append_new(arr, article_json(a, 0));
		} else {
			char date[40];
			time_fmt_iso_local(date, sizeof date, a->published_at);
			date[16] = '\0';
			const char *status = a->status == ARTICLE_DRAFT ? "draft"
					     : a->published_at > q.now ? "scheduled" : "published";
			printf("%-9s  %s  /%s/  %s\n", status, date, a->slug, a->title);
		}
	}
	if (json) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(arr);
	}
	article_list_release(&l);
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	struct post_input in = { 0 };
	struct article a = { 0 };
	int json = 0;
	int r = parse_post_opts(argc, argv, &in, NULL, &json, NULL);
	if (r)
		return r > 0 ? EXIT_OK : (help(stderr), EXIT_USAGE);
	if (optind != argc - 1)
		return cli_fail("post show needs exactly one SLUG");
	if ((r = find_article(st, argv[optind], &a)))
		return r;
	json_t *o = article_json(&a, 1);
	if (json) {
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
	} else {
		const char *keys[] = { "id", "title", "path", "status", "date", "updated",
				       "dateline", "category", "author", "lang" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			json_t *v = json_object_get(o, keys[i]);
			if (json_is_string(v))
				printf("%s: %s\n", keys[i], json_string_value(v));
			else if (json_is_integer(v))
				printf("%s: %lld\n", keys[i], (long long)json_integer_value(v));
		}
		printf("tags: ");
		for (size_t i = 0; i < a.ntags; i++)
			printf("%s%s", i ? ", " : "", a.tags[i].name);
		printf("\n\n%s", a.body_md ? a.body_md : "");
		if (a.body_md && *a.body_md && a.body_md[strlen(a.body_md) - 1] != '\n')
			putchar('\n');
	}
	json_decref(o);
	article_release(&a);
	return EXIT_OK;
}

static int cmd_status(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	const char *verb = argv[0];
	struct article a = { 0 };
	if (argc != 2 || argv[1][0] == '-')
		return cli_fail("post %s needs exactly one SLUG", verb);
	int r = find_article(st, argv[1], &a);
	if (r)
		return r;
	int rc;
	if (strcmp(verb, "delete") == 0)
		rc = store_article_delete(st, a.id);
	else
		rc = store_article_set_status(st, a.id,
					      strcmp(verb, "publish") == 0 ? ARTICLE_PUBLISHED
									   : ARTICLE_DRAFT,
					      (int64_t)time(NULL));
	if (rc)
		r = cli_fail("cannot %s '%s': %s", verb, argv[1], dp_strerror(rc));
	else
		printf("%s /%s/\n", strcmp(verb, "delete") == 0 ? "deleted"
				    : strcmp(verb, "publish") == 0 ? "published" : "unpublished",
		       a.slug);
	article_release(&a);
	return r;
}

static const char *json_str(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

static int cmd_import(int argc, char **argv, const struct cli_env *env)
{
	const struct site *site = env->site;
	struct store *st = env->st;
	(void)argv;
	if (argc != 1)
		return cli_fail("post import takes no arguments; it reads JSON Lines from stdin");
	char *line = NULL;
	size_t cap = 0, lineno = 0, count = 0;
	ssize_t len;
	int r = EXIT_OK;
	int64_t now = (int64_t)time(NULL);
	if (store_begin(st))
		return cli_fail("cannot start a transaction");
	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if ((size_t)len > IMPORT_LINE_MAX) {
			r = cli_fail("line %zu: longer than %u bytes", lineno, IMPORT_LINE_MAX);
			break;
		}
		if (blank(line))
			continue;
		json_error_t jerr;
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(o)) {
			json_decref(o);
			r = cli_fail("line %zu: not a JSON object (%s)", lineno, jerr.text);
			break;
		}
		int bad = 0;
		struct post_input in = { .draft = json_is_true(json_object_get(o, "draft")) };
		in.title = json_str(o, "title", &bad);
		in.slug = json_str(o, "slug", &bad);
		in.dateline = json_str(o, "dateline", &bad);
		in.category = json_str(o, "category", &bad);
		in.author = json_str(o, "author", &bad);
		in.date = json_str(o, "date", &bad);
		in.lang = json_str(o, "lang", &bad);
		const char *body = json_str(o, "body", &bad);
		json_t *tags = json_object_get(o, "tags");
		if (json_is_array(tags))
			in.tag_list = tags;
		else if (json_is_string(tags))
			in.tags = json_string_value(tags);
		else if (tags && !json_is_null(tags))
			bad = 1;
		struct article a = { .status = ARTICLE_PUBLISHED };
		if (bad) {
			r = cli_fail("line %zu: a field has the wrong type", lineno);
		} else if (!in.title || blank(in.title)) {
			r = cli_fail("line %zu: \"title\" is missing or empty", lineno);
		} else {
			in.body = body ? body : "";
			r = save(st, site, &a, &in, now);
			if (r)
				fprintf(stderr, "depesche: (at line %zu)\n", lineno);
		}
		article_release(&a);
		json_decref(o);
		if (r)
			break;
		count++;
	}
	free(line);
	if (r) {
		store_rollback(st);
		return r;
	}
	if (store_commit(st))
		return cli_fail("cannot commit the import");
	printf("imported %zu\n", count);
	return EXIT_OK;
}

int cli_post(int argc, char **argv, const char *data_dir)
{
	static const struct cli_cmd cmds[] = {
		{ "add", cmd_add },
		{ "list", cmd_list },
		{ "show", cmd_show },
		{ "edit", cmd_edit },
		{ "publish", cmd_status },
		{ "unpublish", cmd_status },
		{ "delete", cmd_status },
		{ "import", cmd_import },
		{ NULL, NULL },
	};
	return cli_dispatch("post", cmds, help, argc, argv, data_dir);
}
