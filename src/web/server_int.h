/* server_int.h: what the server's three parts share: server.c (the route table, dispatch,
 * one store per worker thread), serve.c (start and stop, the hits writer) and conn.c
 * (libmicrohttpd's callbacks: request intake, responses, the page cache). */
#ifndef FICD_WEB_SERVER_INT_H
#define FICD_WEB_SERVER_INT_H

#include "web/server.h"

#include <microhttpd.h>
#include <stdatomic.h>

/* Set by web_serve (serve.c) before the daemon starts. */
extern struct web_site srv_site;
extern const struct web_config *srv_cfg;
extern atomic_int srv_setup_state;     /* 1 once an account exists */
extern atomic_int srv_active_requests; /* requests between srv_on_uri and srv_on_completed */

/* This thread's store, opened on first use and closed at shutdown. NULL on failure. */
struct store *srv_thread_store(void);
/* Closes every worker thread's store (after the daemon stopped). */
void srv_close_stores(void);
/* Reads the archive name (and whether setup is done) for the layout. */
int srv_load_site(struct web_req *r);
/* Brings the index up to the change log now (after a write, before the response). */
void srv_index_catch_up(struct web_req *r);

/* libmicrohttpd's callbacks (conn.c). */
void *srv_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls);
void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe);

#endif
