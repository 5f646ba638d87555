/* user.c — `depesche user` (accounts for the admin) and `depesche token`
 * (bearer tokens for the JSON API). Passwords come on stdin only, never as
 * arguments (they would show in the process list and shell history). A
 * user may have an e-mail address for mail to the newsroom (moderation
 * notices); it is checked as an addr-spec. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli/cli.h"
#include "http/auth.h"
#include "mail/message.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/utf8.h"

static void user_help(FILE *f)
{
	fputs("usage: depesche [--data DIR] user COMMAND ...\n\n"
	      "  add --name N --role admin|editor|author|moderator --password-stdin\n"
	      "      [--email ADDR]\n"
	      "  list                     role, name and e-mail address of every user\n"
	      "  passwd --name N --password-stdin\n"
	      "  email NAME ADDR          set the user's e-mail address (\"\" removes it)\n"
	      "  email --name N ADDR      the same\n"
	      "  delete --name N\n\n"
	      "The password (at least 10 characters) is read from the first line of stdin\n"
	      "and stored as an argon2id hash. An author's name is also their byline.\n"
	      "The e-mail address (local@domain) gets the newsroom's mail, such as the\n"
	      "notices about comments waiting for moderation.\n",
	      f);
}

static void token_help(FILE *f)
{
	fputs("usage: depesche [--data DIR] token COMMAND ...\n\n"
	      "  add --name N --role admin|editor|author|moderator\n"
	      "        prints the new token as the last line; only its hash is stored,\n"
	      "        so keep it now: it cannot be shown again\n"
	      "  list\n"
	      "  delete --name N\n\n"
	      "Use it as \"Authorization: Bearer TOKEN\" with /api/v1/.\n",
	      f);
}

static int open_site(const char *data_dir, struct site *site, struct store **st)
{
	if (cli_site_open(data_dir, site))
		return EXIT_ERR;
	char *path = site_db_path(site);
	int rc = path ? cli_store_open(path, 0, st) : DP_ENOMEM;
	free(path);
	if (rc) {
		site_release(site);
		return cli_fail("cannot open the database: %s", dp_strerror(rc));
	}
	return EXIT_OK;
}

static int read_password(char *out, size_t outlen)
{
	if (!fgets(out, (int)outlen, stdin))
		return cli_fail("no password on stdin");
	size_t n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outlen - 1)
		return cli_fail("the password is longer than %d bytes", AUTH_PASSWORD_MAX);
	out[n] = '\0';
	if (!utf8_valid(out, n) || utf8_len(out) < AUTH_PASSWORD_MIN)
		return cli_fail("the password needs at least %d characters", AUTH_PASSWORD_MIN);
	return EXIT_OK;
}

static int name_ok(const char *name)
{
	if (!name || !*name)
		return cli_fail("--name is required");
	if (!utf8_valid(name, strlen(name)) || utf8_has_control(name, "") || utf8_len(name) > 100)
		return cli_fail("--name must be 1 to 100 characters of text");
	return EXIT_OK;
}

struct opts {
	const char *name, *role, *email;
	int password_stdin;
	char **args;   /* positional arguments (only `user email` takes them) */
	int nargs;
};

static int parse(int argc, char **argv, struct opts *o, void (*help)(FILE *))
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "email", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->name = optarg; break;
		case 'r': o->role = optarg; break;
		case 'p': o->password_stdin = 1; break;
		case 'e': o->email = optarg; break;
		case 'h': help(stdout); return 1;
		default: cli_bad_option(argv); help(stderr); return -1;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

/* The arguments of `user email`: NAME ADDR, or ADDR after --name. */
static int email_args(struct opts *o)
{
	if (o->email)
		return cli_fail("give the address as an argument: user email NAME ADDR");
	if (!o->name && o->nargs == 2) {
		o->name = o->args[0];
		o->email = o->args[1];
	} else if (o->name && o->nargs == 1) {
		o->email = o->args[0];
	} else {
		return cli_fail("usage: depesche user email NAME ADDR");
	}
	return EXIT_OK;
}

/* An address for a user: "" (none) or an addr-spec. */
static int email_ok(const char *addr)
{
	if (*addr && (strlen(addr) > 254 || !mail_address_valid(addr)))
		return cli_fail("'%s' is not an e-mail address (local@domain)", addr);
	return EXIT_OK;
}

int cli_user(int argc, char **argv, const char *data_dir)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		user_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *cmd = argv[1];
	struct opts o = { 0 };
	int p = parse(argc - 1, argv + 1, &o, user_help);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	if (strcmp(cmd, "add") && strcmp(cmd, "list") && strcmp(cmd, "passwd") &&
	    strcmp(cmd, "delete") && strcmp(cmd, "email")) {
		cli_fail("unknown user command '%s'", cmd);
		user_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "email") == 0) {
		if (email_args(&o)) {
			user_help(stderr);
			return EXIT_USAGE;
		}
	} else if (o.nargs > 0) {
		cli_fail("unexpected argument '%s'", o.args[0]);
		return EXIT_USAGE;
	} else if (o.email && strcmp(cmd, "add") != 0) {
		cli_fail("--email goes with 'user add'; to change an address use 'user email'");
		return EXIT_USAGE;
	}
	enum role role = ROLE_AUTHOR;
	char pw[AUTH_PASSWORD_MAX + 2], hash[256];
	if (strcmp(cmd, "list") != 0 && name_ok(o.name))
		return EXIT_ERR;
	if (o.email && email_ok(o.email))
		return EXIT_ERR;
	if (strcmp(cmd, "add") == 0 && (!o.role || role_parse(o.role, &role)))
		return cli_fail("--role must be admin, editor, author or moderator");
	if ((strcmp(cmd, "add") == 0 || strcmp(cmd, "passwd") == 0)) {
		if (!o.password_stdin)
			return cli_fail("give the password on stdin with --password-stdin");
		if (read_password(pw, sizeof pw))
			return EXIT_ERR;
		if (auth_password_hash(pw, hash, sizeof hash)) {
			sodium_memzero(pw, sizeof pw);
			return cli_fail("cannot hash the password");
		}
		sodium_memzero(pw, sizeof pw);
	}

	struct site site;
	struct store *st = NULL;
	if (open_site(data_dir, &site, &st))
		return EXIT_ERR;
	int r = EXIT_OK, rc;
	struct user u = { 0 };
	if (strcmp(cmd, "add") == 0) {
		struct user nu = { .name = (char *)o.name, .pwhash = hash, .role = role,
				   .email = (char *)(o.email ? o.email : "") };
		rc = store_user_add(st, &nu);
		if (rc == DP_EEXISTS)
			r = cli_fail("a user named '%s' exists already", o.name);
		else if (rc)
			r = cli_fail("cannot add the user: %s", dp_strerror(rc));
		else {
			store_audit_add(st, "cli", "user.add", o.name, role_name(role));
			if (o.email && *o.email)
				printf("added %s (%s) <%s>\n", o.name, role_name(role), o.email);
			else
				printf("added %s (%s)\n", o.name, role_name(role));
		}
	} else if (strcmp(cmd, "list") == 0) {
		struct user *list = NULL;
		size_t n = 0;
		if (store_users(st, &list, &n))
			r = cli_fail("cannot read the users");
		for (size_t i = 0; i < n; i++) {
			if (list[i].email && *list[i].email)
				printf("%-10s %s <%s>\n", role_name(list[i].role), list[i].name,
				       list[i].email);
			else
				printf("%-10s %s\n", role_name(list[i].role), list[i].name);
			user_release(&list[i]);
		}
		free(list);
	} else if ((rc = store_user_by_name(st, o.name, &u))) {
		r = rc == DP_ENOTFOUND ? cli_fail("no user named '%s'", o.name)
				       : cli_fail("cannot read the users: %s", dp_strerror(rc));
	} else if (strcmp(cmd, "email") == 0) {
		if (store_user_set_email(st, u.id, o.email))
			r = cli_fail("cannot change the e-mail address");
		else {
			store_audit_add(st, "cli", "user.email", o.name, o.email);
			if (*o.email)
				printf("%s: e-mail address %s\n", o.name, o.email);
			else
				printf("%s: e-mail address removed\n", o.name);
		}
	} else if (strcmp(cmd, "passwd") == 0) {
		if (store_user_set_password(st, u.id, hash))
			r = cli_fail("cannot change the password");
		else {
			store_audit_add(st, "cli", "user.passwd", o.name, "");
			printf("changed the password of %s\n", o.name);
		}
	} else {
		if (store_user_delete(st, u.id))
			r = cli_fail("cannot delete the user");
		else {
			store_audit_add(st, "cli", "user.delete", o.name, "");
			printf("deleted %s\n", o.name);
		}
	}
	user_release(&u);
	sodium_memzero(hash, sizeof hash);
	store_close(st);
	site_release(&site);
	return r;
}

int cli_token(int argc, char **argv, const char *data_dir)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		token_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *cmd = argv[1];
	struct opts o = { 0 };
	int p = parse(argc - 1, argv + 1, &o, token_help);
	if (p)
		return p > 0 ? EXIT_OK : EXIT_USAGE;
	if (o.nargs > 0) {
		cli_fail("unexpected argument '%s'", o.args[0]);
		return EXIT_USAGE;
	}
	if (o.email) {
		cli_fail("a token has no e-mail address");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "add") && strcmp(cmd, "list") && strcmp(cmd, "delete")) {
		cli_fail("unknown token command '%s'", cmd);
		token_help(stderr);
		return EXIT_USAGE;
	}
	enum role role = ROLE_EDITOR;
	if (strcmp(cmd, "list") != 0 && name_ok(o.name))
		return EXIT_ERR;
	if (strcmp(cmd, "add") == 0 && (!o.role || role_parse(o.role, &role)))
		return cli_fail("--role must be admin, editor, author or moderator");
	struct site site;
	struct store *st = NULL;
	if (open_site(data_dir, &site, &st))
		return EXIT_ERR;
	int r = EXIT_OK, rc;
	if (strcmp(cmd, "add") == 0) {
		char token[AUTH_HASH_HEX], hash[AUTH_HASH_HEX];
		int64_t id;
		auth_random_token(token);
		auth_token_hash(token, hash);
		rc = store_token_add(st, o.name, role, hash, &id);
		if (rc == DP_EEXISTS)
			r = cli_fail("a token named '%s' exists already", o.name);
		else if (rc)
			r = cli_fail("cannot add the token: %s", dp_strerror(rc));
		else {
			store_audit_add(st, "cli", "token.add", o.name, role_name(role));
			printf("token for %s (%s); keep it, it is not shown again:\n%s\n", o.name,
			       role_name(role), token);
		}
		sodium_memzero(token, sizeof token);
	} else if (strcmp(cmd, "list") == 0) {
		struct api_token *list = NULL;
		size_t n = 0;
		if (store_tokens(st, &list, &n))
			r = cli_fail("cannot read the tokens");
		for (size_t i = 0; i < n; i++) {
			printf("%-10s %s\n", role_name(list[i].role), list[i].name);
			api_token_release(&list[i]);
		}
		free(list);
	} else {
		rc = store_token_delete(st, o.name);
		if (rc == DP_ENOTFOUND)
			r = cli_fail("no token named '%s'", o.name);
		else if (rc)
			r = cli_fail("cannot delete the token: %s", dp_strerror(rc));
		else {
			store_audit_add(st, "cli", "token.delete", o.name, "");
			printf("deleted token %s\n", o.name);
		}
	}
	store_close(st);
	site_release(&site);
	return r;
}
