/* job.c — `depesche job`: job listings from the command line (store.h,
 * "job listings"): add, list, show, edit, expire, delete. Every input is
 * checked by job_apply() (store/job_input.h, shared with the admin) before
 * the database is touched; a failed command leaves it as it was. Every
 * change is written to the audit log as the actor "cli". */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "site/site.h"
#include "store/job_input.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/timeutil.h"

#define PAGE 500 /* jobs per store call when listing */

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] job COMMAND ...\n\n"
	      "  add --title T --employer E --location L [--remote]\n"
	      "      [--type full-time|part-time|contract|internship] --apply-url URL\n"
	      "      --valid-through DATE [--posted DATE] [--slug S]\n"
	      "        the description (Markdown) comes on stdin, unless stdin is a\n"
	      "        terminal; prints the job's path (/jobs/SLUG/) last\n"
	      "  list [--all] [--json]      current jobs, newest first; --all adds\n"
	      "                             expired jobs and those posted ahead\n"
	      "  show ID|SLUG [--json]      a job's fields and description\n"
	      "  edit ID|SLUG [options of add] [--no-remote] [--description-stdin]\n"
	      "        changes what is given; --description-stdin replaces the\n"
	      "        description with stdin; prints the job's path last\n"
	      "  expire ID|SLUG             ends the listing now\n"
	      "  delete ID|SLUG             removes the job\n\n"
	      "The location may be empty only for a job done remotely (--remote).\n"
	      "The apply URL starts with https://, http:// or mailto:.\n"
	      "Dates: 2026-12-31 (valid through the end of that day in the site's time\n"
	      "zone), 2026-12-31T18:00, 2026-12-31T18:00:00Z, …+01:00. --posted defaults\n"
	      "to now; a posting date ahead shows the job from then on.\n",
	      f);
}

/* Reads all of stdin, at most JOB_DESCRIPTION_MAX bytes. */
static int read_description(char **ret)
{
	struct buf b = BUF_INIT(JOB_DESCRIPTION_MAX);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (buf_add(&b, chunk, n))
			break;
	if (buf_error(&b) == DP_ETOOBIG) {
		buf_release(&b);
		return cli_fail("the description is larger than %u bytes", JOB_DESCRIPTION_MAX);
	}
	if (ferror(stdin) || buf_error(&b)) {
		buf_release(&b);
		return cli_fail("cannot read the description from stdin");
	}
	if (memchr(buf_cstr(&b), '\0', b.len)) {
		buf_release(&b);
		return cli_fail("the description contains a NUL byte");
	}
	*ret = buf_take(&b, NULL);
	if (!*ret && !(*ret = strdup("")))
		return cli_fail("out of memory");
	return EXIT_OK;
}

/* What the options of add and edit asked for. */
struct opts {
	struct job_input in;
	bool description_stdin;
	bool json, all;
};

/* Parses the options allowed by `allowed` ("a": add/edit fields, "d":
 * --description-stdin, "j": --json, "l": --all). Returns EXIT_OK, or the
 * exit status of a usage error (already reported). */
static int parse_opts(int argc, char **argv, const char *allowed, struct opts *o)
{
	static const struct option lo[] = {
		{ "title", required_argument, NULL, 't' },
		{ "employer", required_argument, NULL, 'e' },
		{ "location", required_argument, NULL, 'L' },
		{ "remote", no_argument, NULL, 'r' },
		{ "no-remote", no_argument, NULL, 'R' },
		{ "type", required_argument, NULL, 'T' },
		{ "apply-url", required_argument, NULL, 'u' },
		{ "valid-through", required_argument, NULL, 'v' },
		{ "posted", required_argument, NULL, 'p' },
		{ "slug", required_argument, NULL, 's' },
		{ "description-stdin", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'l' },
		{ 0 }
	};
	const bool fields = strchr(allowed, 'a') != NULL;
	int c;
	memset(o, 0, sizeof *o);
	o->in.remote = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(argv);
		if (c == 'd' || c == 'j' || c == 'l') {
			if (!strchr(allowed, c))
				return cli_bad_option(argv);
		} else if (!fields) {
			return cli_bad_option(argv);
		}
		switch (c) {
		case 't': o->in.title = optarg; break;
		case 'e': o->in.employer = optarg; break;
		case 'L': o->in.location = optarg; break;
		case 'r': o->in.remote = 1; break;
		case 'R': o->in.remote = 0; break;
		case 'T': o->in.type = optarg; break;
		case 'u': o->in.apply_url = optarg; break;
		case 'v': o->in.valid_through = optarg; break;
		case 'p': o->in.posted = optarg; break;
		case 's': o->in.slug = optarg; break;
		case 'd': o->description_stdin = true; break;
		case 'j': o->json = true; break;
		case 'l': o->all = true; break;
		default: return cli_bad_option(argv);
		}
	}
	return EXIT_OK;
}

/* The job named by key: its slug, or its id when key is a number. */
static int find(struct store *st, const char *key, struct job *ret)
{
	int rc = store_job_by_slug(st, key, ret);
	if (rc == DP_ENOTFOUND && key[0] >= '1' && key[0] <= '9' && strlen(key) < 19 &&
	    strspn(key, "0123456789") == strlen(key))
		rc = store_job_get(st, strtoll(key, NULL, 10), ret);
	if (rc == DP_ENOTFOUND)
		return cli_fail("there is no job '%s' (see 'depesche job list --all')", key);
	if (rc)
		return cli_fail("cannot read the jobs: %s", dp_strerror(rc));
	return EXIT_OK;
}

/* "current", "expired" or "ahead" (posted in the future). */
static const char *state(const struct job *j, int64_t now)
{
	if (j->posted_at > now)
		return "ahead";
	return j->valid_through > now ? "current" : "expired";
}

static json_t *time_json(int64_t t)
{
	char when[40];
	time_fmt_iso_local(when, sizeof when, t);
	return json_string(when);
}

static json_t *job_json(const struct job *j, int64_t now, bool with_description)
{
	char path[200];
	snprintf(path, sizeof path, "/jobs/%s/", j->slug);
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(j->id));
	json_object_set_new(o, "slug", json_string(j->slug));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "title", json_string(j->title));
	json_object_set_new(o, "employer", json_string(j->employer));
	json_object_set_new(o, "location", json_string(j->location));
	json_object_set_new(o, "remote", json_boolean(j->remote));
	json_object_set_new(o, "type", json_string(job_type_name(j->type)));
	json_object_set_new(o, "apply_url", json_string(j->apply_url));
	json_object_set_new(o, "posted", time_json(j->posted_at));
	json_object_set_new(o, "valid_through", time_json(j->valid_through));
	json_object_set_new(o, "state", json_string(state(j, now)));
	json_object_set_new(o, "created", time_json(j->created_at));
	json_object_set_new(o, "updated", time_json(j->updated_at));
	if (with_description)
		json_object_set_new(o, "description",
				    json_string(j->description_md ? j->description_md : ""));
	return o;
}

/* Prints doc (stolen) as indented JSON. */
static int print_json(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text)
		return cli_fail("out of memory");
	puts(text);
	free(text);
	return EXIT_OK;
}

static void audit(struct store *st, const char *action, const struct job *j)
{
	char object[200];
	snprintf(object, sizeof object, "/jobs/%s/", j->slug);
	store_audit_add(st, "cli", action, object, j->title ? j->title : "");
}

/* ---- the commands ---- */

static int cmd_add(int argc, char **argv, const struct cli_env *env)
{
	struct opts o;
	struct job j = { 0 };
	struct job_error e;
	char *description = NULL;
	int r = parse_opts(argc, argv, "a", &o);
	if (r)
		return r;
	if (optind < argc) {
		cli_fail("unexpected argument '%s' (the description comes on stdin)", argv[optind]);
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO)) {
		if (read_description(&description))
			return EXIT_ERR;
		o.in.description = description;
	}
	int rc = job_apply(env->st, env->site, &j, &o.in, env->now, &e);
	if (rc) {
		r = cli_fail("%s", e.message);
	} else {
		audit(env->st, "job.add", &j);
		if (j.posted_at > env->now) {
			char when[40];
			time_fmt_iso_local(when, sizeof when, j.posted_at);
			fprintf(stderr, "posted ahead: the job appears at %s\n", when);
		}
		printf("/jobs/%s/\n", j.slug);
	}
	free(description);
	job_release(&j);
	return r;
}

static int cmd_edit(int argc, char **argv, const struct cli_env *env)
{
	struct opts o;
	struct job j = { 0 };
	struct job_error e;
	char *description = NULL;
	int r = parse_opts(argc, argv, "ad", &o);
	if (r)
		return r;
	if (argc - optind != 1) {
		cli_fail("usage: depesche job edit ID|SLUG [options]");
		return EXIT_USAGE;
	}
	if ((r = find(env->st, argv[optind], &j)))
		return r;
	if (o.description_stdin) {
		if (read_description(&description)) {
			job_release(&j);
			return EXIT_ERR;
		}
		o.in.description = description;
	}
	int rc = job_apply(env->st, env->site, &j, &o.in, env->now, &e);
	if (rc) {
		r = cli_fail("%s", e.message);
	} else {
		audit(env->st, "job.edit", &j);
		printf("/jobs/%s/\n", j.slug);
	}
	free(description);
	job_release(&j);
	return r;
}

static int cmd_list(int argc, char **argv, const struct cli_env *env)
{
	struct opts o;
	int r = parse_opts(argc, argv, "jl", &o);
	if (r)
		return r;
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	struct job_query q = { .now = env->now, .include_expired = o.all, .type = -1,
			       .limit = PAGE };
	json_t *all = o.json ? json_array() : NULL;
	if (o.json && !all)
		return cli_fail("out of memory");
	size_t total = 0;
	for (;;) {
		struct job *l = NULL;
		size_t n = 0;
		int rc = store_jobs(env->st, &q, &l, &n, &total);
		if (rc) {
			json_decref(all);
			return cli_fail("cannot list the jobs: %s", dp_strerror(rc));
		}
		for (size_t i = 0; i < n; i++) {
			const struct job *j = &l[i];
			if (o.json) {
				json_array_append_new(all, job_json(j, env->now, false));
				continue;
			}
			char day[16];
			job_last_day(day, sizeof day, j->valid_through);
			printf("%-3lld %-7s %-10s %-10s /jobs/%s/  %s – %s", (long long)j->id,
			       state(j, env->now), job_type_name(j->type), day, j->slug, j->title,
			       j->employer);
			if (*j->location)
				printf(", %s", j->location);
			if (j->remote)
				fputs(" (remote)", stdout);
			putchar('\n');
		}
		jobs_free(l, n);
		q.offset += n;
		if (n == 0 || q.offset >= total)
			break;
	}
	return o.json ? print_json(all) : EXIT_OK;
}

static int cmd_show(int argc, char **argv, const struct cli_env *env)
{
	struct opts o;
	struct job j;
	int r = parse_opts(argc, argv, "j", &o);
	if (r)
		return r;
	if (argc - optind != 1) {
		cli_fail("usage: depesche job show ID|SLUG [--json]");
		return EXIT_USAGE;
	}
	if ((r = find(env->st, argv[optind], &j)))
		return r;
	json_t *doc = job_json(&j, env->now, true);
	if (o.json) {
		r = print_json(doc);
	} else if (!doc) {
		r = cli_fail("out of memory");
	} else {
		static const char *const keys[] = {
			"id", "path", "state", "title", "employer", "location", "remote", "type",
			"apply_url", "posted", "valid_through", "created", "updated",
		};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			json_t *v = json_object_get(doc, keys[i]);
			printf("%-14s ", keys[i]);
			if (json_is_string(v))
				printf("%s\n", *json_string_value(v) ? json_string_value(v) : "-");
			else if (json_is_integer(v))
				printf("%lld\n", (long long)json_integer_value(v));
			else
				printf("%s\n", json_is_true(v) ? "yes" : "no");
		}
		const char *md = j.description_md ? j.description_md : "";
		printf("\n%s", md);
		if (*md && md[strlen(md) - 1] != '\n')
			putchar('\n');
		json_decref(doc);
	}
	job_release(&j);
	return r;
}

/* expire and delete: one ID|SLUG, no options. */
static int cmd_change(int argc, char **argv, const struct cli_env *env, bool del)
{
	struct job j;
	const char *verb = del ? "delete" : "expire";
	if (argc != 2 || argv[1][0] == '-') {
		cli_fail("usage: depesche job %s ID|SLUG", verb);
		return EXIT_USAGE;
	}
	int r = find(env->st, argv[1], &j);
	if (r)
		return r;
	int rc = del ? store_job_delete(env->st, j.id) : store_job_expire(env->st, j.id, env->now);
	if (rc) {
		r = cli_fail("cannot %s the job: %s", verb, dp_strerror(rc));
	} else {
		audit(env->st, del ? "job.delete" : "job.expire", &j);
		printf("%s /jobs/%s/\n", del ? "deleted" : "expired", j.slug);
	}
	job_release(&j);
	return r;
}

static int cmd_expire(int argc, char **argv, const struct cli_env *env)
{
	return cmd_change(argc, argv, env, false);
}

static int cmd_delete(int argc, char **argv, const struct cli_env *env)
{
	return cmd_change(argc, argv, env, true);
}

int cli_job(int argc, char **argv, const char *data_dir)
{
	static const struct cli_cmd cmds[] = {
		{ "add", cmd_add },
		{ "list", cmd_list },
		{ "show", cmd_show },
		{ "edit", cmd_edit },
		{ "expire", cmd_expire },
		{ "delete", cmd_delete },
		{ NULL, NULL },
	};
	return cli_dispatch("job", cmds, help, argc, argv, data_dir);
}
