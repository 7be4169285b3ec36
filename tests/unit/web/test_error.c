/* test_error.c: 5xx pages log their cause (the store's message) with the request id the
 * page shows, whatever the call site passed; 4xx pages neither log nor show an id; request
 * ids are distinct. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "web/page.h"
#include "web/server.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static struct store *st;
static struct web_config cfg;
static struct web_site site;

static int setup(void **state)
{
    (void)state;
    web_config_defaults(&cfg);
    snprintf(dir, sizeof(dir), "/tmp/ficd-test-err.XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, &st), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Runs ui_error with stderr captured into log (NUL-terminated). */
static int capture(struct web_req *r, int status, const char *msg, char *log, size_t n)
{
    char path[96];
    snprintf(path, sizeof(path), "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    int got = ui_error(r, status, msg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t k = read(fd, log, n - 1);
    log[k > 0 ? k : 0] = 0;
    close(fd);
    return got;
}

static void test_500_logs_cause(void **state)
{
    (void)state;
    struct web_req r;
    web_req_init(&r, &cfg, &site);
    r.store = st;
    r.method = "POST";
    r.path = web_strdup(&r, "/works/424242/delete");
    r.archive_name = web_strdup(&r, "Test");
    assert_int_equal(store_work_delete(st, 424242), FICD_ENOTFOUND); /* the store's message */
    char log[4096];
    assert_int_equal(capture(&r, 500, "The work could not be deleted.", log, sizeof(log)), 500);
    assert_true(strlen(r.request_id) > 8);
    assert_non_null(strstr(log, r.request_id));
    assert_non_null(strstr(log, "The work could not be deleted."));
    assert_non_null(strstr(log, "no work 424242"));
    assert_non_null(strstr(log, "/works/424242/delete"));
    const char *page = buf_str(&r.out);
    assert_non_null(strstr(page, r.request_id));
    assert_non_null(strstr(page, "id=\"request-id\""));
    char id1[20];
    memcpy(id1, r.request_id, sizeof(id1));
    web_req_free(&r);

    /* a 404 logs nothing and shows no id */
    web_req_init(&r, &cfg, &site);
    r.store = st;
    r.archive_name = web_strdup(&r, "Test");
    assert_string_not_equal(r.request_id, id1);
    assert_int_equal(capture(&r, 404, NULL, log, sizeof(log)), 404);
    assert_string_equal(log, "");
    assert_null(strstr(buf_str(&r.out), "request-id"));
    web_req_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_500_logs_cause),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
