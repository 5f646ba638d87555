/* site.h — a site's settings, kept in DIR/site.json beside DIR/depesche.db.
 *
 * The file is JSON so an operator can edit it; unknown keys are ignored. */
#ifndef DEPESCHE_SITE_SITE_H
#define DEPESCHE_SITE_SITE_H

#include <stdbool.h>
#include <stddef.h>

struct site {
	char *dir;          /* the site's folder (--data) */
	char *title;        /* "Depesche Demo" */
	char *description;  /* one line for feeds and meta */
	char *base_url;     /* "http://127.0.0.1:8080", no trailing slash */
	char *lang;         /* "de" or "en" */
	char *theme_dir;    /* "" = the built-in default theme */
	char *timezone;     /* IANA zone for dates shown to readers: "Europe/Berlin" */
	bool allow_html;    /* keep raw HTML in Markdown (off by default) */
	int per_page;       /* articles per list page */
	int feed_items;     /* items per feed */
	/* reader comments */
	bool comments_open; /* the form is shown and accepted (default true) */
	char *comment_policy; /* shown above the form; "" = the theme's default text */
	int comment_rate;   /* comments per client address per minute (default 5) */
	int search_rate;    /* searches per client address per minute (default 120) */
	int comment_min_seconds; /* a form sent back faster is a bot's (default 3) */
	double auto_spam;   /* a spam verdict at or above this score skips the queue (default 0.95) */
	char **blocklist;   /* words, addresses, e-mail domains that mark spam */
	size_t nblocklist;
	/* mail (the sender itself reads smtp.* afresh: mail/sender.h) */
	char *mail_from;    /* "Name <addr@domain>" or "addr@domain"; "" = no mail */
	char *mail_reply_to;/* "" = no Reply-To */
	bool subscribe_open;/* readers may sign up for mail (default true) */
	int digest_hour;    /* local hour (timezone) daily and weekly digests go out (default 7) */
	int digest_weekday; /* 1 = Monday … 7 = Sunday: the weekly digest's day (default 1) */
	int moderation_mail_minutes; /* pending comments mailed to moderators at most this often; 0 = never */
};

/* The site folder per --data, $DEPESCHE_DATA, ./data (static storage). */
const char *site_dir_default(const char *opt);

/* Reads DIR/site.json into *ret (all strings owned by ret). DP_ENOTFOUND when
 * there is no site, DP_EPARSE with a message in err when it is malformed. */
int site_load(const char *dir, struct site *ret, char *err, size_t errlen);
/* Writes DIR/site.json atomically (temp file + rename). */
int site_save(const struct site *s);
void site_release(struct site *s);

/* Path of the database file: DIR/depesche.db (caller frees). */
char *site_db_path(const struct site *s);

#endif
