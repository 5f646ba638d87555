/* subscribe.c — PLACEHOLDER being written (issue 4); replace whole file. */
typedef int placeholder_unit;
