/* box.c — `depesche box`: the site's boxes (store.h, "boxes") from the
 * command line, for operators and scripts (the demo's book tip and support
 * link); editors have the same in the admin (/admin/boxes). The store checks
 * every field (kinds, URLs, lengths), so a refused box is reported with the
 * rules rather than a guess at which one it broke. Every change goes to the
 * audit log as "cli". */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/err.h"

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] box COMMAND ...\n\n"
	      "  list [--json]    every box by place and order, hidden ones too\n"
	      "  add --kind KIND [--place sidebar|below|footer] [--title T] [--body TEXT]\n"
	      "      [--link-url URL] [--link-text T] [--image-url URL --image-alt T]\n"
	      "      [--author NAME] [--hidden]\n"
	      "                   a new box, last in its place; prints its id\n"
	      "  up ID | down ID  move it one place up or down within its place\n"
	      "  show ID | hide ID\n"
	      "  delete ID\n\n"
	      "Kinds the default theme knows: newsletter, book, support, jobs, links,\n"
	      "text (any other [a-z] word renders as a plain box). URLs are http(s)://\n"
	      "addresses or paths of the site (\"/subscribe/\"). An empty title, text or\n"
	      "link text takes the theme's words for the kind. --place defaults to\n"
	      "sidebar.\n",
	      f);
}

static int parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v = s && *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : 0;
	if (v <= 0 || *end) {
		cli_fail("not a box id: '%s'", s ? s : "");
		return EXIT_USAGE;
	}
	*ret = v;
	return EXIT_OK;
}

static int cmd_list(int argc, char **argv, const struct cli_env *env)
{
	bool as_json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 1 && !as_json) {
		cli_fail("unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	struct box *b = NULL;
	size_t n = 0;
	int rc = store_boxes(env->st, true, &b, &n);
	if (rc)
		return cli_fail("cannot list the boxes: %s", dp_strerror(rc));
	json_t *arr = as_json ? json_array() : NULL;
	if (!as_json)
		printf("%-5s %-8s %-4s %-7s %-11s %s\n", "ID", "PLACE", "POS", "SHOWN", "KIND", "TITLE");
	for (size_t i = 0; i < n; i++) {
		if (arr)
			json_array_append_new(
				arr, json_pack("{s:I, s:s, s:s, s:i, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
					       "id", (json_int_t)b[i].id, "kind", b[i].kind, "place",
					       box_place_name(b[i].place), "position", b[i].position,
					       "visible", b[i].visible, "title", b[i].title, "body",
					       b[i].body, "link_url", b[i].link_url, "link_text",
					       b[i].link_text, "image_url", b[i].image_url, "image_alt",
					       b[i].image_alt, "author", b[i].author));
		else
			printf("%-5" PRId64 " %-8s %-4d %-7s %-11s %s\n", b[i].id,
			       box_place_name(b[i].place), b[i].position, b[i].visible ? "yes" : "no",
			       b[i].kind, b[i].title);
	}
	boxes_free(b, n);
	if (arr) {
		char *text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(arr);
		if (!text)
			return cli_fail("out of memory");
		puts(text);
		free(text);
	}
	return EXIT_OK;
}

static int cmd_add(int argc, char **argv, const struct cli_env *env)
{
	static const struct option lo[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "place", required_argument, NULL, 'p' },
		{ "title", required_argument, NULL, 't' },
		{ "body", required_argument, NULL, 'b' },
		{ "link-url", required_argument, NULL, 'u' },
		{ "link-text", required_argument, NULL, 'l' },
		{ "image-url", required_argument, NULL, 'i' },
		{ "image-alt", required_argument, NULL, 'a' },
		{ "author", required_argument, NULL, 'A' },
		{ "hidden", no_argument, NULL, 'h' },
		{ 0 }
	};
	char empty[] = "";
	struct box b = { .place = BOX_SIDEBAR, .visible = true, .kind = NULL, .title = empty,
			 .body = empty, .link_url = empty, .link_text = empty,
			 .image_url = empty, .image_alt = empty, .author = empty };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'k': b.kind = optarg; break;
		case 'p':
			if (box_place_parse(optarg, &b.place)) {
				cli_fail("--place is sidebar, below or footer, not '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't': b.title = optarg; break;
		case 'b': b.body = optarg; break;
		case 'u': b.link_url = optarg; break;
		case 'l': b.link_text = optarg; break;
		case 'i': b.image_url = optarg; break;
		case 'a': b.image_alt = optarg; break;
		case 'A': b.author = optarg; break;
		case 'h': b.visible = false; break;
		default: return cli_bad_option(argv);
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!b.kind || !*b.kind) {
		cli_fail("a kind is needed (--kind book, support, newsletter, jobs, links, text)");
		return EXIT_USAGE;
	}
	int rc = store_box_save(env->st, &b, env->now);
	if (rc == DP_EINVAL)
		return cli_fail("the box was refused: the kind is a word of a-z (at most %d letters);"
				" URLs are http(s):// addresses or paths of the site; an image needs"
				" --image-alt; texts are one line (the body may have several) and not"
				" too long; a site has at most 100 boxes",
				BOX_KIND_MAX);
	if (rc)
		return cli_fail("cannot save the box: %s", dp_strerror(rc));
	char object[32];
	snprintf(object, sizeof object, "box %" PRId64, b.id);
	store_audit_add(env->st, "cli", "box.create", object, b.kind);
	printf("%" PRId64 "\n", b.id);
	return EXIT_OK;
}

/* up, down, show, hide, delete: one id, one change. */
static int cmd_change(int argc, char **argv, const struct cli_env *env)
{
	const char *verb = argv[0];
	int64_t id;
	if (argc != 2) {
		cli_fail("%s takes one box id", verb);
		return EXIT_USAGE;
	}
	int r = parse_id(argv[1], &id);
	if (r)
		return r;
	int rc;
	if (strcmp(verb, "up") == 0 || strcmp(verb, "down") == 0) {
		rc = store_box_move(env->st, id, verb[0] == 'u' ? -1 : 1, env->now, NULL);
	} else if (strcmp(verb, "delete") == 0) {
		rc = store_box_delete(env->st, id);
	} else {
		struct box b = { 0 };
		rc = store_box_get(env->st, id, &b);
		if (!rc) {
			b.visible = strcmp(verb, "show") == 0;
			rc = store_box_save(env->st, &b, env->now);
		}
		box_release(&b);
	}
	if (rc == DP_ENOTFOUND)
		return cli_fail("no box %" PRId64, id);
	if (rc)
		return cli_fail("cannot %s box %" PRId64 ": %s", verb, id, dp_strerror(rc));
	char object[32], action[32];
	snprintf(object, sizeof object, "box %" PRId64, id);
	snprintf(action, sizeof action, "box.%s", verb);
	store_audit_add(env->st, "cli", action, object, "");
	return EXIT_OK;
}

int cli_box(int argc, char **argv, const char *data_dir)
{
	static const struct cli_cmd cmds[] = {
		{ "list", cmd_list },
		{ "add", cmd_add },
		{ "up", cmd_change },
		{ "down", cmd_change },
		{ "show", cmd_change },
		{ "hide", cmd_change },
		{ "delete", cmd_change },
		{ NULL, NULL },
	};
	return cli_dispatch("box", cmds, help, argc, argv, data_dir);
}
