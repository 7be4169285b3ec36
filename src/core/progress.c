/* progress.c: the terminal progress bar. */
#include "core/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

int64_t progress_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw(struct progress *p)
{
    double secs = (double)(progress_now_ms() - p->start_ms) / 1000.0;
    if (p->total) {
        int width = 30;
        int fill = (int)((double)p->done / (double)p->total * width);
        if (fill > width)
            fill = width;
        fprintf(stderr, "\r%s [", p->label);
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', stderr);
        fprintf(stderr, "] %llu/%llu %5.1fs", (unsigned long long)p->done,
                (unsigned long long)p->total, secs);
    } else {
        fprintf(stderr, "\r%s %llu %5.1fs", p->label, (unsigned long long)p->done, secs);
    }
    fflush(stderr);
}

void progress_start(struct progress *p, const char *label, uint64_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->tty = isatty(STDERR_FILENO);
    p->start_ms = progress_now_ms();
    p->last_draw_ms = 0;
}

void progress_update(struct progress *p, uint64_t done)
{
    p->done = done;
    if (!p->tty)
        return;
    int64_t now = progress_now_ms();
    if (now - p->last_draw_ms < 100)
        return;
    p->last_draw_ms = now;
    draw(p);
}

void progress_finish(struct progress *p)
{
    if (!p->tty)
        return;
    draw(p);
    fputc('\n', stderr);
}
