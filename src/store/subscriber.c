/* subscriber.c — PLACEHOLDER (issue 4): names and release functions of store.h's subscriber types. */
typedef int placeholder_unit;
