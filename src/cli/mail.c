/* mail.c — `depesche mail`: the outbox sender as its own process (run), a
 * test message through the relay (test) and the outbox's counts (status). */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "mail/message.h"
#include "mail/sender.h"
#include "mail/smtp.h"
#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

static void mail_help(FILE *f)
{
	fputs("usage: depesche [--data DIR] mail COMMAND ...\n\n"
	      "  run [--once]     send the outbox through the relay (smtp.url) until\n"
	      "                   SIGTERM; --once: send what is due now, then exit\n"
	      "  test ADDRESS     send a test message to ADDRESS now and show the\n"
	      "                   relay's answer\n"
	      "  status           how many messages are queued, sending, sent, failed\n\n"
	      "Settings: smtp.url, smtp.user, smtp.password, mail.from, mail.rate,\n"
	      "mail.connections (depesche config --help).\n",
	      f);
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int open_store(const char *dir, struct store **ret)
{
	char *path = NULL;
	int rc = asprintf(&path, "%s/depesche.db", dir) < 0 ? DP_ENOMEM : store_open(path, 0, ret);
	free(path);
	if (rc)
		return cli_fail("cannot open the database: %s", dp_strerror(rc));
	return EXIT_OK;
}

static int mail_run(int argc, char **argv, const char *dir)
{
	static const struct option lo[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mail_sender_config cfg;
	struct mail_sender_stats stats = { 0 };
	struct sigaction sa;
	char err[256];
	int c, once = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': once = 1; break;
		case 'h': mail_help(stdout); return EXIT_OK;
		default: cli_bad_option(argv); mail_help(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = mail_sender_config_load(dir, &cfg, err, sizeof err)))
		return cli_fail("%s", err);
	mail_sender_config_release(&cfg);

	if (once) {
		rc = mail_sender_run_once(dir, 0, &stats);
	} else {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		printf("sending mail from the outbox; SIGTERM stops\n");
		fflush(stdout);
		rc = mail_sender_run(dir, &stop_flag, &stats);
	}
	printf("sent %zu, retry later %zu, failed %zu\n", stats.sent, stats.retried, stats.failed);
	if (rc)
		return cli_fail("the sender stopped: %s", dp_strerror(rc));
	return EXIT_OK;
}

static int mail_status(const char *dir)
{
	size_t counts[OUTBOX_STATUS__MAX];
	struct store *st = NULL;
	int rc;
	if (open_store(dir, &st))
		return EXIT_ERR;
	rc = store_outbox_counts(st, counts);
	store_close(st);
	if (rc)
		return cli_fail("cannot read the outbox: %s", dp_strerror(rc));
	for (int i = 0; i < OUTBOX_STATUS__MAX; i++)
		printf("%-8s %zu\n", outbox_status_name((enum outbox_status)i), counts[i]);
	return EXIT_OK;
}

/* The display name of "Name <addr>" (quotes dropped) into out; "" if none. */
static void from_name(const char *from, char *out, size_t outlen)
{
	const char *lt = strrchr(from, '<');
	size_t n = 0;
	out[0] = '\0';
	if (!lt)
		return;
	while (*from == ' ' || *from == '"')
		from++;
	const char *end = lt;
	while (end > from && (end[-1] == ' ' || end[-1] == '"'))
		end--;
	n = (size_t)(end - from);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, from, n);
	out[n] = '\0';
}

/* Builds the test message into out. */
static int build_test(const struct mail_sender_config *cfg, const char *title, const char *to,
		      struct buf *out)
{
	char name[MAIL_NAME_MAX + 1], subject[400], text[1200], html[1600];
	from_name(cfg->from, name, sizeof name);
	snprintf(subject, sizeof subject, "Depesche test message (%s)", title);
	snprintf(text, sizeof text,
		 "This is a test message from Depesche.\n\n"
		 "It went from %s through the relay %s to %s.\n"
		 "If you can read it, the site can send mail.\n",
		 cfg->envelope, cfg->url, to);
	snprintf(html, sizeof html,
		 "<!DOCTYPE html><html><body><p>This is a test message from "
		 "<strong>Depesche</strong>.</p><p>If you can read it, the site can send "
		 "mail.</p></body></html>");
	struct mail_message m = {
		.from = { name[0] ? name : NULL, cfg->envelope },
		.to = { NULL, to },
		.subject = subject,
		.text = text,
		.html = html,
		.date = (int64_t)time(NULL),
	};
	return mail_message_write(out, &m, NULL, 0);
}

static int mail_test(const char *to, const char *dir, struct site *site)
{
	struct mail_sender_config cfg;
	struct buf msg = BUF_INIT(1 << 20);
	struct store *st = NULL;
	struct smtp *smtp = NULL;
	struct outbox_msg m = { 0 };
	struct smtp_result res;
	enum outbox_status now_st = OUTBOX_QUEUED;
	char err[256];
	int64_t id = 0;
	int r = EXIT_ERR, rc;

	if (!mail_address_valid(to))
		return cli_fail("'%s' is not an e-mail address (local@domain)", to);
	if ((rc = mail_sender_config_load(dir, &cfg, err, sizeof err)))
		return cli_fail("%s", err);
	if (sodium_init() < 0) {
		cli_fail("cannot initialise libsodium");
		goto out;
	}
	if ((rc = build_test(&cfg, site->title ? site->title : "Depesche", to, &msg))) {
		cli_fail("cannot build the message (check mail.from): %s", dp_strerror(rc));
		goto out;
	}
	if (open_store(dir, &st))
		goto out;
	if ((rc = store_outbox_add(st, OUTBOX_TEST, to, msg.data, msg.len, (int64_t)time(NULL),
				   &id)) ||
	    (rc = store_outbox_claim_id(st, id, "cli:mail-test", (int64_t)time(NULL), &m))) {
		cli_fail("cannot queue the message: %s", dp_strerror(rc));
		goto out;
	}
	struct smtp_config sc = { cfg.url, cfg.user, cfg.password, cfg.envelope };
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || smtp_new(&sc, &smtp) ||
	    smtp_send(smtp, m.recipient, m.message, m.len, &res)) {
		store_outbox_unclaim(st, id);
		cli_fail("cannot start the SMTP client; the message stays queued");
		goto out;
	}
	if (res.outcome == SMTP_SENT)
		rc = store_outbox_done(st, id, (int64_t)time(NULL));
	else
		rc = store_outbox_fail(st, id, res.outcome == SMTP_PERMANENT, res.answer,
				       (int64_t)time(NULL), &now_st);
	if (rc)
		cli_fail("cannot record the outcome: %s", dp_strerror(rc));

	if (res.outcome == SMTP_SENT) {
		printf("sent to %s through %s\nrelay: %s\n", to, cfg.url, res.answer);
		r = rc ? EXIT_ERR : EXIT_OK;
	} else if (res.code == 0) {
		cli_fail("cannot reach the mail server %s: %s; the message stays queued (id %lld)",
			 cfg.url, res.answer, (long long)id);
	} else if (res.code == 535 || res.code == 530 || res.code == 534) {
		cli_fail("the mail server refused the login (smtp.user, smtp.password): %s; "
			 "the message stays queued (id %lld)",
			 res.answer, (long long)id);
	} else if (now_st == OUTBOX_QUEUED) {
		cli_fail("the mail server did not take the message for now: %s; it stays queued "
			 "and will be retried (id %lld)",
			 res.answer, (long long)id);
	} else {
		cli_fail("the mail server refused the message: %s; it is marked failed (id %lld)",
			 res.answer, (long long)id);
	}
out:
	if (smtp) {
		smtp_free(smtp);
		curl_global_cleanup();
	}
	outbox_msg_release(&m);
	store_close(st);
	buf_release(&msg);
	mail_sender_config_release(&cfg);
	return r;
}

int cli_mail(int argc, char **argv, const char *data_dir)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		mail_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") && strcmp(cmd, "test") && strcmp(cmd, "status")) {
		cli_fail("unknown mail command '%s'", cmd);
		mail_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "test") == 0 && (argc != 3 || argv[2][0] == '-')) {
		if (argc == 3 && strcmp(argv[2], "--help") == 0) {
			mail_help(stdout);
			return EXIT_OK;
		}
		cli_fail("usage: depesche mail test ADDRESS");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "status") == 0 && argc != 2) {
		cli_fail("unexpected argument '%s'", argv[2]);
		return EXIT_USAGE;
	}
	struct site site;
	if (cli_site_open(data_dir, &site))
		return EXIT_ERR;
	int r;
	if (strcmp(cmd, "run") == 0)
		r = mail_run(argc - 1, argv + 1, site.dir);
	else if (strcmp(cmd, "test") == 0)
		r = mail_test(argv[2], site.dir, &site);
	else
		r = mail_status(site.dir);
	site_release(&site);
	return r;
}
