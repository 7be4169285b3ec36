/* store.c: the parts of store.h that do not depend on a database: freeing filled structs. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void tag_free(struct tag *t)
{
    if (!t)
        return;
    free(t->name);
    memset(t, 0, sizeof(*t));
}

void user_free(struct user *u)
{
    if (!u)
        return;
    free(u->name);
    free(u->email);
    free(u->pwhash);
    memset(u, 0, sizeof(*u));
}
