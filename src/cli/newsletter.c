/* newsletter.c — `depesche newsletter`: newsletter issues from the command
 * line, as the admin's newsletter pages make them (store.h, "newsletter
 * issues"). Sending only marks an issue as sending: the dispatcher in
 * `depesche serve` (or `depesche mail run`) queues its mails in batches. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define SUBJECT_MAX 200            /* characters */
#define BODY_MAX (1u << 20)        /* bytes of Markdown */
#define TOPICS_TEXT_MAX 4096

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] newsletter COMMAND ...\n\n"
	      "  create --subject S [--topics a,b] [--by NAME] < BODY.md\n"
	      "                   a draft issue (Markdown body on stdin); prints its id\n"
	      "  list             every issue: id, status, figures, subject\n"
	      "  show ID          one issue with its figures and body\n"
	      "  send ID          send a draft to every confirmed subscriber who wants\n"
	      "                   the newsletter (or, with topics, who follows one)\n"
	      "  delete ID        delete a draft\n\n"
	      "Mail goes out through `depesche serve` or `depesche mail run`.\n",
	      f);
}

/* Reads all of stdin, at most BODY_MAX bytes, as UTF-8 text. */
static int read_body(char **ret)
{
	struct buf b = BUF_INIT(BODY_MAX);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (buf_add(&b, chunk, n))
			break;
	int rc = buf_error(&b);
	if (rc == DP_ETOOBIG || ferror(stdin) || rc) {
		buf_release(&b);
		return rc == DP_ETOOBIG ? cli_fail("the body is larger than %u bytes", BODY_MAX)
					: cli_fail("cannot read the body from stdin");
	}
	const char *s = buf_cstr(&b);
	if (memchr(s, '\0', b.len) || !utf8_valid(s, b.len)) {
		buf_release(&b);
		return cli_fail("the body is not UTF-8 text");
	}
	*ret = buf_take(&b, NULL);
	return *ret ? EXIT_OK : cli_fail("out of memory");
}

/* "a, b,c" → "a b c" after checking each is the slug of a tag. */
static int parse_topics(struct store *st, const char *in, char **ret)
{
	char *copy = strdup(in), *save = NULL;
	struct buf out = BUF_INIT(TOPICS_TEXT_MAX);
	int r = EXIT_OK;
	size_t n = 0;
	if (!copy)
		return cli_fail("out of memory");
	for (char *t = strtok_r(copy, ", ", &save); t && !r; t = strtok_r(NULL, ", ", &save)) {
		struct term term = { 0 };
		int rc = store_term_by_slug(st, TERM_TAG, t, &term);
		term_release(&term);
		if (rc == DP_ENOTFOUND)
			r = cli_fail("there is no tag '%s' (topics are tag slugs)", t);
		else if (rc)
			r = cli_fail("cannot read tags: %s", dp_strerror(rc));
		else if (++n > SUB_TOPICS_MAX)
			r = cli_fail("at most %d topics", SUB_TOPICS_MAX);
		else
			buf_printf(&out, "%s%s", out.len ? " " : "", t);
	}
	free(copy);
	if (!r && buf_error(&out))
		r = cli_fail("the topics are too long");
	if (r) {
		buf_release(&out);
		return r;
	}
	*ret = buf_take(&out, NULL);
	return *ret ? EXIT_OK : cli_fail("out of memory");
}

static int parse_id(const char *s, int64_t *ret)
{
	*ret = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v <= 0)
		return cli_fail("'%s' is not an issue id", s);
	*ret = v;
	return EXIT_OK;
}

static int get_issue(struct store *st, const char *arg, struct newsletter *ret)
{
	int64_t id = 0;
	if (parse_id(arg, &id))
		return EXIT_ERR;
	int rc = store_newsletter_get(st, id, ret);
	if (rc == DP_ENOTFOUND)
		return cli_fail("there is no newsletter issue %" PRId64, id);
	if (rc)
		return cli_fail("cannot read the issue: %s", dp_strerror(rc));
	return EXIT_OK;
}

static int cmd_create(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	int64_t now = env->now;
	static const struct option lo[] = {
		{ "subject", required_argument, NULL, 's' },
		{ "topics", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ 0 }
	};
	const char *subject = NULL, *topics = "", *by = "cli";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': subject = optarg; break;
		case 't': topics = optarg; break;
		case 'b': by = optarg; break;
		default: return cli_bad_option(argv);
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!subject || !*subject) {
		cli_fail("a subject is needed (--subject)");
		return EXIT_USAGE;
	}
	size_t sl = strlen(subject);
	if (!utf8_valid(subject, sl) || utf8_len(subject) > SUBJECT_MAX ||
	    utf8_has_control(subject, ""))
		return cli_fail("the subject must be one line of at most %d characters", SUBJECT_MAX);
	struct newsletter nl = { 0 };
	int r = parse_topics(st, topics, &nl.topics);
	if (!r)
		r = read_body(&nl.body_md);
	if (!r) {
		nl.subject = strdup(subject);
		nl.created_by = strdup(by);
		int rc = nl.subject && nl.created_by ? store_newsletter_save(st, &nl, now) : DP_ENOMEM;
		if (rc)
			r = cli_fail("cannot save the issue: %s", dp_strerror(rc));
		else
			printf("%" PRId64 "\n", nl.id);
	}
	newsletter_release(&nl);
	return r;
}

static void figures(struct store *st, const struct newsletter *nl, size_t c[OUTBOX_STATUS__MAX])
{
	memset(c, 0, sizeof(size_t) * OUTBOX_STATUS__MAX);
	if (nl->status != NEWSLETTER_DRAFT)
		store_outbox_counts_for(st, nl->id, c);
}

static int cmd_list(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	if (argc != 1) {
		cli_fail("list takes no arguments");
		return EXIT_USAGE;
	}
	(void)argv;
	size_t offset = 0, total = 0;
	printf("%-6s %-8s %8s %8s %8s  %s\n", "ID", "STATUS", "QUEUED", "SENT", "FAILED", "SUBJECT");
	for (;;) {
		struct newsletter *l = NULL;
		size_t n = 0, c[OUTBOX_STATUS__MAX];
		int rc = store_newsletters(st, offset, 100, &l, &n, &total);
		if (rc)
			return cli_fail("cannot list issues: %s", dp_strerror(rc));
		for (size_t i = 0; i < n; i++) {
			figures(st, &l[i], c);
			printf("%-6" PRId64 " %-8s %8zu %8zu %8zu  %s\n", l[i].id,
			       newsletter_status_name(l[i].status), l[i].queued, c[OUTBOX_SENT],
			       c[OUTBOX_FAILED], l[i].subject);
		}
		newsletters_free(l, n);
		offset += n;
		if (n == 0 || offset >= total)
			return EXIT_OK;
	}
}

static void print_time(const char *label, int64_t t)
{
	char when[40] = "-";
	if (t)
		time_fmt_iso_utc(when, sizeof when, t);
	printf("%-10s %s\n", label, when);
}

static int cmd_show(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	if (argc != 2) {
		cli_fail("usage: depesche newsletter show ID");
		return EXIT_USAGE;
	}
	struct newsletter nl = { 0 };
	if (get_issue(st, argv[1], &nl))
		return EXIT_ERR;
	size_t c[OUTBOX_STATUS__MAX];
	figures(st, &nl, c);
	printf("id         %" PRId64 "\nstatus     %s\nsubject    %s\ntopics     %s\nby         %s\n",
	       nl.id, newsletter_status_name(nl.status), nl.subject, *nl.topics ? nl.topics : "(all)",
	       nl.created_by);
	print_time("created", nl.created_at);
	print_time("started", nl.started_at);
	print_time("finished", nl.finished_at);
	printf("queued     %zu\nsent       %zu\nfailed     %zu\nwaiting    %zu\n\n%s\n", nl.queued,
	       c[OUTBOX_SENT], c[OUTBOX_FAILED], c[OUTBOX_QUEUED] + c[OUTBOX_SENDING], nl.body_md);
	newsletter_release(&nl);
	return EXIT_OK;
}

static int cmd_send(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	int64_t now = env->now;
	if (argc != 2) {
		cli_fail("usage: depesche newsletter send ID");
		return EXIT_USAGE;
	}
	struct newsletter nl = { 0 };
	if (get_issue(st, argv[1], &nl))
		return EXIT_ERR;
	int rc = store_newsletter_start(st, nl.id, now);
	int r = EXIT_OK;
	if (rc == DP_EBUSY)
		r = cli_fail("issue %" PRId64 " is %s already; only a draft can be sent", nl.id,
			     newsletter_status_name(nl.status));
	else if (rc)
		r = cli_fail("cannot start sending: %s", dp_strerror(rc));
	else
		printf("issue %" PRId64 " is being sent; follow it with "
		       "'depesche newsletter show %" PRId64 "'\n", nl.id, nl.id);
	newsletter_release(&nl);
	return r;
}

static int cmd_delete(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	if (argc != 2) {
		cli_fail("usage: depesche newsletter delete ID");
		return EXIT_USAGE;
	}
	struct newsletter nl = { 0 };
	if (get_issue(st, argv[1], &nl))
		return EXIT_ERR;
	int rc = store_newsletter_delete(st, nl.id);
	int r = rc == DP_EBUSY ? cli_fail("issue %" PRId64 " was sent; it stays on record", nl.id)
		: rc ? cli_fail("cannot delete the issue: %s", dp_strerror(rc))
		     : EXIT_OK;
	newsletter_release(&nl);
	return r;
}

int cli_newsletter(int argc, char **argv, const char *data_dir)
{
	static const struct cli_cmd cmds[] = {
		{ "create", cmd_create },
		{ "list", cmd_list },
		{ "show", cmd_show },
		{ "send", cmd_send },
		{ "delete", cmd_delete },
		{ NULL, NULL },
	};
	return cli_dispatch("newsletter", cmds, help, argc, argv, data_dir);
}
