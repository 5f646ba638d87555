/* subscribe.h — readers sign up for mail: the sign-up page and POST
 * /subscribe (from the box on every page, the page itself and "notify me
 * about similar news" under each article), the confirmation link, the
 * preferences page and unsubscribing (a visible link and the RFC 8058
 * one-click POST). Dynamic routes (src/http/router.c), never cached. */
#ifndef DEPESCHE_PAGE_SUBSCRIBE_H
#define DEPESCHE_PAGE_SUBSCRIBE_H

#include "http/request.h"

/* GET /subscribe/ (?topics=a&topics=b from "similar news") */
int subscribe_form(struct http_req *req, struct http_res *res);
/* POST /subscribe — email, topics (repeated tag slugs), newsletter, ticket,
 * honeypot; the same answer whether or not the address is known */
int subscribe_post(struct http_req *req, struct http_res *res);
/* GET /subscribe/confirm/?t=TOKEN shows a button; POST confirms */
int subscribe_confirm_form(struct http_req *req, struct http_res *res);
int subscribe_confirm(struct http_req *req, struct http_res *res);
/* GET/POST /subscribe/preferences/?k=KEY — topics, newsletter, frequency */
int subscribe_prefs_form(struct http_req *req, struct http_res *res);
int subscribe_prefs(struct http_req *req, struct http_res *res);
/* GET /unsubscribe/?k=KEY shows a button; POST (also the one-click
 * "List-Unsubscribe=One-Click" body of RFC 8058) unsubscribes */
int unsubscribe_form(struct http_req *req, struct http_res *res);
int unsubscribe_post(struct http_req *req, struct http_res *res);

#endif
