/* api_client.c: the sequential client of the JSON API benchmark (bench/api.sh): sends a list
 * of GET requests one after another on one keep-alive connection, times each from the first
 * byte sent to the last byte of the body received, checks every answer (status 200, JSON with
 * the expected total and page) and prints latency percentiles. */
/*
 * Usage: bench_api_client --port P --urls FILE [--host 127.0.0.1] [--expected FILE]
 *                         [--gzip] [--html] [--passes K] [--times FILE] [--slow N]
 *
 * FILE holds one request target per line (/api/v1/works?...), as bench_filter --dump-urls
 * writes it; --expected the matching "total id,id,..." lines (FILE.expected). Requests carry
 * the headers a browser's fetch() would (Accept, User-Agent) and, with --gzip, a browser's
 * Accept-Encoding ("gzip, deflate, br, zstd"); gzipped bodies are inflated after the clock
 * stops. The list is sent K times (default 3): the figures are the first pass (every
 * request seen by the server once) and the best of the K passes per request. --times FILE
 * writes the first pass's time of each request (ms, one a line, in list order); --slow N
 * prints the N slowest requests of the first pass. Exit status 1 when any answer is wrong.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads a file's lines (newline stripped) into *out; returns the count or -1. */
static int read_lines(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char **v = NULL, *line = NULL;
    size_t cap = 0, lcap = 0;
    int n = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!len)
            continue;
        if ((size_t)n == cap) {
            cap = cap ? cap * 2 : 1024;
            v = realloc(v, cap * sizeof(*v));
        }
        v[n++] = strdup(line);
    }
    free(line);
    fclose(f);
    *out = v;
    return n;
}

struct conn {
    int fd;
    char *buf; /* bytes received and not yet consumed */
    size_t len, cap;
};

static int conn_open(struct conn *c, const char *host, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)))
        return -1;
    c->len = 0;
    return 0;
}

/* Receives more bytes; 0 on success, -1 when the connection closed or failed. */
static int conn_fill(struct conn *c)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap ? c->cap * 2 : 1 << 20;
        c->buf = realloc(c->buf, c->cap);
    }
    ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
    if (n <= 0)
        return -1;
    c->len += (size_t)n;
    c->buf[c->len] = 0;
    return 0;
}

struct resp {
    int status, gzip;
    char *body; /* malloc'd, NUL-terminated */
    size_t len;
};

/* Reads one response with a Content-Length body (all libmicrohttpd sends for buffers). */
static int read_response(struct conn *c, struct resp *r)
{
    char *end;
    while (!(c->buf && (end = strstr(c->buf, "\r\n\r\n"))))
        if (conn_fill(c))
            return -1;
    size_t head = (size_t)(end - c->buf) + 4;
    r->status = atoi(c->buf + 9);
    r->gzip = 0;
    long clen = -1;
    for (char *p = strstr(c->buf, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
        if (!strncasecmp(p + 2, "Content-Length:", 15))
            clen = atol(p + 17);
        else if (!strncasecmp(p + 2, "Content-Encoding:", 17) && strstr(p + 2, "gzip") &&
                 strstr(p + 2, "gzip") < strstr(p + 2, "\r\n"))
            r->gzip = 1;
        else if (!strncasecmp(p + 2, "Transfer-Encoding:", 18))
            return -2; /* chunked: not expected from this server */
    }
    if (clen < 0)
        return -2;
    while (c->len < head + (size_t)clen)
        if (conn_fill(c))
            return -1;
    r->len = (size_t)clen;
    r->body = malloc(r->len + 1);
    memcpy(r->body, c->buf + head, r->len);
    r->body[r->len] = 0;
    memmove(c->buf, c->buf + head + clen, c->len - head - (size_t)clen);
    c->len -= head + (size_t)clen;
    c->buf[c->len] = 0;
    return 0;
}

/* Inflates a gzip body in place of r->body; 0 or -1. */
static int gunzip(struct resp *r)
{
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return -1;
    size_t cap = r->len * 8 + 4096, n = 0;
    char *out = malloc(cap);
    z.next_in = (unsigned char *)r->body;
    z.avail_in = (unsigned)r->len;
    int rc;
    do {
        if (cap - n < 4096)
            out = realloc(out, cap *= 2);
        z.next_out = (unsigned char *)out + n;
        z.avail_out = (unsigned)(cap - n - 1);
        rc = inflate(&z, Z_NO_FLUSH);
        n = cap - 1 - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return -1;
    }
    out[n] = 0;
    free(r->body);
    r->body = out;
    r->len = n;
    return 0;
}

/* --html: the targets are rendered pages (asked for as text/html), checked for a 200 and a
 * whole page instead of the API's JSON. */
static int html_mode;

/* Checks an answer against "total id,id,..." (exp may be NULL: then only a sane total). */
static int check(const struct resp *r, const char *exp, char *why, size_t n)
{
    if (r->status != 200) {
        snprintf(why, n, "status %d", r->status);
        return -1;
    }
    if (html_mode) {
        if (r->len < 7 || !memmem(r->body, r->len, "</html>", 7)) {
            snprintf(why, n, "not a whole HTML page");
            return -1;
        }
        return 0;
    }
    json_error_t e;
    json_t *j = json_loadb(r->body, r->len, 0, &e);
    json_t *t = j ? json_object_get(j, "total") : NULL;
    json_t *works = j ? json_object_get(j, "works") : NULL;
    if (!json_is_integer(t) || json_integer_value(t) < 0 || !json_is_array(works)) {
        snprintf(why, n, "not the API's JSON (%s)", j ? "no total or works" : e.text);
        json_decref(j);
        return -1;
    }
    int rc = 0;
    if (exp) {
        long long want = atoll(exp);
        const char *ids = strchr(exp, ' ');
        ids = ids ? ids + 1 : "-";
        char got[1024] = "";
        size_t len = 0;
        for (size_t i = 0; i < json_array_size(works) && len < sizeof(got) - 32; i++)
            len += (size_t)snprintf(
                got + len, sizeof(got) - len, "%s%lld", i ? "," : "",
                (long long)json_integer_value(json_object_get(json_array_get(works, i), "id")));
        if (!len)
            snprintf(got, sizeof(got), "-");
        if (json_integer_value(t) != want || strcmp(got, ids)) {
            snprintf(why, n, "total %lld (expected %lld), page %.200s (expected %.200s)",
                     (long long)json_integer_value(t), want, got, ids);
            rc = -1;
        }
    }
    json_decref(j);
    return rc;
}

static void report(const char *name, const double *t, int n)
{
    double *s = malloc(n * sizeof(double)), sum = 0;
    memcpy(s, t, n * sizeof(double));
    qsort(s, (size_t)n, sizeof(double), cmp_d);
    for (int i = 0; i < n; i++)
        sum += s[i];
    printf("%-12s n=%-5d p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms  mean %7.3f ms\n",
           name, n, s[n / 2], s[(int)(n * 0.9)], s[(int)(n * 0.99)], s[n - 1], sum / n);
    free(s);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *urls_path = NULL, *exp_path = NULL, *times_path = NULL;
    int port = 0, gz = 0, passes = 3, nslow = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--host") && i + 1 < argc)
            host = argv[++i];
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--urls") && i + 1 < argc)
            urls_path = argv[++i];
        else if (!strcmp(argv[i], "--expected") && i + 1 < argc)
            exp_path = argv[++i];
        else if (!strcmp(argv[i], "--times") && i + 1 < argc)
            times_path = argv[++i];
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
            passes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--slow") && i + 1 < argc)
            nslow = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--gzip"))
            gz = 1;
        else if (!strcmp(argv[i], "--html"))
            html_mode = 1;
        else {
            fprintf(stderr,
                    "usage: bench_api_client --port P --urls FILE [--host H] "
                    "[--expected FILE] [--gzip] [--html] [--passes K] [--times FILE] [--slow N]\n");
            return 2;
        }
    }
    char **urls, **exp = NULL;
    int n = urls_path ? read_lines(urls_path, &urls) : -1;
    if (port <= 0 || n <= 0 || passes < 1) {
        fprintf(stderr, "bench_api_client: --port and a non-empty --urls file are needed\n");
        return 2;
    }
    if (exp_path && read_lines(exp_path, &exp) != n) {
        fprintf(stderr, "bench_api_client: %s does not have one line per URL\n", exp_path);
        return 2;
    }
    struct conn c = {0};
    if (conn_open(&c, host, port)) {
        perror("bench_api_client: connect");
        return 1;
    }
    double *first = malloc(n * sizeof(double)), *best = malloc(n * sizeof(double));
    uint64_t bytes = 0, bytes_json = 0;
    int bad = 0, reconnects = 0;
    char req[8192], why[600];
    for (int p = 0; p < passes; p++) {
        for (int i = 0; i < n; i++) {
            int len = snprintf(req, sizeof(req),
                               "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: ficd-bench/1\r\n"
                               "Accept: %s\r\n%s\r\n",
                               urls[i], host, port, html_mode ? "text/html" : "application/json",
                               gz ? "Accept-Encoding: gzip, deflate, br, zstd\r\n" : "");
            struct resp r;
            double t0 = now_ms();
            int rc = send(c.fd, req, (size_t)len, MSG_NOSIGNAL) == len ? read_response(&c, &r) : -1;
            double dt = now_ms() - t0;
            if (rc == -1 && reconnects < 10) { /* the server closed the connection: again */
                reconnects++;
                close(c.fd);
                if (conn_open(&c, host, port)) {
                    perror("bench_api_client: connect");
                    return 1;
                }
                i--;
                continue;
            }
            if (rc) {
                fprintf(stderr, "bench_api_client: no answer to %s\n", urls[i]);
                return 1;
            }
            if (p == 0)
                first[i] = best[i] = dt;
            else if (dt < best[i])
                best[i] = dt;
            if (p == 0) {
                bytes += r.len;
                if (r.gzip && gunzip(&r)) {
                    fprintf(stderr, "bench_api_client: bad gzip body for %s\n", urls[i]);
                    bad++;
                } else if (check(&r, exp ? exp[i] : NULL, why, sizeof(why))) {
                    if (bad < 5)
                        fprintf(stderr, "bench_api_client: %s: %s\n", urls[i], why);
                    bad++;
                }
                bytes_json += r.len;
            }
            free(r.body);
        }
    }
    close(c.fd);
    printf("requests   %d x %d passes on one keep-alive connection%s; first pass: %d wrong, "
           "%.1f KB per response on the wire, %.1f KB of JSON; %d reconnects\n",
           n, passes, gz ? " with Accept-Encoding: gzip, deflate, br, zstd" : " (no compression)",
           bad, bytes / 1024.0 / n, bytes_json / 1024.0 / n, reconnects);
    report("first pass", first, n);
    if (passes > 1)
        report("best of passes", best, n);
    if (times_path) {
        FILE *f = fopen(times_path, "w");
        for (int i = 0; f && i < n; i++)
            fprintf(f, "%.4f\n", first[i]);
        if (f)
            fclose(f);
    }
    for (int k = 0; k < nslow && k < n; k++) {
        int w = 0;
        for (int i = 1; i < n; i++)
            if (first[i] > first[w])
                w = i;
        printf("slow       %.3f ms (best %.3f): %s -> %.40s\n", first[w], best[w], urls[w],
               exp ? exp[w] : "");
        first[w] = -first[w];
    }
    return bad ? 1 : 0;
}
