/* serve.c: web_serve, starting and stopping the libmicrohttpd server (the CSRF secret, the
 * index (web/restart.c), the listening socket and thread pool, graceful shutdown on
 * SIGTERM/SIGINT), and the thread that writes the hits counted in memory (the change
 * follower is follow.c). */
#include "core/progress.h"
#include "index/index.h"
#include "web/cache.h"
#include "web/follow.h"
#include "web/hits.h"
#include "web/restart.h"
#include "web/server_int.h"
#include "web/wjcache.h"

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct web_site srv_site;
const struct web_config *srv_cfg;

/* ---- the hits flusher ---- */

/* A thread that writes the hits counted in memory every cfg->hits_flush seconds, with a
 * store of its own; hits_stop() wakes it, and it flushes once more before it ends. */
static pthread_t hits_thread;
static int hits_thread_running;
static pthread_mutex_t hits_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hits_cv = PTHREAD_COND_INITIALIZER;
static int hits_stopping;

static void hits_flush_now(struct store *s)
{
    int rc = hits_flush(s);
    if (rc < 0)
        fprintf(stderr, "ficd: cannot write hits (kept for the next try): %s\n",
                rc == FICD_EDB || rc == FICD_EBUSY ? store_errmsg(s) : ficd_strerror(rc));
}

static void *hits_main(void *arg)
{
    (void)arg;
    struct store *s = NULL;
    if (store_open(srv_cfg->data_dir, &s)) {
        fprintf(stderr, "ficd: cannot open the store for hits in %s: %s\n", srv_cfg->data_dir,
                store_open_error());
        return NULL;
    }
    pthread_mutex_lock(&hits_mu);
    while (!hits_stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += srv_cfg->hits_flush;
        while (!hits_stopping && pthread_cond_timedwait(&hits_cv, &hits_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&hits_mu);
        hits_flush_now(s);
        pthread_mutex_lock(&hits_mu);
    }
    pthread_mutex_unlock(&hits_mu);
    hits_flush_now(s); /* what came in while stopping */
    store_close(s);
    return NULL;
}

static void hits_start(void)
{
    /* visits are hashed with a key every node derives from the archive's secret */
    unsigned char key[16];
    crypto_generichash(key, sizeof(key), (const unsigned char *)"ficd hits", 9, srv_site.secret,
                       sizeof(srv_site.secret));
    hits_set_key(key, sizeof(key));
    hits_init(srv_cfg->hits);
    hits_stopping = 0;
    if (!srv_cfg->hits)
        return;
    hits_thread_running = pthread_create(&hits_thread, NULL, hits_main, NULL) == 0;
    if (!hits_thread_running)
        fprintf(stderr, "ficd: cannot start the hits writer; hits are not counted\n");
    if (!hits_thread_running)
        hits_init(0);
}

static void hits_stop(void)
{
    if (hits_thread_running) {
        pthread_mutex_lock(&hits_mu);
        hits_stopping = 1;
        pthread_cond_broadcast(&hits_cv);
        pthread_mutex_unlock(&hits_mu);
        pthread_join(hits_thread, NULL);
        hits_thread_running = 0;
    }
    hits_free();
}

/* ---- start and stop ---- */

/* Reads the CSRF secret from the settings, creating it on first run (store_setting_init:
 * nodes starting at once on a new database agree on one); drops expired sessions; notes
 * whether first-run setup is done. */
static int prepare_site(struct store *s)
{
    char fresh[65];
    unsigned char bin[32];
    randombytes_buf(bin, sizeof(bin));
    sodium_bin2hex(fresh, sizeof(fresh), bin, sizeof(bin));
    char *hex = NULL;
    if (store_setting_init(s, "csrf_secret", fresh, &hex))
        return FICD_EDB;
    size_t n = 0;
    if (sodium_hex2bin(srv_site.secret, sizeof(srv_site.secret), hex, strlen(hex), NULL, &n,
                       NULL) != 0 ||
        n != sizeof(srv_site.secret)) {
        /* unreadable (set by hand?): replace it, for every node */
        memcpy(srv_site.secret, bin, sizeof(bin));
        if (store_setting_set(s, "csrf_secret", fresh)) {
            free(hex);
            return FICD_EDB;
        }
    }
    free(hex);
    int64_t users = 0;
    if (store_user_count(s, &users) || store_session_purge(s, (int64_t)time(NULL)))
        return FICD_EDB;
    atomic_store(&srv_setup_state, users > 0);
    return 0;
}

int web_serve(const struct web_config *cfg)
{
    if (sodium_init() < 0)
        return FICD_EINTERNAL;
    srv_cfg = cfg;
    struct store *main_store;
    int rc = store_set_database(cfg->database);
    if (!rc)
        rc = store_open(cfg->data_dir, &main_store);
    if (rc) {
        fprintf(stderr, "ficd serve: cannot open data directory %s: %s\n", cfg->data_dir,
                store_open_error());
        return rc;
    }
    rc = prepare_site(main_store);
    if (rc) {
        fprintf(stderr, "ficd serve: %s\n", store_errmsg(main_store));
        store_close(main_store);
        return rc;
    }
    /* a worker waits on every round trip to a database server: more of them than cores */
    int remote_db = strcmp(store_backend(main_store), "sqlite") != 0;
    rc = index_start(cfg->data_dir, main_store, &srv_site.idx); /* web/restart.c */
    store_close(main_store);
    if (rc)
        return rc;

    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof(port), "%d", cfg->port);
    int gai = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (gai) {
        fprintf(stderr, "ficd serve: cannot resolve %s: %s\n", cfg->listen_host, gai_strerror(gai));
        index_stop(srv_site.idx);
        srv_site.idx = NULL;
        return FICD_EINVAL;
    }

    /* Worker threads inherit this mask, so the signals reach only sigwait below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* room for a head over max_header to arrive whole (so it gets ficd's 431 page) and for
     * the response headers */
    size_t pool = cfg->connection_memory;
    if (pool < cfg->max_header + ((size_t)16 << 10))
        pool = cfg->max_header + ((size_t)16 << 10);
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads
                                        : (unsigned)(cores > 0 ? cores : 1) * (remote_db ? 4 : 1);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    page_cache_init(cfg->page_cache, cfg->page_cache_ttl * 1000);
    wjc_configure(cfg->work_cache);
    hits_start(); /* before the first request, so none goes uncounted */
    /* the index follows the change log on a thread of its own (writes from other nodes and
     * processes reach it within milliseconds, before a reader asks) */
    rc = web_follow_start(cfg->data_dir, srv_site.idx, 250);
    if (rc)
        fprintf(stderr,
                "ficd serve: cannot start the change follower (%s); requests will catch the "
                "index up themselves\n",
                ficd_strerror(rc));
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, srv_on_request, NULL, MHD_OPTION_SOCK_ADDR,
        ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_URI_LOG_CALLBACK, srv_on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, srv_on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        fprintf(stderr, "ficd serve: cannot listen on %s:%d (in use, or not permitted)\n",
                cfg->listen_host, cfg->port);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        web_follow_stop();
        hits_stop();
        page_cache_free();
        index_stop(srv_site.idx);
        srv_site.idx = NULL;
        return FICD_EIO;
    }
    fprintf(stderr, "ficd: serving http://%s:%d/ from %s with %u threads\n", cfg->listen_host,
            cfg->port, cfg->data_dir, threads);

    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "ficd: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    for (int i = 0; i < 100 && atomic_load(&srv_active_requests) > 0; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    web_follow_stop();
    hits_stop(); /* after the last request: every hit counted is written */
    page_cache_free();
    srv_close_stores();
    index_stop(srv_site.idx); /* writes the index snapshot for the next start */
    srv_site.idx = NULL;
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    fprintf(stderr, "ficd: stopped\n");
    return 0;
}
