/* serve.c — `depesche serve`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/server.h"
#include "site/site.h"
#include "util/err.h"

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] serve [--listen HOST:PORT] [--no-cache] [--no-mail]\n\n"
	      "Serves the site until SIGTERM or SIGINT (Ctrl-C), then stops gracefully.\n"
	      "Changes made with 'depesche post' show at once; no restart needed.\n"
	      "Mail goes out in the background: topic alerts, digests, newsletter\n"
	      "issues and mail about comments are queued and the outbox is sent\n"
	      "through the relay (smtp.url, mail.from: depesche config --help).\n\n"
	      "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080;\n"
	      "                      port 0 picks a free one; [::1]:8080 for IPv6)\n"
	      "  --threads N         worker threads (default: one per core)\n"
	      "  --cache-mb N        page cache size in MiB (default 256)\n"
	      "  --no-cache          render every request afresh (benchmarks, theme work)\n"
	      "  --access-log        log every request to stderr\n"
	      "  --no-mail           neither queue nor send mail here; run\n"
	      "                      'depesche mail run' for it (apart, or elsewhere)\n",
	      f);
}

int cli_serve(int argc, char **argv, const char *data_dir)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "cache-mb", required_argument, NULL, 'c' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "access-log", no_argument, NULL, 'a' },
		{ "no-mail", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct server_opts so = { .listen = "127.0.0.1:8080" };
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': so.listen = optarg; break;
		case 't':
			so.threads = (unsigned)strtoul(optarg, &end, 10);
			if (*end || so.threads < 1 || so.threads > 256)
				return cli_fail("--threads takes a number from 1 to 256");
			break;
		case 'c': {
			unsigned long mb = strtoul(optarg, &end, 10);
			if (*end || mb < 1 || mb > 65536)
				return cli_fail("--cache-mb takes a number from 1 to 65536");
			so.cache_bytes = (size_t)mb << 20;
			break;
		}
		case 'n': so.no_cache = true; break;
		case 'a': so.access_log = true; break;
		case 'm': so.no_mail = true; break;
		case 'h': help(stdout); return EXIT_OK;
		default: cli_bad_option(argv); help(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	struct site site;
	if (cli_site_open(data_dir, &site))
		return EXIT_ERR;
	int rc = server_run(&site, &so);
	site_release(&site);
	return rc ? EXIT_ERR : EXIT_OK;
}
