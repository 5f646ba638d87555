/* mail.c — `depesche mail`: the dispatcher and the outbox sender as their
 * own process (run; for `serve --no-mail`), a test message through the
 * relay (test) and the state of mail (status). */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "http/auth.h"
#include "mail/dkim.h"
#include "mail/message.h"
#include "mail/sender.h"
#include "mail/smtp.h"
#include "newsletter/dispatch.h"
#include "newsletter/links.h"
#include "page/theme.h"
#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/timeutil.h"

static void mail_help(FILE *f)
{
	fputs("usage: depesche [--data DIR] mail COMMAND ...\n\n"
	      "  run [--once]     decide what mail goes out (topic alerts, digests,\n"
	      "                   newsletter issues, mail about comments) and send the\n"
	      "                   outbox through the relay (smtp.url) until SIGTERM;\n"
	      "                   `depesche serve` does the same unless --no-mail.\n"
	      "                   --once: one round (an issue being sent: all of it),\n"
	      "                   then send what is due now, then exit\n"
	      "  test ADDRESS     send a test message to ADDRESS now and show the\n"
	      "                   relay's answer\n"
	      "  status           how many messages are queued, sending, sent, failed;\n"
	      "                   then subscribers, issues being sent and the relay's\n"
	      "                   state, where there are any\n\n"
	      "Settings: smtp.url, smtp.user, smtp.password, mail.from, mail.rate,\n"
	      "mail.connections, mail.dkim_* (depesche config --help).\n",
	      f);
}

static int open_store(const char *dir, int flags, struct store **ret)
{
	char *path = NULL;
	int rc = asprintf(&path, "%s/depesche.db", dir) < 0 ? DP_ENOMEM
							    : cli_store_open(path, flags, ret);
	free(path);
	if (rc)
		return cli_fail("cannot open the database: %s", dp_strerror(rc));
	return EXIT_OK;
}

/* The key of signed links (the site's comment secret; made if missing). */
static int link_secret(struct store *st)
{
	char *secret = NULL;
	int rc = store_kv_get(st, "comment_secret", &secret);
	if (rc == DP_ENOTFOUND) {
		char fresh[65];
		auth_random_token(fresh);
		if (!(rc = store_kv_set(st, "comment_secret", fresh)))
			rc = store_kv_get(st, "comment_secret", &secret);
	}
	if (!rc)
		link_set_secret((const unsigned char *)secret, strlen(secret));
	free(secret);
	return rc;
}

/* One dispatch round (repeated while an issue is being queued, so --once
 * queues all of it). */
static int dispatch_once(const struct site *site)
{
	struct dispatch_stats stats = { 0 };
	struct store *st = NULL;
	struct theme *theme = NULL;
	char err[512];
	int rc;
	if (sodium_init() < 0)
		return cli_fail("cannot initialise libsodium");
	if ((rc = theme_load(site->theme_dir, site->lang, &theme, err, sizeof err)))
		return cli_fail("theme: %s", err);
	if (open_store(site->dir, STORE_DURABLE, &st)) {
		theme_free(theme);
		return EXIT_ERR;
	}
	if ((rc = link_secret(st)) == DP_OK) {
		size_t before;
		do {
			before = stats.newsletters;
			struct mail_env env = { site, theme, st, (int64_t)time(NULL) };
			rc = dispatch_round(&env, &stats);
		} while (!rc && stats.newsletters > before);
	}
	store_close(st);
	theme_free(theme);
	printf("queued: alerts %zu, digests %zu, newsletter %zu, comment mail %zu\n", stats.alerts,
	       stats.digests, stats.newsletters, stats.notices);
	if (rc == DP_EINVAL && (!site->mail_from || !*site->mail_from))
		return cli_fail("no sender address: set mail.from");
	if (rc)
		return cli_fail("dispatching failed: %s", dp_strerror(rc));
	return EXIT_OK;
}

static int mail_run(int argc, char **argv, const struct site *site)
{
	static const struct option lo[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct mail_sender_config cfg;
	struct mail_sender_stats stats = { 0 };
	struct dispatcher *d = NULL;
	const char *dir = site->dir;
	sigset_t sigs;
	char err[512];
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
		if (dispatch_once(site))
			return EXIT_ERR;
		rc = mail_sender_run_once(dir, 0, &stats);
		printf("sent %zu, retry later %zu, failed %zu\n", stats.sent, stats.retried,
		       stats.failed);
		if (rc)
			return cli_fail("the sender stopped: %s", dp_strerror(rc));
		if (stats.relay_error[0])
			return cli_fail("%s; the messages stay queued", stats.relay_error);
		return EXIT_OK;
	}
	/* Signals go to this thread only (sigwait), never to the
	 * dispatcher's or the sender's: block them before those start. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = dispatch_start(dir, &d)))
		return cli_fail("cannot start: %s", dp_strerror(rc));
	printf("dispatching and sending mail; SIGTERM stops\n");
	fflush(stdout);
	int sig = 0;
	sigwait(&sigs, &sig);
	/* Mail being sent is finished; nothing new is claimed. */
	dispatch_stop(d);
	return EXIT_OK;
}

/* Issues being sent: their figures. */
static int status_issues(struct store *st)
{
	struct newsletter *nl = NULL;
	size_t n = 0, total = 0;
	int rc = store_newsletters(st, 0, 1000, &nl, &n, &total);
	for (size_t i = 0; !rc && i < n; i++) {
		size_t c[OUTBOX_STATUS__MAX];
		if (nl[i].status != NEWSLETTER_SENDING)
			continue;
		if ((rc = store_outbox_counts_for(st, nl[i].id, c)))
			break;
		printf("issue %" PRId64 " sending: queued %zu so far, sent %zu, to send %zu, failed "
		       "%zu: %s\n",
		       nl[i].id, nl[i].queued, c[OUTBOX_SENT], c[OUTBOX_QUEUED] + c[OUTBOX_SENDING],
		       c[OUTBOX_FAILED], nl[i].subject ? nl[i].subject : "");
	}
	newsletters_free(nl, n);
	return rc;
}

static int mail_status(const char *dir)
{
	size_t counts[OUTBOX_STATUS__MAX], subs[SUB_STATUS__MAX];
	struct store *st = NULL;
	char *message = NULL, when[40];
	bool ok = true;
	int64_t at = 0;
	int rc;
	if (open_store(dir, 0, &st))
		return EXIT_ERR;
	if ((rc = store_outbox_counts(st, counts))) {
		store_close(st);
		return cli_fail("cannot read the outbox: %s", dp_strerror(rc));
	}
	for (int i = 0; i < OUTBOX_STATUS__MAX; i++)
		printf("%-8s %zu\n", outbox_status_name((enum outbox_status)i), counts[i]);
	/* The rest only where there is something to say. */
	if ((rc = store_subscriber_counts(st, subs)))
		goto out;
	if (subs[SUB_PENDING] + subs[SUB_CONFIRMED] + subs[SUB_UNSUBSCRIBED])
		printf("subscribers: %zu confirmed, %zu waiting for confirmation, %zu "
		       "unsubscribed\n",
		       subs[SUB_CONFIRMED], subs[SUB_PENDING], subs[SUB_UNSUBSCRIBED]);
	if ((rc = status_issues(st)))
		goto out;
	rc = mail_relay_state(st, &ok, &at, &message);
	if (rc == DP_ENOTFOUND) {
		rc = DP_OK;
	} else if (!rc) {
		time_fmt_iso_local(when, sizeof when, at);
		printf("relay: %s since %s: %s\n", ok ? "working" : "FAILING", when, message);
	}
out:
	free(message);
	store_close(st);
	if (rc)
		return cli_fail("cannot read the mail state: %s", dp_strerror(rc));
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
	struct buf msg = BUF_INIT(1 << 20), signed_msg = BUF_INIT(2 << 20);
	struct dkim_signer *signer = NULL;
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
	if (open_store(dir, 0, &st))
		goto out;
	if ((rc = store_outbox_add(st, OUTBOX_TEST, to, msg.data, msg.len, (int64_t)time(NULL),
				   &id)) ||
	    (rc = store_outbox_claim_id(st, id, "cli:mail-test", (int64_t)time(NULL), &m))) {
		cli_fail("cannot queue the message: %s", dp_strerror(rc));
		goto out;
	}
	/* Signed as the sender signs (the settings were checked above). */
	const char *bytes = m.message;
	size_t len = m.len;
	if (cfg.dkim) {
		if (dkim_signer_load(dir, &signer, err, sizeof err) ||
		    (signer && dkim_signer_sign(signer, m.message, m.len, &signed_msg, err,
						sizeof err))) {
			store_outbox_unclaim(st, id);
			cli_fail("%s; the message stays queued", err);
			goto out;
		}
		if (signer) {
			bytes = signed_msg.data;
			len = signed_msg.len;
		}
	}
	struct smtp_config sc = { cfg.url, cfg.user, cfg.password, cfg.envelope };
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || smtp_new(&sc, &smtp) ||
	    smtp_send(smtp, m.recipient, bytes, len, &res)) {
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
	dkim_signer_free(signer);
	buf_release(&signed_msg);
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
		r = mail_run(argc - 1, argv + 1, &site);
	else if (strcmp(cmd, "test") == 0)
		r = mail_test(argv[2], site.dir, &site);
	else
		r = mail_status(site.dir);
	site_release(&site);
	return r;
}
