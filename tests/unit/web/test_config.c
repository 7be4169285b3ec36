/* test_config.c: server settings: defaults, the file, the environment, precedence, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "web/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *fake_env[][2] = {
    {"FICD_MAX_BODY", "2M"},
    {"FICD_LISTEN", "0.0.0.0:9000"},
    {"FICD_TRUST_PROXY", "yes"},
    {NULL, NULL},
};

static const char *env_get(const char *name)
{
    for (size_t i = 0; fake_env[i][0]; i++)
        if (!strcmp(fake_env[i][0], name))
            return fake_env[i][1];
    return NULL;
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static const char *bad_env(const char *name)
{
    return !strcmp(name, "FICD_THREADS") ? "many" : NULL;
}

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/ficd-test-config.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults(void **state)
{
    (void)state;
    struct web_config c;
    web_config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_int_equal(c.max_body, 8 << 20);
    assert_int_equal(c.trust_proxy, 0);
    assert_string_equal(c.data_dir, "./ficd-data");
}

static void test_set_values(void **state)
{
    (void)state;
    struct web_config c;
    char err[256];
    web_config_defaults(&c);
    assert_int_equal(web_config_set(&c, "listen", "[::1]:8443", err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.port, 8443);
    assert_int_equal(web_config_set(&c, "listen", ":81", err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.port, 81);
    assert_int_equal(web_config_set(&c, "max_body", "512K", err, sizeof(err)), 0);
    assert_int_equal(c.max_body, 512 << 10);
    assert_int_equal(web_config_set(&c, "max_body", "1g", err, sizeof(err)), 0);
    assert_int_equal(c.max_body, (size_t)1 << 30);
    assert_int_equal(web_config_set(&c, "access_log", "off", err, sizeof(err)), 0);
    assert_int_equal(c.access_log, 0);

    assert_int_equal(web_config_set(&c, "listen", "::1:80", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "listen", "host:0", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "listen", "host:99999", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "max_body", "12Q", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "max_body", "-5", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "trust_proxy", "maybe", err, sizeof(err)), FICD_EINVAL);
    assert_non_null(strstr(err, "trust_proxy"));
    assert_int_equal(web_config_set(&c, "colour", "blue", err, sizeof(err)), FICD_EINVAL);
    assert_non_null(strstr(err, "unknown setting 'colour'"));
    assert_int_equal(c.max_body, (size_t)1 << 30); /* failures change nothing */
}

static void test_max_header(void **state)
{
    (void)state;
    struct web_config c;
    char err[256];
    web_config_defaults(&c);
    assert_int_equal(c.max_header, 16 << 10);
    assert_int_equal(web_config_set(&c, "max_header", "8K", err, sizeof(err)), 0);
    assert_int_equal(c.max_header, 8 << 10);
    assert_int_equal(web_config_set(&c, "max_header", "1M", err, sizeof(err)), 0);
    assert_int_equal(c.max_header, 1 << 20);
    assert_int_equal(web_config_set(&c, "max_header", "512", err, sizeof(err)), FICD_EINVAL);
    assert_int_equal(web_config_set(&c, "max_header", "2M", err, sizeof(err)), FICD_EINVAL);
    assert_non_null(strstr(err, "max_header"));
    assert_int_equal(c.max_header, 1 << 20);
}

static void test_file(void **state)
{
    (void)state;
    struct web_config c;
    char err[256];
    web_config_defaults(&c);
    const char *p = write_file("# comment\n\nlisten = 127.0.0.1:7000\n"
                               "data = \"/srv/ficd data\"  # trailing comment\n"
                               "max_body=1M\n  threads = 3  \n");
    assert_int_equal(web_config_load_file(&c, p, err, sizeof(err)), 0);
    assert_int_equal(c.port, 7000);
    assert_string_equal(c.data_dir, "/srv/ficd data");
    assert_int_equal(c.max_body, 1 << 20);
    assert_int_equal(c.threads, 3);
    unlink(p);

    p = write_file("listen = 127.0.0.1:7000\nthis line is wrong\n");
    assert_int_equal(web_config_load_file(&c, p, err, sizeof(err)), FICD_EINVAL);
    assert_non_null(strstr(err, ":2:"));
    unlink(p);

    assert_int_equal(web_config_load_file(&c, "/nonexistent/ficd.conf", err, sizeof(err)),
                     FICD_EIO);
}

/* defaults < file < env < flags */
static void test_precedence(void **state)
{
    (void)state;
    struct web_config c;
    char err[256];
    web_config_defaults(&c);
    const char *p = write_file("listen = 127.0.0.1:7000\nmax_body = 1M\ntimeout = 9\n");
    assert_int_equal(web_config_load_file(&c, p, err, sizeof(err)), 0);
    unlink(p);
    assert_int_equal(web_config_load_env(&c, env_get, err, sizeof(err)), 0);
    assert_int_equal(web_config_set(&c, "listen", "127.0.0.2:7001", err, sizeof(err)), 0);
    assert_string_equal(c.listen_host, "127.0.0.2"); /* flag beats env and file */
    assert_int_equal(c.port, 7001);
    assert_int_equal(c.max_body, 2 << 20); /* env beats file */
    assert_int_equal(c.timeout, 9);        /* file beats default */
    assert_int_equal(c.trust_proxy, 1);
    assert_int_equal(c.per_ip_limit, 64); /* default */

    web_config_defaults(&c);
    assert_int_equal(web_config_load_env(&c, no_env, err, sizeof(err)), 0);
    assert_int_equal(c.port, 8080);
    assert_int_equal(web_config_load_env(&c, bad_env, err, sizeof(err)), FICD_EINVAL);
    assert_non_null(strstr(err, "FICD_THREADS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_max_header), cmocka_unit_test(test_file),
        cmocka_unit_test(test_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
