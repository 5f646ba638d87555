/* box.c — PLACEHOLDER: the backend-independent parts (release, names, parsing) go here. */
#include "store/store.h"
