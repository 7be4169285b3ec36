/* wordcount.h: word counts as AO3 counts them (see docs/wordcount.md): the text of the
 * HTML with tags removed, split on whitespace, each run of non-space characters that holds
 * at least one letter or digit counting as one word; hyphenated and apostrophe'd words count
 * once; em dashes between words (word—word) separate words; CJK characters count one word
 * each. */
#ifndef FICD_WORDCOUNT_H
#define FICD_WORDCOUNT_H

#include <stddef.h>

int wordcount_text(const char *utf8, size_t n);
int wordcount_html(const char *html);

#endif
