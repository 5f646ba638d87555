/* moderation.c — `depesche moderation`: try the comment triage on old
 * comments, and measure it (bench/triage.sh). Works without a site. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "moderation/triage.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"

#define LINE_MAX_BYTES ((size_t)1 << 20)
#define MODEL_MAX_BYTES ((size_t)256 << 20)

static void help(FILE *f)
{
	fputs("usage: depesche moderation score [--lang de|en] [--model FILE | --no-model] [--scores]\n"
	      "       depesche moderation learn --model FILE\n\n"
	      "score  reads JSON Lines on stdin, one comment each:\n"
	      "         {\"title\": ..., \"body\": ..., \"comment\": ...}\n"
	      "       optional keys: lang, author_name, author_email, honeypot (bool),\n"
	      "       fill_seconds, duplicates, client_ip, blocklist (array of strings);\n"
	      "       others are ignored. Writes one JSON line per input line:\n"
	      "         {\"verdict\": \"ok|offtopic|demeaning|spam\", \"score\": 0..1, \"reasons\": [...]}\n"
	      "       or {\"error\": ...} for a line it cannot read (exit status 1 at the end).\n"
	      "learn  reads JSON Lines {\"comment\": ..., \"label\": \"ok|offtopic|demeaning|spam\"}\n"
	      "       and adds them to the learned model in FILE (created when missing).\n\n"
	      "  --lang de|en   language of the stemmer and of the reasons (default: the\n"
	      "                 site's language if there is a site, else de)\n"
	      "  --model FILE   the learned part, as written by 'learn' (default: the\n"
	      "                 site's model when there is a site, else none)\n"
	      "  --no-model     the rules alone, even when the site has learned\n"
	      "  --scores       also print the score of every label\n\n"
	      "Nothing leaves this machine; no site is needed.\n",
	      f);
}

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			if (cap >= max) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int load_model(const char *path, int missing_ok, struct triage_model **ret)
{
	char *json = read_file(path, MODEL_MAX_BYTES);
	if (!json) {
		if (missing_ok && errno == ENOENT)
			return triage_model_new(ret) ? cli_fail("out of memory") : EXIT_OK;
		return cli_fail("cannot read the model %s: %s", path, strerror(errno));
	}
	int rc = triage_model_load(json, ret);
	free(json);
	if (rc)
		return cli_fail("%s is not a triage model: %s", path, dp_strerror(rc));
	return EXIT_OK;
}

static int save_model(const char *path, const struct triage_model *m)
{
	char *json = NULL, tmp[4096];
	if (triage_model_save(m, &json))
		return cli_fail("out of memory");
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		free(json);
		return cli_fail("path too long: %s", path);
	}
	FILE *f = fopen(tmp, "wb");
	int ok = f && fputs(json, f) >= 0 && fputc('\n', f) != EOF;
	if (f && fclose(f))
		ok = 0;
	free(json);
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return cli_fail("cannot write %s: %s", path, strerror(errno));
	}
	return EXIT_OK;
}

/* The site's language and learned model, when DIR holds a site; silent when
 * it does not (scoring needs no site). */
static void site_defaults(const char *data_dir, char *lang, size_t langlen, struct triage_model **ret_model)
{
	struct site site;
	char err[256];
	if (site_load(site_dir_default(data_dir), &site, err, sizeof err) != DP_OK)
		return;
	if (lang && site.lang)
		snprintf(lang, langlen, "%s", site.lang);
	char *path = ret_model ? site_db_path(&site) : NULL;
	struct store *st = NULL;
	char *json = NULL;
	if (path && access(path, R_OK) == 0 && cli_store_open(path, 0, &st) == DP_OK &&
	    store_kv_get(st, "triage_model", &json) == DP_OK)
		triage_model_load(json, ret_model);
	free(json);
	store_close(st);
	free(path);
	site_release(&site);
}

/* A string member, NULL when absent; *bad when present but not a string. */
static const char *get_str(json_t *o, const char *key, int *bad)
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

static int get_int(json_t *o, const char *key, int def, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000000000) {
		*bad = 1;
		return def;
	}
	return (int)json_integer_value(v);
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(3));
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

static void print_error(size_t lineno, const char *what)
{
	char msg[128];
	snprintf(msg, sizeof msg, "line %zu: %s", lineno, what);
	json_t *o = json_pack("{s:s}", "error", msg);
	if (o)
		print_json(o);
	json_decref(o);
}

/* Scores one parsed line; returns a message for a line it cannot use. */
static const char *score_line(json_t *o, const char *lang, const struct triage_model *model, int scores)
{
	static const char *const nothing[1] = { NULL };
	int bad = 0;
	struct triage_input in = { .fill_seconds = -1 };
	in.title = get_str(o, "title", &bad);
	in.body = get_str(o, "body", &bad);
	in.comment = get_str(o, "comment", &bad);
	in.lang = get_str(o, "lang", &bad);
	in.author_name = get_str(o, "author_name", &bad);
	in.author_email = get_str(o, "author_email", &bad);
	in.client_ip = get_str(o, "client_ip", &bad);
	in.fill_seconds = get_int(o, "fill_seconds", -1, &bad);
	in.duplicates = get_int(o, "duplicates", 0, &bad);
	json_t *hp = json_object_get(o, "honeypot");
	in.honeypot_filled = json_is_true(hp) || (json_is_string(hp) && *json_string_value(hp)) ||
			     (json_is_integer(hp) && json_integer_value(hp) != 0);
	if (bad)
		return "a member has the wrong type";
	if (!in.comment)
		return "no \"comment\"";
	if (!in.lang)
		in.lang = lang;
	json_t *bl = json_object_get(o, "blocklist");
	const char **list = NULL;
	if (json_is_array(bl) && json_array_size(bl)) {
		list = calloc(json_array_size(bl), sizeof *list);
		if (!list)
			return "out of memory";
		for (size_t i = 0; i < json_array_size(bl); i++) {
			const char *s = json_string_value(json_array_get(bl, i));
			if (s)
				list[in.nblocklist++] = s;
		}
	}
	in.blocklist = list ? list : nothing;
	struct triage_result r;
	int rc = triage_score(model, &in, &r);
	free(list);
	if (rc)
		return dp_strerror(rc);
	json_t *out = json_object(), *reasons = json_array();
	if (!out || !reasons) {
		json_decref(out);
		json_decref(reasons);
		return "out of memory";
	}
	json_object_set_new(out, "verdict", json_string(triage_verdict_name(r.verdict)));
	json_object_set_new(out, "score", json_real(r.score));
	for (size_t i = 0; i < r.nreasons; i++)
		json_array_append_new(reasons, json_string(r.reasons[i]));
	json_object_set_new(out, "reasons", reasons);
	if (scores) {
		json_t *sc = json_object();
		for (int l = 0; sc && l < TRIAGE__MAX; l++)
			json_object_set_new(sc, triage_verdict_name(l), json_real(r.scores[l]));
		json_object_set_new(out, "scores", sc);
	}
	print_json(out);
	json_decref(out);
	return NULL;
}

/* Calls fn on every JSON object of stdin; returns the number of bad lines or
 * -1 when stdin fails. */
static long each_line(const char *(*fn)(json_t *, void *), void *arg)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	long bad = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		const char *err = NULL;
		json_t *o = NULL;
		if ((size_t)n > LINE_MAX_BYTES)
			err = "line longer than 1 MiB";
		else if (!(o = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, NULL)) || !json_is_object(o))
			err = "not a JSON object (or not valid JSON)";
		else
			err = fn(o, arg);
		json_decref(o);
		if (err) {
			print_error(lineno, err);
			bad++;
		}
	}
	int failed = ferror(stdin);
	free(line);
	return failed ? -1 : bad;
}

struct score_args {
	const char *lang;
	const struct triage_model *model;
	int scores;
};

static const char *score_cb(json_t *o, void *arg)
{
	struct score_args *a = arg;
	return score_line(o, a->lang, a->model, a->scores);
}

struct learn_args {
	struct triage_model *model;
	long n;
};

static const char *learn_cb(json_t *o, void *arg)
{
	struct learn_args *a = arg;
	const char *comment = json_string_value(json_object_get(o, "comment"));
	int label = triage_verdict_parse(json_string_value(json_object_get(o, "label")));
	if (!comment || label < 0)
		return "needs \"comment\" and \"label\" (ok, offtopic, demeaning, spam)";
	if (triage_model_learn(a->model, comment, (enum triage_verdict)label))
		return "out of memory";
	a->n++;
	return NULL;
}

int cli_moderation(int argc, char **argv, const char *data_dir)
{
	static const struct option opts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "model", required_argument, NULL, 'm' },
		{ "scores", no_argument, NULL, 's' },
		{ "no-model", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *lang = NULL, *model_path = NULL;
	int scores = 0, no_model = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lang = optarg; break;
		case 'm': model_path = optarg; break;
		case 's': scores = 1; break;
		case 'n': no_model = 1; break;
		case 'h': help(stdout); return EXIT_OK;
		default: cli_bad_option(argv); help(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[optind++];
	/* Options may also follow the subcommand. */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lang = optarg; break;
		case 'm': model_path = optarg; break;
		case 's': scores = 1; break;
		case 'n': no_model = 1; break;
		case 'h': help(stdout); return EXIT_OK;
		default: cli_bad_option(argv); help(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (lang && strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0) {
		fprintf(stderr, "depesche: --lang must be de or en\n");
		return EXIT_USAGE;
	}

	struct triage_model *model = NULL;
	int status;
	long bad;
	if (strcmp(sub, "score") == 0) {
		char site_lang[8] = "de";
		if (model_path && (status = load_model(model_path, 0, &model)))
			return status;
		site_defaults(data_dir, lang ? NULL : site_lang, sizeof site_lang,
			      model_path || no_model ? NULL : &model);
		struct score_args a = { lang ? lang : site_lang, model, scores };
		bad = each_line(score_cb, &a);
	} else if (strcmp(sub, "learn") == 0) {
		if (!model_path) {
			fprintf(stderr, "depesche: moderation learn needs --model FILE\n");
			return EXIT_USAGE;
		}
		if ((status = load_model(model_path, 1, &model)))
			return status;
		struct learn_args a = { model, 0 };
		bad = each_line(learn_cb, &a);
		if (bad >= 0 && (status = save_model(model_path, model))) {
			triage_model_free(model);
			return status;
		}
		if (bad >= 0)
			printf("learned %ld\n", a.n);
	} else {
		fprintf(stderr, "depesche: unknown moderation command '%s'\n", sub);
		help(stderr);
		return EXIT_USAGE;
	}
	triage_model_free(model);
	if (fflush(stdout))
		return cli_fail("cannot write the output: %s", strerror(errno));
	if (bad < 0)
		return cli_fail("cannot read stdin: %s", strerror(errno));
	if (bad > 0)
		return cli_fail("%ld line(s) could not be read", bad);
	return EXIT_OK;
}
