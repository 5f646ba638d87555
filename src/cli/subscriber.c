/* subscriber.c — `depesche subscriber`: the newsletter's subscribers from
 * the command line (store.h, "newsletter subscribers"): list them, show one
 * with its consent records, add or import people who consented elsewhere,
 * and erase one on request.
 *
 * People added here skip the confirmation mail, so every add and import
 * needs --note: where and how they consented ("sign-up list at the fair,
 * 2026-03-04"). It is kept as the wording of their consent record, with
 * version "import", so the proof stays on file like that of a web sign-up.
 *
 * The import is all or nothing: every line is checked (all errors are
 * reported with their line numbers) and the subscribers are added in one
 * transaction, which is rolled back at the first problem. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "mail/message.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define EMAIL_MAX 254        /* bytes of an address (RFC 5321 path less <>) */
#define NOTE_MAX 1000        /* characters of a --note */
#define TOPIC_MAX 200        /* bytes of a topic (a tag slug) */
#define LINE_MAX_BYTES 16384 /* one import line: an address and 50 topics fit */
#define ERRORS_SHOWN 20      /* an import reports at most this many bad lines */
#define PAGE 500             /* subscribers per store call when listing */

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] subscriber COMMAND ...\n\n"
	      "  list [--status pending|confirmed|unsubscribed] [--search TEXT] [--json]\n"
	      "                   every subscriber, newest first (--search: part of the\n"
	      "                   address, any case)\n"
	      "  show EMAIL [--json]\n"
	      "                   one subscriber: state, topics and consent records\n"
	      "  add EMAIL --note TEXT [--topics a,b] [--no-newsletter]\n"
	      "      [--frequency immediate|daily|weekly]\n"
	      "                   add one person who consented elsewhere, confirmed at once\n"
	      "  import FILE|- --note TEXT [--no-newsletter]\n"
	      "                   add many from CSV lines: email[,topics[,frequency]]\n"
	      "                   (topics separated by spaces; a header line and blank\n"
	      "                   lines are skipped); all or nothing\n"
	      "  delete EMAIL     erase the subscriber with all their records\n\n"
	      "Topics are tag slugs (a-z, 0-9, '-'), at most 50. --note says where and\n"
	      "when the people consented; it is kept as their consent record. Added\n"
	      "subscribers get the newsletter unless --no-newsletter is given, and topic\n"
	      "alerts at once unless --frequency (or the third CSV column) says otherwise.\n",
	      f);
}

/* ---- checks of what the operator typed ---- */

static bool topic_valid(const char *t, size_t n)
{
	if (n < 1 || n > TOPIC_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
			return false;
	return true;
}

/* NULL when addr is an address we can store, else why not (static text). */
static const char *email_problem(const char *addr)
{
	if (!*addr)
		return "an e-mail address is needed";
	if (strlen(addr) > EMAIL_MAX || !mail_address_valid(addr))
		return "is not an e-mail address (local@domain)";
	return NULL;
}

struct topics {
	char *buf;    /* a copy of the list, cut into the words */
	char **items; /* n words in buf */
	size_t n;
};

static void topics_release(struct topics *t)
{
	free(t->buf);
	free(t->items);
	memset(t, 0, sizeof *t);
}

/* Splits list at commas and white space into t. NULL (static text) when
 * every word is a topic and there are at most SUB_TOPICS_MAX distinct ones;
 * else the problem, with the bad word in bad[badlen]. */
static const char *topics_parse(const char *list, struct topics *t, char *bad, size_t badlen)
{
	char *save = NULL;
	size_t cap = 0, distinct = 0;
	memset(t, 0, sizeof *t);
	bad[0] = '\0';
	if (!list || !(t->buf = strdup(list)))
		return list ? "out of memory" : NULL;
	for (char *w = strtok_r(t->buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		size_t wn = strlen(w);
		bool dup = false;
		if (!topic_valid(w, wn)) {
			snprintf(bad, badlen, "%.*s", wn > 60 ? 60 : (int)wn, w);
			return "is not a topic (topics are tag slugs: a-z, 0-9 and '-')";
		}
		for (size_t i = 0; i < t->n && !dup; i++)
			dup = strcmp(t->items[i], w) == 0;
		if (!dup && ++distinct > SUB_TOPICS_MAX)
			return "too many topics (at most 50)";
		if (t->n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			char **p = realloc(t->items, ncap * sizeof *p);
			if (!p)
				return "out of memory";
			t->items = p;
			cap = ncap;
		}
		t->items[t->n++] = w;
	}
	return NULL;
}

static int note_ok(const char *note)
{
	if (!note || !*note)
		return cli_fail("--note is required: say where and when these people consented");
	if (!utf8_valid(note, strlen(note)) || utf8_has_control(note, "") ||
	    utf8_len(note) > NOTE_MAX)
		return cli_fail("--note must be one line of at most %d characters", NOTE_MAX);
	return EXIT_OK;
}

/* ---- output ---- */

static void fmt_time(char *out, size_t len, int64_t t)
{
	if (t)
		time_fmt_iso_utc(out, len, t);
	else
		snprintf(out, len, "-");
}

static json_t *time_json(int64_t t)
{
	char when[40];
	if (!t)
		return json_null();
	time_fmt_iso_utc(when, sizeof when, t);
	return json_string(when);
}

static json_t *sub_json(const struct subscriber *sub)
{
	json_t *o = json_object(), *topics = json_array();
	if (!o || !topics) {
		json_decref(o);
		json_decref(topics);
		return NULL;
	}
	for (size_t i = 0; i < sub->ntopics; i++)
		json_array_append_new(topics, json_string(sub->topics[i]));
	json_object_set_new(o, "id", json_integer(sub->id));
	json_object_set_new(o, "email", json_string(sub->email));
	json_object_set_new(o, "status", json_string(subscriber_status_name(sub->status)));
	json_object_set_new(o, "newsletter", json_boolean(sub->newsletter));
	json_object_set_new(o, "frequency", json_string(sub_frequency_name(sub->frequency)));
	json_object_set_new(o, "topics", topics);
	json_object_set_new(o, "created_at", time_json(sub->created_at));
	json_object_set_new(o, "confirmed_at", time_json(sub->confirmed_at));
	json_object_set_new(o, "unsubscribed_at", time_json(sub->unsubscribed_at));
	json_object_set_new(o, "last_digest_at", time_json(sub->last_digest_at));
	return o;
}

static json_t *consent_json(const struct consent *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "requested_at", time_json(c->requested_at));
	json_object_set_new(o, "request_ip", json_string(c->request_ip));
	json_object_set_new(o, "confirmed_at", time_json(c->confirmed_at));
	json_object_set_new(o, "confirm_ip", json_string(c->confirm_ip));
	json_object_set_new(o, "expires_at", time_json(c->expires_at));
	json_object_set_new(o, "version", json_string(c->version));
	json_object_set_new(o, "topics", json_string(c->topics));
	json_object_set_new(o, "newsletter", json_boolean(c->newsletter));
	json_object_set_new(o, "wording", json_string(c->wording));
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

static void print_topics(const struct subscriber *sub)
{
	for (size_t i = 0; i < sub->ntopics; i++)
		printf("%s%s", i ? " " : "", sub->topics[i]);
}

/* ---- the commands ---- */

static int cmd_list(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	static const struct option lo[] = {
		{ "status", required_argument, NULL, 's' },
		{ "search", required_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct subscriber_query q = { .status = -1, .limit = PAGE };
	bool as_json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			for (q.status = 0; q.status < SUB_STATUS__MAX; q.status++)
				if (strcmp(optarg, subscriber_status_name(q.status)) == 0)
					break;
			if (q.status == SUB_STATUS__MAX) {
				cli_fail("--status must be pending, confirmed or unsubscribed");
				return EXIT_USAGE;
			}
			break;
		case 'q': q.q = optarg; break;
		case 'j': as_json = true; break;
		default: return cli_bad_option(argv);
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (q.q && (strlen(q.q) > EMAIL_MAX || utf8_has_control(q.q, "")))
		return cli_fail("--search must be part of an address (at most %d bytes)", EMAIL_MAX);

	json_t *all = as_json ? json_array() : NULL;
	if (as_json && !all)
		return cli_fail("out of memory");
	size_t total = 0;
	for (;;) {
		struct subscriber *l = NULL;
		size_t n = 0;
		int rc = store_subscribers(st, &q, &l, &n, &total);
		if (rc) {
			json_decref(all);
			return cli_fail("cannot list the subscribers: %s", dp_strerror(rc));
		}
		for (size_t i = 0; i < n; i++) {
			if (as_json) {
				json_t *o = sub_json(&l[i]);
				if (!o || json_array_append_new(all, o)) {
					subscribers_free(l, n);
					json_decref(all);
					return cli_fail("out of memory");
				}
				continue;
			}
			printf("%-12s %-9s %-3s %s", subscriber_status_name(l[i].status),
			       sub_frequency_name(l[i].frequency), l[i].newsletter ? "nl" : "-",
			       l[i].email);
			if (l[i].ntopics)
				fputs("  ", stdout);
			print_topics(&l[i]);
			putchar('\n');
		}
		subscribers_free(l, n);
		q.offset += n;
		if (n == 0 || q.offset >= total)
			break;
	}
	return as_json ? print_json(all) : EXIT_OK;
}

/* The subscriber with address arg; an error message when there is none. */
static int find(struct store *st, const char *arg, struct subscriber *ret)
{
	int rc = store_subscriber_by_email(st, arg, ret);
	if (rc == DP_ENOTFOUND)
		return cli_fail("there is no subscriber '%s'", arg);
	if (rc)
		return cli_fail("cannot read the subscribers: %s", dp_strerror(rc));
	return EXIT_OK;
}

/* argv[1] is the one positional argument (an address); --json may follow
 * when json is not NULL. */
static int one_address(int argc, char **argv, const char *usage, bool *json, const char **ret)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c != 'j' || !json)
			return cli_bad_option(argv);
		*json = true;
	}
	if (argc - optind != 1) {
		cli_fail("usage: depesche subscriber %s", usage);
		return EXIT_USAGE;
	}
	*ret = argv[optind];
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	const char *addr = NULL;
	bool as_json = false;
	struct subscriber sub;
	struct consent *cs = NULL;
	size_t n = 0;
	char t1[40], t2[40];
	int r = one_address(argc, argv, "show EMAIL [--json]", &as_json, &addr);
	if (r)
		return r;
	if (find(st, addr, &sub))
		return EXIT_ERR;
	int rc = store_subscriber_consents(st, sub.id, &cs, &n);
	if (rc) {
		subscriber_release(&sub);
		return cli_fail("cannot read the consent records: %s", dp_strerror(rc));
	}
	if (as_json) {
		json_t *o = sub_json(&sub), *list = json_array();
		for (size_t i = 0; list && i < n; i++)
			json_array_append_new(list, consent_json(&cs[i]));
		if (o && list)
			json_object_set_new(o, "consents", list);
		else {
			json_decref(o);
			json_decref(list);
			o = NULL;
		}
		r = print_json(o);
	} else {
		printf("email         %s\nstatus        %s\nnewsletter    %s\nfrequency     %s\n"
		       "topics        ",
		       sub.email, subscriber_status_name(sub.status), sub.newsletter ? "yes" : "no",
		       sub_frequency_name(sub.frequency));
		if (sub.ntopics)
			print_topics(&sub);
		else
			fputs("-", stdout);
		fmt_time(t1, sizeof t1, sub.created_at);
		fmt_time(t2, sizeof t2, sub.confirmed_at);
		printf("\ncreated       %s\nconfirmed     %s\n", t1, t2);
		fmt_time(t1, sizeof t1, sub.unsubscribed_at);
		fmt_time(t2, sizeof t2, sub.last_digest_at);
		printf("unsubscribed  %s\nlast digest   %s\n\nconsent records: %zu\n", t1, t2, n);
		for (size_t i = 0; i < n; i++) {
			fmt_time(t1, sizeof t1, cs[i].requested_at);
			printf("\n%zu. requested   %s from %s\n", i + 1, t1,
			       *cs[i].request_ip ? cs[i].request_ip : "-");
			if (cs[i].confirmed_at) {
				fmt_time(t1, sizeof t1, cs[i].confirmed_at);
				printf("   confirmed   %s from %s\n", t1,
				       *cs[i].confirm_ip ? cs[i].confirm_ip : "-");
			} else {
				fmt_time(t1, sizeof t1, cs[i].expires_at);
				printf("   confirmed   not (the link expires %s)\n", t1);
			}
			printf("   asked for   %s%s%s\n   version     %s\n   wording     %s\n",
			       cs[i].newsletter ? "the newsletter" : "",
			       cs[i].newsletter && *cs[i].topics ? ", topics " :
			       *cs[i].topics ? "topics " : cs[i].newsletter ? "" : "-",
			       cs[i].topics, cs[i].version, cs[i].wording);
		}
	}
	consents_free(cs, n);
	subscriber_release(&sub);
	return r;
}

static int cmd_add(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	int64_t now = env->now;
	static const struct option lo[] = {
		{ "topics", required_argument, NULL, 't' },
		{ "no-newsletter", no_argument, NULL, 'n' },
		{ "frequency", required_argument, NULL, 'f' },
		{ "note", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *topics = NULL, *note = NULL, *problem;
	enum sub_frequency f = FREQ_IMMEDIATE;
	bool newsletter = true;
	struct topics t;
	char bad[64];
	int64_t id = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': topics = optarg; break;
		case 'n': newsletter = false; break;
		case 'o': note = optarg; break;
		case 'f':
			if (sub_frequency_parse(optarg, &f)) {
				cli_fail("--frequency must be immediate, daily or weekly");
				return EXIT_USAGE;
			}
			break;
		default: return cli_bad_option(argv);
		}
	}
	if (argc - optind != 1) {
		cli_fail("usage: depesche subscriber add EMAIL --note TEXT [--topics a,b] ...");
		return EXIT_USAGE;
	}
	const char *addr = argv[optind];
	if ((problem = email_problem(addr)))
		return cli_fail("'%s' %s", addr, problem);
	if (note_ok(note))
		return EXIT_ERR;
	if ((problem = topics_parse(topics, &t, bad, sizeof bad))) {
		topics_release(&t);
		return *bad ? cli_fail("'%s' %s", bad, problem) : cli_fail("%s", problem);
	}
	if (!newsletter && !t.n) {
		topics_release(&t);
		return cli_fail("nothing to send them: give --topics or leave out --no-newsletter");
	}
	int rc = store_subscriber_import(st, addr, (const char *const *)t.items, t.n, newsletter, f,
					 note, now, &id);
	topics_release(&t);
	if (rc == DP_EEXISTS)
		return cli_fail("'%s' is a subscriber already (see 'depesche subscriber show')", addr);
	if (rc)
		return cli_fail("cannot add the subscriber: %s", dp_strerror(rc));
	char object[40];
	snprintf(object, sizeof object, "subscriber %" PRId64, id);
	store_audit_add(st, "cli", "subscriber.add", object, "");
	printf("added %s\n", addr);
	return EXIT_OK;
}

/* Cuts line at commas into up to max fields (trimmed of blanks and of one
 * pair of surrounding double quotes); returns how many there were (more
 * than max: max + 1). */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		char *end = strchr(p, ',');
		if (end)
			*end = '\0';
		if (n == max)
			return max + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			p[--len] = '\0';
		if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
			p[len - 1] = '\0';
			p++;
		}
		fields[n++] = p;
		if (!end)
			return n;
		p = end + 1;
	}
}

struct import {
	struct store *st;
	const char *note;
	bool newsletter;
	int64_t now;
	int64_t first_id;  /* the first subscriber this import added (0: none yet) */
	size_t added, errors;
};

/* Reports a bad line (the first ERRORS_SHOWN of them). */
__attribute__((format(printf, 3, 4)))
static void line_error(struct import *im, size_t lineno, const char *fmt, ...)
{
	va_list ap;
	if (++im->errors > ERRORS_SHOWN)
		return;
	fprintf(stderr, "depesche: line %zu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The first field of a header line: a column name, not an address. */
static bool is_header(const char *field)
{
	static const char *const names[] = { "email", "e-mail", "mail", "address", "adresse",
					     "e-mail-adresse", "emailadresse", NULL };
	for (size_t i = 0; names[i]; i++)
		if (strcasecmp(field, names[i]) == 0)
			return true;
	return false;
}

/* One line of the import (without its line end); a header is skipped. */
static int import_line(struct import *im, char *line, size_t lineno)
{
	char *fields[3], bad[64];
	const char *problem;
	enum sub_frequency f = FREQ_IMMEDIATE;
	struct topics t;
	int64_t id = 0;

	if (!utf8_valid(line, strlen(line)) || utf8_has_control(line, "\t")) {
		line_error(im, lineno, "not a line of text");
		return DP_OK;
	}
	size_t n = split_fields(line, fields, 3);
	if (n == 1 && !*fields[0])
		return DP_OK; /* blank */
	if (n > 3) {
		line_error(im, lineno, "too many fields (email,topics,frequency)");
		return DP_OK;
	}
	/* "email,topics,frequency" or the like on the first line: a header. */
	if (lineno == 1 && is_header(fields[0]))
		return DP_OK;
	if ((problem = email_problem(fields[0]))) {
		line_error(im, lineno, "'%.60s' %s", fields[0], problem);
		return DP_OK;
	}
	if (n == 3 && *fields[2] && sub_frequency_parse(fields[2], &f)) {
		line_error(im, lineno, "'%.40s' is not a frequency (immediate, daily or weekly)",
			   fields[2]);
		return DP_OK;
	}
	if ((problem = topics_parse(n >= 2 ? fields[1] : NULL, &t, bad, sizeof bad))) {
		if (*bad)
			line_error(im, lineno, "'%s' %s", bad, problem);
		else
			line_error(im, lineno, "%s", problem);
		topics_release(&t);
		return DP_OK;
	}
	if (!im->newsletter && !t.n) {
		line_error(im, lineno, "no topics, and --no-newsletter: nothing to send");
		topics_release(&t);
		return DP_OK;
	}
	/* Lines after a bad one are still added (the transaction is rolled
	 * back in the end), so that a later line that repeats an address is
	 * found too. */
	int rc = store_subscriber_import(im->st, fields[0], (const char *const *)t.items, t.n,
					 im->newsletter, f, im->note, im->now, &id);
	topics_release(&t);
	if (rc == DP_EEXISTS) {
		struct subscriber sub;
		bool here = false;
		if (!store_subscriber_by_email(im->st, fields[0], &sub)) {
			here = im->first_id && sub.id >= im->first_id;
			subscriber_release(&sub);
		}
		if (here)
			line_error(im, lineno, "'%s' appears twice in the file", fields[0]);
		else
			line_error(im, lineno, "'%s' is a subscriber already", fields[0]);
		return DP_OK;
	}
	if (rc)
		return rc;
	if (!im->first_id)
		im->first_id = id;
	im->added++;
	return DP_OK;
}

static int cmd_import(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	int64_t now = env->now;
	static const struct option lo[] = {
		{ "note", required_argument, NULL, 'o' },
		{ "no-newsletter", no_argument, NULL, 'n' },
		{ 0 }
	};
	struct import im = { .st = st, .newsletter = true, .now = now };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': im.note = optarg; break;
		case 'n': im.newsletter = false; break;
		default: return cli_bad_option(argv);
		}
	}
	if (argc - optind != 1) {
		cli_fail("usage: depesche subscriber import FILE|- --note TEXT");
		return EXIT_USAGE;
	}
	const char *file = argv[optind];
	if (note_ok(im.note))
		return EXIT_ERR;
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (!in)
		return cli_fail("cannot open '%s': %s", file, strerror(errno));

	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = store_begin(st), r = EXIT_OK;
	if (rc) {
		r = cli_fail("cannot write to the database: %s", dp_strerror(rc));
		goto out;
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (len > LINE_MAX_BYTES) {
			line_error(&im, lineno, "the line is too long");
			continue;
		}
		if (memchr(line, '\0', (size_t)len)) {
			line_error(&im, lineno, "not a line of text");
			continue;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *p = line;
		if (lineno == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3; /* a byte order mark, as spreadsheets write */
		if ((rc = import_line(&im, p, lineno)))
			break;
	}
	if (!rc && ferror(in)) {
		r = cli_fail("cannot read '%s'", file);
	} else if (rc) {
		r = cli_fail("cannot add the subscriber of line %zu: %s", lineno, dp_strerror(rc));
	} else if (im.errors) {
		if (im.errors > ERRORS_SHOWN)
			fprintf(stderr, "depesche: ... and %zu more bad lines\n",
				im.errors - ERRORS_SHOWN);
		r = cli_fail("nothing imported: %zu bad line%s", im.errors, im.errors == 1 ? "" : "s");
	} else {
		char detail[40];
		snprintf(detail, sizeof detail, "%zu subscribers", im.added);
		if ((rc = store_audit_add(st, "cli", "subscriber.import", file, detail)) ||
		    (rc = store_commit(st)))
			r = cli_fail("cannot save the subscribers: %s", dp_strerror(rc));
		else
			printf("imported %zu\n", im.added);
	}
	if (r)
		store_rollback(st);
out:
	free(line);
	if (in != stdin)
		fclose(in);
	return r;
}

static int cmd_delete(int argc, char **argv, const struct cli_env *env)
{
	struct store *st = env->st;
	const char *addr = NULL;
	struct subscriber sub;
	int r = one_address(argc, argv, "delete EMAIL", NULL, &addr);
	if (r)
		return r;
	if (find(st, addr, &sub))
		return EXIT_ERR;
	int rc = store_subscriber_delete(st, sub.id);
	if (rc)
		r = cli_fail("cannot delete the subscriber: %s", dp_strerror(rc));
	else {
		/* The log names the record, not the address: it is erased. */
		char object[40];
		snprintf(object, sizeof object, "subscriber %" PRId64, sub.id);
		store_audit_add(st, "cli", "subscriber.delete", object, "");
		printf("deleted %s and all records of it\n", sub.email);
	}
	subscriber_release(&sub);
	return r;
}

int cli_subscriber(int argc, char **argv, const char *data_dir)
{
	static const struct cli_cmd cmds[] = {
		{ "list", cmd_list },
		{ "show", cmd_show },
		{ "add", cmd_add },
		{ "import", cmd_import },
		{ "delete", cmd_delete },
		{ NULL, NULL },
	};
	return cli_dispatch("subscriber", cmds, help, argc, argv, data_dir);
}
