/*
 * fixture_people.h - a migrated in-memory store holding one tenant and its
 * default connection, shared by the user, connection and ticket tests.
 * Include after <cmocka.h>.
 */
#ifndef TSR_TEST_FIXTURE_PEOPLE_H
#define TSR_TEST_FIXTURE_PEOPLE_H

#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "core/connection.h"
#include "core/tenant.h"
#include "util/log.h"
#include "store/store.h"

struct people {
    tsr_store *st;
    char *tenant_id;
    struct tsr_connection conn; /* the default connection */
};

/* Inserts a client of the fixture's tenant and returns its id (caller frees). */
static inline char *people_add_client(struct people *p)
{
    struct tsr_client c;
    assert_int_equal(tsr_client_init_new(&c, p->tenant_id), 0);
    assert_int_equal(tsr_client_insert(p->st, &c), 0);
    char *id = strdup(c.client_id);
    tsr_client_cleanup(&c);
    return id;
}

static inline int people_setup(void **state)
{
    tsr_log_set_level(TSR_LOG_WARN);
    struct people *p = calloc(1, sizeof *p);
    assert_non_null(p);
    assert_int_equal(tsr_store_open("sqlite::memory:", &p->st), 0);
    assert_int_equal(tsr_store_migrate(p->st, NULL), 0);
    struct tsr_tenant t = {.issuer = "https://id.example.com/", .friendly_name = "test",
                           .default_audience = "", .is_default = true};
    assert_int_equal(tsr_tenant_insert(p->st, &t), 0);
    p->tenant_id = t.id;
    assert_int_equal(tsr_connection_ensure_default(p->st, p->tenant_id), 0);
    assert_int_equal(
        tsr_connection_get_by_name(p->st, p->tenant_id, TSR_DEFAULT_CONNECTION, &p->conn), 0);
    *state = p;
    return 0;
}

static inline int people_teardown(void **state)
{
    struct people *p = *state;
    tsr_connection_cleanup(&p->conn);
    free(p->tenant_id);
    tsr_store_close(p->st);
    free(p);
    return 0;
}

#endif
