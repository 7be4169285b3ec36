/* fuzz_config.c: libFuzzer target for the server's settings: the input as a configuration
 * file (key = value lines, comments, quotes) and its lines as FICD_* variables. Either it
 * loads, with every value inside its documented range, or it is refused naming the file
 * and line (or the variable). */
#include "core/err.h"
#include "web/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *env_text;

/* FICD_<KEY>=value lines of the input, as getenv would answer. */
static const char *fake_getenv(const char *name)
{
    size_t n = strlen(name);
    for (char *p = env_text; p && *p;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > n && !strncmp(p, name, n) && p[n] == '=') {
            static char v[4096];
            size_t vn = len - n - 1 < sizeof(v) - 1 ? len - n - 1 : sizeof(v) - 1;
            memcpy(v, p + n + 1, vn);
            v[vn] = 0;
            return v;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static void check_ranges(const struct web_config *c)
{
    if (c->port < 1 || c->port > 65535 || c->threads < 0 || c->threads > 256 || c->timeout < 1 ||
        c->max_body < 1024 || c->max_header < 1024 || c->connection_limit < 1 ||
        c->login_attempts < 1 || c->login_window < 1 || !c->data_dir[0] ||
        strlen(c->listen_host) >= sizeof(c->listen_host))
        abort();
    for (int i = 0; i < RL_NCATEGORIES; i++)
        if (c->rate[i].count < 0 || c->rate[i].window < 1)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    int fd = memfd_create("ficd-config", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    struct web_config c;
    web_config_defaults(&c);
    char err[512] = "";
    int rc = web_config_load_file(&c, path, err, sizeof(err));
    close(fd);
    if (rc == 0)
        check_ranges(&c);
    else if (rc != FICD_EINVAL || !strstr(err, ":"))
        abort();
    env_text = malloc(size + 1);
    if (!env_text)
        abort();
    memcpy(env_text, data, size);
    env_text[size] = 0;
    web_config_defaults(&c);
    err[0] = 0;
    rc = web_config_load_env(&c, fake_getenv, err, sizeof(err));
    if (rc == 0)
        check_ranges(&c);
    else if (rc != FICD_EINVAL || strncmp(err, "FICD_", 5))
        abort();
    free(env_text);
    env_text = NULL;
    return 0;
}
