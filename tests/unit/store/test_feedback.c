/* test_feedback.c: the SQLite store's feedback: the inbox, kudos, threaded comments, hits,
 * hidden works, reports, the audit log, suspensions, bans and password resets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/work.h"
#include "store/store.h"
#include "store_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t new_user(struct store *s, const char *name)
{
    struct user u = {.name = (char *)name, .pwhash = "$argon2id$h"};
    assert_int_equal(store_user_create(s, &u), 0);
    return u.id;
}

/* A published work owned by user_id with two chapters. */
static int64_t new_work(struct store *s, int64_t user_id, const char *title, struct work *out)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    w.draft = 0;
    w.user_id = user_id;
    for (int i = 0; i < 2; i++) {
        struct chapter *c = work_add_chapter(&w);
        assert_non_null(c);
        c->html = strdup("<p>Text.</p>");
        c->words = 1;
    }
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    if (out)
        *out = w;
    else
        work_free(&w);
    return id;
}

struct items {
    int n;
    char text[8][200];
    int kinds[8];
    int64_t ids[8];
    int64_t counts[8];
};

static int item_cb(const struct inbox_item *it, void *ctx)
{
    struct items *a = ctx;
    if (a->n < 8) {
        snprintf(a->text[a->n], sizeof(a->text[0]), "%s", it->text);
        a->kinds[a->n] = (int)it->kind;
        a->ids[a->n] = it->id;
        a->counts[a->n] = it->count;
    }
    a->n++;
    return 0;
}

static void test_inbox(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "reader");
    assert_int_equal(store_inbox_add(f->s, u, INBOX_SUBSCRIPTION, "New chapter of X", "/works/1"),
                     0);
    assert_int_equal(store_inbox_add(f->s, u, INBOX_INVITATION, "Be a co-creator", NULL), 0);
    assert_int_equal(store_inbox_add(f->s, u, (enum inbox_kind)99, "x", NULL), FICD_EINVAL);
    assert_int_equal(store_inbox_add(f->s, u, INBOX_SYSTEM, "", NULL), FICD_EINVAL);
    assert_int_equal(store_inbox_add(f->s, 9999, INBOX_SYSTEM, "x", NULL), FICD_ENOTFOUND);
    int64_t n = 0, total = 0;
    assert_int_equal(store_inbox_unread(f->s, u, &n), 0);
    assert_int_equal(n, 2);
    struct items a = {0};
    assert_int_equal(store_inbox_list(f->s, u, 0, 0, 0, 0, item_cb, &a, &total), 0);
    assert_int_equal(a.n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(a.text[0], "Be a co-creator"); /* newest first */
    assert_int_equal(a.kinds[1], INBOX_SUBSCRIPTION);
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_inbox_list(f->s, u, INBOX_SUBSCRIPTION, 0, 0, 0, item_cb, &a, &total),
                     0);
    assert_int_equal(a.n, 1);
    assert_int_equal(total, 1);

    /* read / unread, and another user's item cannot be touched */
    int64_t other = new_user(f->s, "other");
    assert_int_equal(store_inbox_mark(f->s, other, a.ids[0], 1), FICD_ENOTFOUND);
    assert_int_equal(store_inbox_mark(f->s, u, a.ids[0], 1), 0);
    assert_int_equal(store_inbox_unread(f->s, u, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_inbox_mark(f->s, u, 0, 1), 0);
    assert_int_equal(store_inbox_unread(f->s, u, &n), 0);
    assert_int_equal(n, 0);
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_inbox_list(f->s, u, 0, 1, 0, 0, item_cb, &a, &total), 0);
    assert_int_equal(a.n, 0);
    assert_int_equal(store_inbox_delete(f->s, other, a.ids[0] + 1), FICD_ENOTFOUND);
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_inbox_list(f->s, u, 0, 0, 0, 1, item_cb, &a, &total), 0);
    assert_int_equal(a.n, 1); /* limit */
    assert_int_equal(total, 2);
    assert_int_equal(store_inbox_delete(f->s, u, a.ids[0]), 0);
    assert_int_equal(store_inbox_delete(f->s, u, a.ids[0]), FICD_ENOTFOUND);

    /* a kind turned off is not delivered */
    assert_int_equal(store_user_set_inbox_off(f->s, u, 1u << INBOX_SUBSCRIPTION), 0);
    struct user got;
    assert_int_equal(store_user_get(f->s, u, &got), 0);
    assert_int_equal(got.inbox_off, 1u << INBOX_SUBSCRIPTION);
    user_free(&got);
    assert_int_equal(store_inbox_add(f->s, u, INBOX_SUBSCRIPTION, "muted", "/works/1"), 0);
    assert_int_equal(store_inbox_add(f->s, u, INBOX_GIFT, "a gift", "/works/1"), 0);
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_inbox_list(f->s, u, 0, 1, 0, 0, item_cb, &a, NULL), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.text[0], "a gift");
    assert_string_equal(inbox_kind_label(INBOX_KUDOS), "Kudos on your works");
}

static void test_kudos(void **state)
{
    struct fixture *f = *state;
    int64_t owner = new_user(f->s, "writer"), r1 = new_user(f->s, "r1"), r2 = new_user(f->s, "r2");
    int64_t w = new_work(f->s, owner, "Harbour", NULL);
    int64_t seq0 = 0, seq1 = 0;
    assert_int_equal(store_last_change(f->s, &seq0), 0);
    assert_int_equal(store_kudos_add(f->s, w, r1, "10.0.0.1"), 0);
    assert_int_equal(store_last_change(f->s, &seq1), 0);
    assert_true(seq1 > seq0); /* the index learns of the new count */
    assert_int_equal(store_kudos_add(f->s, w, r1, "10.0.0.9"), FICD_EEXISTS);
    assert_string_equal(store_errmsg(f->s), "You have already left kudos here");
    assert_int_equal(store_kudos_add(f->s, w, owner, "10.0.0.2"), FICD_EINVAL);
    assert_int_equal(store_kudos_add(f->s, w, r2, "10.0.0.1"), 0); /* same address, account */
    assert_int_equal(store_kudos_add(f->s, w, 0, "10.0.0.1"), 0);  /* a guest there */
    assert_int_equal(store_kudos_add(f->s, w, 0, "10.0.0.1"), FICD_EEXISTS);
    assert_int_equal(store_kudos_add(f->s, w, 0, "10.0.0.3"), 0);
    assert_int_equal(store_kudos_add(f->s, w, 0, NULL), FICD_EINVAL);
    assert_int_equal(store_kudos_add(f->s, 999, r1, "x"), FICD_ENOTFOUND);
    struct work got;
    assert_int_equal(store_work_get(f->s, w, 0, &got), 0);
    assert_int_equal(got.kudos, 4);
    work_free(&got);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM kudos"), 4);
    int given = 0;
    assert_int_equal(store_kudos_given(f->s, w, r1, NULL, &given), 0);
    assert_true(given);
    assert_int_equal(store_kudos_given(f->s, w, 0, "10.0.0.3", &given), 0);
    assert_true(given);
    assert_int_equal(store_kudos_given(f->s, w, 0, "10.0.0.4", &given), 0);
    assert_false(given);
    struct strlist names;
    strlist_init(&names);
    int64_t guests = 0;
    assert_int_equal(store_kudos_list(f->s, w, &names, &guests), 0);
    assert_int_equal(names.n, 2);
    assert_string_equal(names.v[0], "r1");
    assert_string_equal(names.v[1], "r2");
    assert_int_equal(guests, 2);
    strlist_free(&names);
    /* one summary item for the owner while unread */
    struct items a = {0};
    assert_int_equal(store_inbox_list(f->s, owner, INBOX_KUDOS, 0, 0, 0, item_cb, &a, NULL), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.counts[0], 4);
    assert_string_equal(a.text[0], "A guest and 3 others left kudos on Harbour.");
    assert_int_equal(store_inbox_mark(f->s, owner, 0, 1), 0);
    int64_t r3 = new_user(f->s, "r3");
    assert_int_equal(store_kudos_add(f->s, w, r3, NULL), 0);
    memset(&a, 0, sizeof(a));
    assert_int_equal(store_inbox_list(f->s, owner, INBOX_KUDOS, 1, 0, 0, item_cb, &a, NULL), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.text[0], "r3 left kudos on Harbour.");
}

struct clist {
    int n;
    int64_t ids[16];
    int depth[16];
    int deleted[16];
};

static int comment_cb(const struct comment *c, void *ctx)
{
    struct clist *l = ctx;
    if (l->n < 16) {
        l->ids[l->n] = c->id;
        l->depth[l->n] = c->depth;
        l->deleted[l->n] = c->deleted;
    }
    l->n++;
    return 0;
}

static int64_t add_comment(struct store *s, int64_t work, int64_t parent, int64_t user,
                           const char *name, int held)
{
    struct comment c = {.work_id = work,
                        .parent_id = parent,
                        .user_id = user,
                        .name = (char *)name,
                        .html = "<p>Hello</p>",
                        .unreviewed = held};
    assert_int_equal(store_comment_add(s, &c), 0);
    assert_true(c.id > 0);
    return c.id;
}

static int64_t comments_of(struct store *s, int64_t work)
{
    struct work w;
    assert_int_equal(store_work_get(s, work, 0, &w), 0);
    int64_t n = w.comments;
    work_free(&w);
    return n;
}

static void test_comments(void **state)
{
    struct fixture *f = *state;
    int64_t owner = new_user(f->s, "writer"), r1 = new_user(f->s, "r1"), r2 = new_user(f->s, "r2");
    struct work wk;
    int64_t w = new_work(f->s, owner, "Tide", &wk);
    int64_t a = add_comment(f->s, w, 0, r1, "r1", 0);
    int64_t b = add_comment(f->s, w, 0, 0, "Guesty", 0);
    int64_t a1 = add_comment(f->s, w, a, r2, "r2", 0);
    int64_t a11 = add_comment(f->s, w, a1, r1, "r1", 0);
    int64_t b1 = add_comment(f->s, w, b, owner, "writer", 0);
    assert_int_equal(comments_of(f->s, w), 5);
    struct clist l = {0};
    struct comment_query q = {.work_id = w};
    assert_int_equal(store_comment_list(f->s, &q, comment_cb, &l), 0);
    assert_int_equal(l.n, 5);
    int64_t want[] = {a, a1, a11, b, b1};
    int depth[] = {0, 1, 2, 0, 1};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(l.ids[i], want[i]);
        assert_int_equal(l.depth[i], depth[i]);
    }
    /* one thread */
    memset(&l, 0, sizeof(l));
    q.thread_id = a1;
    assert_int_equal(store_comment_list(f->s, &q, comment_cb, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.ids[1], a11);
    q.thread_id = 0;

    /* the inbox: owner told of comments by others; r1 told of r2's reply; not of own */
    struct items it = {0};
    assert_int_equal(store_inbox_list(f->s, owner, INBOX_COMMENT, 0, 0, 0, item_cb, &it, NULL), 0);
    assert_int_equal(it.n, 4);
    memset(&it, 0, sizeof(it));
    assert_int_equal(store_inbox_list(f->s, r1, INBOX_REPLY, 0, 0, 0, item_cb, &it, NULL), 0);
    assert_int_equal(it.n, 1);
    assert_string_equal(it.text[0], "r2 replied to your comment on Tide.");

    /* an imported review: its time is kept and nobody is told */
    struct comment imp = {.work_id = w,
                          .name = "Old Reviewer",
                          .html = "<p>From the old archive</p>",
                          .created = 1200000000,
                          .quiet = 1};
    assert_int_equal(store_comment_add(f->s, &imp), 0);
    assert_int_equal(imp.created, 1200000000);
    memset(&it, 0, sizeof(it));
    assert_int_equal(store_inbox_list(f->s, owner, INBOX_COMMENT, 0, 0, 0, item_cb, &it, NULL), 0);
    assert_int_equal(it.n, 4);
    assert_int_equal(store_comment_delete(f->s, imp.id), 0);

    /* chapters: a reply belongs to its parent's chapter */
    struct comment c = {.work_id = w,
                        .chapter_id = wk.chapters[1].id,
                        .user_id = r2,
                        .name = "r2",
                        .html = "<p>ch2</p>"};
    assert_int_equal(store_comment_add(f->s, &c), 0);
    int64_t ch = c.id;
    int64_t ch1 = add_comment(f->s, w, ch, r1, "r1", 0);
    struct comment got;
    assert_int_equal(store_comment_get(f->s, ch1, &got), 0);
    assert_int_equal(got.chapter_id, wk.chapters[1].id);
    comment_free(&got);
    memset(&l, 0, sizeof(l));
    q.chapter_id = wk.chapters[1].id;
    assert_int_equal(store_comment_list(f->s, &q, comment_cb, &l), 0);
    assert_int_equal(l.n, 2);
    q.chapter_id = 0;
    c.chapter_id = 424242;
    c.id = 0;
    assert_int_equal(store_comment_add(f->s, &c), FICD_EINVAL);

    /* edit */
    assert_int_equal(store_comment_edit(f->s, a, "<p>Edited</p>"), 0);
    assert_int_equal(store_comment_get(f->s, a, &got), 0);
    assert_string_equal(got.html, "<p>Edited</p>");
    assert_true(got.edited > 0);
    comment_free(&got);
    assert_int_equal(store_comment_edit(f->s, a, ""), FICD_EINVAL);

    /* delete with replies: a placeholder; then the last reply goes and takes it along */
    int64_t before = comments_of(f->s, w);
    assert_int_equal(store_comment_delete(f->s, a1), 0);
    assert_int_equal(comments_of(f->s, w), before - 1);
    assert_int_equal(store_comment_get(f->s, a1, &got), 0);
    assert_true(got.deleted);
    comment_free(&got);
    assert_int_equal(store_comment_edit(f->s, a1, "<p>x</p>"), FICD_ENOTFOUND);
    c = (struct comment){.work_id = w, .parent_id = a1, .user_id = r1, .name = "r1", .html = "x"};
    assert_int_equal(store_comment_add(f->s, &c), FICD_EINVAL); /* no replies to deleted */
    assert_int_equal(store_comment_delete(f->s, a11), 0);
    assert_int_equal(store_comment_get(f->s, a1, &got), FICD_ENOTFOUND);
    assert_int_equal(store_comment_get(f->s, a, &got), 0); /* a live parent stays */
    comment_free(&got);
    assert_int_equal(comments_of(f->s, w), before - 2);
    assert_int_equal(store_comment_delete(f->s, 99999), FICD_ENOTFOUND);

    /* freeze: no replies anywhere in the thread, until unfrozen */
    assert_int_equal(store_comment_freeze(f->s, b, 1), 0);
    c = (struct comment){.work_id = w, .parent_id = b1, .user_id = r1, .name = "r1", .html = "x"};
    assert_int_equal(store_comment_add(f->s, &c), FICD_EINVAL);
    assert_int_equal(store_comment_freeze(f->s, b, 0), 0);
    c.id = 0;
    assert_int_equal(store_comment_add(f->s, &c), 0);

    /* held comments: not counted, not listed, until approved */
    before = comments_of(f->s, w);
    int64_t h = add_comment(f->s, w, 0, 0, "Spammy", 1);
    assert_int_equal(comments_of(f->s, w), before);
    memset(&l, 0, sizeof(l));
    q.unreviewed = 1;
    assert_int_equal(store_comment_list(f->s, &q, comment_cb, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.ids[0], h);
    assert_int_equal(store_comment_approve(f->s, h), 0);
    assert_int_equal(comments_of(f->s, w), before + 1);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_comment_list(f->s, &q, comment_cb, &l), 0);
    assert_int_equal(l.n, 0);
    work_free(&wk);
}

static int any_work(const struct work *w, void *ctx)
{
    (void)w;
    (void)ctx;
    return 0;
}

static void test_hits_hidden(void **state)
{
    struct fixture *f = *state;
    int64_t owner = new_user(f->s, "writer");
    int64_t w1 = new_work(f->s, owner, "One", NULL), w2 = new_work(f->s, owner, "Two", NULL);
    int64_t ids[] = {w1, w2, 777}, n[] = {3, 1, 5};
    assert_int_equal(store_work_add_hits(f->s, ids, n, 3), 0);
    assert_int_equal(store_work_add_hits(f->s, ids, n, 2), 0);
    struct work got;
    assert_int_equal(store_work_get(f->s, w1, 0, &got), 0);
    assert_int_equal(got.hits, 6);
    assert_int_equal(got.hidden, 0);
    work_free(&got);

    assert_int_equal(store_work_set_hidden(f->s, w1, 1), 0);
    assert_int_equal(store_work_set_hidden(f->s, 777, 1), FICD_ENOTFOUND);
    assert_int_equal(store_work_get(f->s, w1, 0, &got), 0);
    assert_int_equal(got.hidden, 1);
    /* the work form's fields and counters survive an update */
    got.comment_policy = COMMENTS_REGISTERED;
    got.moderate_comments = 1;
    assert_int_equal(store_work_update(f->s, &got), 0);
    work_free(&got);
    assert_int_equal(store_work_get(f->s, w1, 0, &got), 0);
    assert_int_equal(got.hidden, 1);
    assert_int_equal(got.hits, 6);
    assert_int_equal(got.comment_policy, COMMENTS_REGISTERED);
    assert_int_equal(got.moderate_comments, 1);
    work_free(&got);
    int64_t total = 0;
    struct store_work_query q = {0};
    assert_int_equal(store_work_list(f->s, &q, any_work, NULL, &total), 0);
    assert_int_equal(total, 1);
    q.include_hidden = 1;
    assert_int_equal(store_work_list(f->s, &q, any_work, NULL, &total), 0);
    assert_int_equal(total, 2);

    /* subscriptions are stored like the other counters */
    struct work w;
    work_init(&w);
    w.title = strdup("Three");
    w.subscriptions = 9;
    w.kudos = 2;
    assert_int_equal(store_work_insert(f->s, &w), 0);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_int_equal(got.subscriptions, 9);
    assert_int_equal(got.kudos, 2);
    work_free(&got);
    work_free(&w);
}

struct rlist {
    int n;
    int64_t ids[8];
    char reason[8][64];
    char by[8][32];
};

static int report_cb(const struct report *rep, void *ctx)
{
    struct rlist *l = ctx;
    if (l->n < 8) {
        l->ids[l->n] = rep->id;
        snprintf(l->reason[l->n], 64, "%s", rep->reason);
        snprintf(l->by[l->n], 32, "%s", rep->resolved_by ? rep->resolved_by : "");
    }
    l->n++;
    return 0;
}

static int log_cb(const struct modlog_entry *e, void *ctx)
{
    char *out = ctx;
    if (!*out)
        snprintf(out, 200, "%s|%s|%s|%s", e->actor, e->action, e->target,
                 e->reason ? e->reason : "");
    return 0;
}

static int user_cb(const struct user *u, void *ctx)
{
    int *n = ctx;
    (*n)++;
    if (!strcmp(u->name, "bad"))
        assert_true(u->banned);
    return 0;
}

static void test_moderation(void **state)
{
    struct fixture *f = *state;
    int64_t mod = new_user(f->s, "mod"), bad = new_user(f->s, "bad");
    int64_t id1 = 0, id2 = 0, total = 0;
    assert_int_equal(store_report_add(f->s, REPORT_WORK, 5, bad, "1.2.3.4", "spam", &id1), 0);
    assert_int_equal(store_report_add(f->s, REPORT_USER, bad, 0, "1.2.3.5", "abuse", &id2), 0);
    assert_int_equal(store_report_add(f->s, REPORT_USER, bad, 0, NULL, "", NULL), FICD_EINVAL);
    assert_int_equal(store_report_add(f->s, (enum report_kind)9, 1, 0, NULL, "x", NULL),
                     FICD_EINVAL);
    struct rlist l = {0};
    assert_int_equal(store_report_list(f->s, 0, 0, 0, report_cb, &l, &total), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(l.ids[0], id1); /* open ones oldest first */
    assert_int_equal(store_report_resolve(f->s, id1, mod, "hid the work"), 0);
    assert_int_equal(store_report_resolve(f->s, id1, mod, "again"), FICD_EEXISTS);
    assert_int_equal(store_report_resolve(f->s, 999, mod, "x"), FICD_ENOTFOUND);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_report_list(f->s, 1, 0, 0, report_cb, &l, &total), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.by[0], "mod");
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_report_get(f->s, id2, report_cb, &l), 0);
    assert_string_equal(l.reason[0], "abuse");
    assert_int_equal(store_report_get(f->s, 999, report_cb, &l), FICD_ENOTFOUND);

    assert_int_equal(store_modlog_add(f->s, mod, "mod", "ban user", "user bad", "spam"), 0);
    assert_int_equal(store_modlog_add(f->s, mod, "mod", "", "x", NULL), FICD_EINVAL);
    char line[200] = "";
    assert_int_equal(store_modlog_list(f->s, 0, 10, log_cb, line, &total), 0);
    assert_string_equal(line, "mod|ban user|user bad|spam");
    assert_int_equal(total, 1);

    /* suspension and ban; a ban ends the account's sessions */
    assert_int_equal(store_user_suspend(f->s, bad, 2000000000), 0);
    assert_int_equal(store_session_create(f->s, "hash1", bad, 4000000000), 0);
    assert_int_equal(store_user_ban(f->s, bad, 1), 0);
    int64_t who = -1;
    assert_int_equal(store_session_get(f->s, "hash1", &who), 0);
    assert_int_equal(who, 0);
    struct user u;
    assert_int_equal(store_user_get(f->s, bad, &u), 0);
    assert_int_equal(u.suspended_until, 2000000000);
    assert_int_equal(u.banned, 1);
    user_free(&u);
    assert_int_equal(store_user_ban(f->s, 999, 1), FICD_ENOTFOUND);
    int n = 0;
    assert_int_equal(store_user_list(f->s, user_cb, &n), 0);
    assert_int_equal(n, 2);

    /* password reset tokens are single use and expire */
    assert_int_equal(store_reset_create(f->s, "tok", bad, 3000000000), 0);
    assert_int_equal(store_reset_create(f->s, "old", bad, 100), 0);
    assert_int_equal(store_reset_check(f->s, "tok", 1000, &who), 0);
    assert_int_equal(who, bad);
    assert_int_equal(store_reset_use(f->s, "old", 1000, &who), 0);
    assert_int_equal(who, 0);
    assert_int_equal(store_reset_use(f->s, "tok", 1000, &who), 0);
    assert_int_equal(who, bad);
    assert_int_equal(store_reset_use(f->s, "tok", 1000, &who), 0);
    assert_int_equal(who, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inbox, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_kudos, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_comments, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hits_hidden, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_moderation, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
