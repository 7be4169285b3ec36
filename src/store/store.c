/* store.c: the parts of store.h that do not depend on a database: freeing filled structs,
 * names of roles and inbox kinds. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

const char *inbox_kind_label(enum inbox_kind kind)
{
    switch (kind) {
    case INBOX_COMMENT:
        return "Comments on your works";
    case INBOX_REPLY:
        return "Replies to your comments";
    case INBOX_KUDOS:
        return "Kudos on your works";
    case INBOX_SUBSCRIPTION:
        return "Subscription updates";
    case INBOX_INVITATION:
        return "Co-creator invitations";
    case INBOX_GIFT:
        return "Gifts";
    case INBOX_SYSTEM:
        return "Messages from the archive";
    }
    return "Other";
}

void comment_free(struct comment *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->email);
    free(c->ip);
    free(c->html);
    memset(c, 0, sizeof(*c));
}

static const char *const role_names[] = {"user", "wrangler", "moderator", "admin"};

const char *user_role_name(enum user_role role)
{
    return (int)role >= ROLE_USER && role <= ROLE_ADMIN ? role_names[role] : "user";
}

int user_role_parse(const char *s)
{
    for (int i = ROLE_USER; s && i <= ROLE_ADMIN; i++)
        if (!strcasecmp(s, role_names[i]))
            return i;
    return -1;
}
