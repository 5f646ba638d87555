/* smtp_sink.c — a minimal SMTP server for the mail benchmark: accepts every
 * message on 127.0.0.1 and throws it away, one thread per connection, so the
 * relay is never what the benchmark measures. Not part of Depesche.
 *
 *     cc -O2 -pthread -o smtp_sink bench/smtp_sink.c
 *     ./smtp_sink PORT COUNTFILE
 *
 * Writes the number of messages accepted to COUNTFILE on SIGTERM/SIGINT and
 * prints it. Speaks just what libcurl uses: EHLO/HELO, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static atomic_long accepted;
static atomic_long bytes;

struct conn {
	int fd;
	char buf[65536];
	size_t len, pos;
};

static int say(struct conn *c, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(c->fd, s, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Next CRLF-terminated line into out (without CRLF); -1 at EOF. */
static int read_line(struct conn *c, char *out, size_t outlen)
{
	for (;;) {
		char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (nl) {
			size_t n = (size_t)(nl - (c->buf + c->pos));
			size_t k = n && nl[-1] == '\r' ? n - 1 : n;
			if (k >= outlen)
				k = outlen - 1;
			memcpy(out, c->buf + c->pos, k);
			out[k] = '\0';
			c->pos += n + 1;
			return 0;
		}
		if (c->pos) {
			memmove(c->buf, c->buf + c->pos, c->len - c->pos);
			c->len -= c->pos;
			c->pos = 0;
		}
		if (c->len == sizeof c->buf)
			c->len = 0; /* an overlong line: drop it */
		ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

static void *serve(void *arg)
{
	struct conn *c = arg;
	char line[2048];
	if (say(c, "220 sink ESMTP ready\r\n"))
		goto out;
	while (read_line(c, line, sizeof line) == 0) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			if (say(c, "250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"))
				break;
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			if (say(c, "354 go ahead\r\n"))
				break;
			long n = 0;
			while (read_line(c, line, sizeof line) == 0 && strcmp(line, ".") != 0)
				n += (long)strlen(line) + 2;
			atomic_fetch_add(&bytes, n);
			atomic_fetch_add(&accepted, 1);
			if (say(c, "250 2.0.0 accepted\r\n"))
				break;
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say(c, "221 bye\r\n");
			break;
		} else if (say(c, "250 ok\r\n")) { /* HELO, MAIL, RCPT, RSET, NOOP */
			break;
		}
	}
out:
	close(c->fd);
	free(c);
	return NULL;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: smtp_sink PORT COUNTFILE\n");
		return 2;
	}
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 128)) {
		perror("smtp_sink: bind/listen");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: accept() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("listening\n");
	fflush(stdout);
	while (!stop) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		struct conn *c = calloc(1, sizeof *c);
		pthread_t t;
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		if (pthread_create(&t, NULL, serve, c) == 0)
			pthread_detach(t);
		else
			close(fd), free(c);
	}
	FILE *f = fopen(argv[2], "w");
	if (f) {
		fprintf(f, "%ld %ld\n", atomic_load(&accepted), atomic_load(&bytes));
		fclose(f);
	}
	printf("accepted %ld messages, %ld bytes\n", atomic_load(&accepted), atomic_load(&bytes));
	return 0;
}
