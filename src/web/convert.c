/* convert.c: the ebook-convert job queue: a fixed pool of converter threads (started on first
 * use), a bounded queue, one job per (EPUB version, format), results renamed into the cache
 * directory only when complete, failures remembered for ten minutes, a time limit per run. */
#include "web/convert.h"
#include "core/hash.h"
#include "web/config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define QUEUE_MAX   16
#define RUN_LIMIT_S 300
#define FAIL_TTL_S  600
#define MAX_THREADS 8

struct job {
    char key[HASH_SHA256_HEX];
    enum convert_format fmt;
    int state; /* CONVERT_PENDING or CONVERT_FAILED */
    int taken; /* a converter thread runs it */
    time_t since;
    struct job *next;
};

static struct {
    pthread_once_t once;
    int available;
    char tool[1024];
    char dir[1200];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *jobs; /* every known job: pending (queued or running) and failed */
    size_t waiting;   /* pending jobs not yet taken by a thread */
} g = {.once = PTHREAD_ONCE_INIT, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static const struct web_config *init_cfg;

static const char *const exts[] = {"azw3", "mobi", "pdf"};
static const char *const labels[] = {"AZW3", "MOBI", "PDF"};
static const char *const mimes[] = {"application/vnd.amazon.ebook",
                                    "application/x-mobipocket-ebook", "application/pdf"};

int convert_format_parse(const char *ext)
{
    for (int i = 0; i < CONVERT__COUNT; i++)
        if (!strcmp(ext, exts[i]))
            return i;
    return -1;
}

const char *convert_ext(enum convert_format f)
{
    return exts[f];
}

const char *convert_label(enum convert_format f)
{
    return labels[f];
}

const char *convert_mime(enum convert_format f)
{
    return mimes[f];
}

static int find_tool(const char *name, char *out, size_t outsz)
{
    if (!name || !*name || !strcmp(name, "off"))
        return 0;
    if (strchr(name, '/')) {
        snprintf(out, outsz, "%s", name);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *e = strchr(path, ':');
        size_t n = e ? (size_t)(e - path) : strlen(path);
        snprintf(out, outsz, "%.*s/%s", (int)n, path, name);
        if (n && access(out, X_OK) == 0)
            return 1;
        if (!e)
            break;
        path = e + 1;
    }
    return 0;
}

static int mkdirs(const char *d)
{
    return mkdir(d, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* Runs ebook-convert in -> out within the time limit; 0 on success. */
static int run_tool(const char *in, const char *out, const char *log)
{
    char home[1300], envhome[1310];
    snprintf(home, sizeof(home), "%s/home", g.dir);
    snprintf(envhome, sizeof(envhome), "HOME=%s", home);
    mkdirs(home);
    /* the environment: ours, with calibre's Qt drawing off screen (PDF output renders with
     * Qt WebEngine, whose Chromium refuses to run as root with its sandbox) */
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 4, sizeof(char *));
    if (!env)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "QT_QPA_PLATFORM=", 16) &&
            strncmp(environ[i], "QTWEBENGINE_CHROMIUM_FLAGS=", 27))
            env[k++] = environ[i];
    env[k++] = envhome;
    env[k++] = "QT_QPA_PLATFORM=offscreen";
    if (geteuid() == 0)
        env[k++] = "QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox";
    env[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    /* its own process group, so that a run over the limit is killed with its children */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    char *argv[] = {g.tool, (char *)in, (char *)out, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, g.tool, &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(env);
    if (rc)
        return -1;
    int status = 0;
    for (int waited = 0;; waited++) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
        if (waited >= RUN_LIMIT_S * 10) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void final_path(const char *key, enum convert_format f, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s.%s", g.dir, key, exts[f]);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g.mu);
    for (;;) {
        struct job *j = NULL;
        while (!j) {
            for (struct job *x = g.jobs; x; x = x->next)
                if (x->state == CONVERT_PENDING && !x->taken)
                    j = x; /* the oldest: jobs are pushed at the head */
            if (!j)
                pthread_cond_wait(&g.cv, &g.mu);
        }
        j->taken = 1;
        g.waiting--;
        char key[HASH_SHA256_HEX];
        memcpy(key, j->key, sizeof(key));
        enum convert_format f = j->fmt;
        pthread_mutex_unlock(&g.mu);

        char in[1400], tmp[1400], out[1400], log[1400];
        snprintf(in, sizeof(in), "%s/tmp/%s.epub", g.dir, key);
        snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%lx.%s", g.dir, key, (unsigned long)pthread_self(),
                 exts[f]);
        snprintf(log, sizeof(log), "%s/tmp/%s.%s.log", g.dir, key, exts[f]);
        final_path(key, f, out, sizeof(out));
        int ok = run_tool(in, tmp, log) == 0 && rename(tmp, out) == 0;
        if (!ok) {
            unlink(tmp);
            fprintf(stderr, "ficd: ebook-convert could not make %s (see %s)\n", out, log);
        } else {
            unlink(log);
        }

        pthread_mutex_lock(&g.mu);
        for (struct job **p = &g.jobs; *p; p = &(*p)->next)
            if (*p == j) {
                if (ok) {
                    *p = j->next;
                    free(j);
                } else {
                    j->state = CONVERT_FAILED;
                    j->since = time(NULL);
                }
                break;
            }
        /* the EPUB is kept while another format of it is pending */
        int needed = 0;
        for (struct job *x = g.jobs; x; x = x->next)
            needed |= x->state == CONVERT_PENDING && !strcmp(x->key, key);
        if (!needed)
            unlink(in);
    }
    return NULL;
}

static void init(void)
{
    const struct web_config *cfg = init_cfg;
    const char *tool = cfg && cfg->ebook_convert[0] ? cfg->ebook_convert : "ebook-convert";
    if (!find_tool(tool, g.tool, sizeof(g.tool)))
        return;
    snprintf(g.dir, sizeof(g.dir), "%s/downloads", cfg ? cfg->data_dir : ".");
    char tmp[1300];
    snprintf(tmp, sizeof(tmp), "%s/tmp", g.dir);
    if (mkdirs(g.dir) || mkdirs(tmp)) {
        fprintf(stderr, "ficd: cannot create %s: %s; AZW3, MOBI and PDF downloads are off\n", tmp,
                strerror(errno));
        return;
    }
    int n = cfg && cfg->conversions > 0 ? cfg->conversions : 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    int started = 0;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) == 0) {
            pthread_detach(t);
            started++;
        }
    }
    g.available = started > 0;
}

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int init_done;

int convert_available(const struct web_config *cfg)
{
    /* every work page asks: after the first time, one atomic load */
    if (init_done)
        return g.available;
    /* the first caller with a configuration decides (the data directory, the tool) */
    pthread_mutex_lock(&init_mu);
    if (!init_cfg)
        init_cfg = cfg;
    int ready = init_cfg != NULL;
    pthread_mutex_unlock(&init_mu);
    if (!ready)
        return 0;
    pthread_once(&g.once, init);
    init_done = 1;
    return g.available;
}

static int write_file(const char *path, const void *p, size_t n)
{
    char tmp[1500];
    snprintf(tmp, sizeof(tmp), "%s.%lx", path, (unsigned long)pthread_self());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int bad = fwrite(p, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

enum convert_state convert_get(const struct web_config *cfg, const void *epub, size_t n,
                               enum convert_format f, char **path)
{
    *path = NULL;
    if (!convert_available(cfg) || (unsigned)f >= CONVERT__COUNT)
        return CONVERT_ERROR;
    char key[HASH_SHA256_HEX], out[1400];
    hash_sha256_hex(epub, n, key);
    final_path(key, f, out, sizeof(out));
    if (access(out, R_OK) == 0) {
        *path = strdup(out);
        return *path ? CONVERT_READY : CONVERT_ERROR;
    }
    enum convert_state st = CONVERT_PENDING;
    pthread_mutex_lock(&g.mu);
    time_t now = time(NULL);
    struct job *j = NULL;
    for (struct job **p = &g.jobs; *p;) {
        struct job *x = *p;
        if (x->state == CONVERT_FAILED && now - x->since > FAIL_TTL_S) {
            *p = x->next; /* failures are forgotten after a while: tried again */
            free(x);
            continue;
        }
        if (x->fmt == f && !strcmp(x->key, key))
            j = x;
        p = &x->next;
    }
    if (j) {
        st = (enum convert_state)j->state;
    } else if (g.waiting >= QUEUE_MAX) {
        st = CONVERT_BUSY;
    } else {
        char in[1400];
        snprintf(in, sizeof(in), "%s/tmp/%s.epub", g.dir, key);
        j = calloc(1, sizeof(*j));
        if (!j || (access(in, R_OK) != 0 && write_file(in, epub, n))) {
            free(j);
            st = CONVERT_ERROR;
        } else {
            memcpy(j->key, key, sizeof(key));
            j->fmt = f;
            j->state = CONVERT_PENDING;
            j->since = now;
            j->next = g.jobs;
            g.jobs = j;
            g.waiting++;
            pthread_cond_signal(&g.cv);
        }
    }
    pthread_mutex_unlock(&g.mu);
    return st;
}
