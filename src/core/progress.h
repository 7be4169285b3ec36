/* progress.h: a progress bar for long work (imports, index builds), drawn on stderr only when
 * stderr is a terminal; silent otherwise. */
#ifndef FICD_PROGRESS_H
#define FICD_PROGRESS_H

#include <stdint.h>

struct progress {
    const char *label;
    uint64_t total; /* 0 when unknown: shows a count instead of a bar */
    uint64_t done;
    int tty;
    int64_t last_draw_ms;
    int64_t start_ms;
};

void progress_start(struct progress *p, const char *label, uint64_t total);
/* Sets the amount done; redraws at most ~10 times per second. */
void progress_update(struct progress *p, uint64_t done);
/* Draws the final state and ends the line. */
void progress_finish(struct progress *p);
int64_t progress_now_ms(void);

#endif
