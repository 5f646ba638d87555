/* subscribers.c — PLACEHOLDER (issue 4). */
typedef int placeholder_unit;
