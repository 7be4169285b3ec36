/* ui_works.c: the works index (/works): every work the visitor may read, with AO3's filter
 * sidebar, full-text search within the results and pagination (ui_search.c does the work). */
#include "web/page.h"

int ui_works_index(struct web_req *r)
{
    return ui_search_works(r, "/works", NULL);
}
