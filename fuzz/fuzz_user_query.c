/*
 * fuzz_user_query.c - the users search query (tsr_mgmt_user_query_parse),
 * which reads q straight from the request.
 *
 * Invariants: an accepted query names only non-empty values, each cut from
 * the input; flags are -1, 0 or 1; user_id stands alone; an email prefix
 * and a domain never come together; a refused one always says why.
 */
#include <string.h>

#include "fuzz.h"
#include "mgmt/user_query.h"
#include "util/err.h"

static void check_value(const char *v, const char *q)
{
    if (v == NULL)
        return;
    FUZZ_CHECK(v[0] != '\0');
    FUZZ_CHECK(strlen(v) <= strlen(q));
    FUZZ_CHECK(strchr(v, '"') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fuzz_strndup(data, size);
    struct tsr_mgmt_user_query uq;
    tsr_mgmt_user_query_init(&uq);
    const char *why = NULL;
    int rc = tsr_mgmt_user_query_parse(q, &uq, &why);
    FUZZ_CHECK(rc == 0 || rc == TSR_EINVAL || rc == TSR_ENOMEM);
    FUZZ_CHECK((rc == TSR_EINVAL) == (why != NULL));
    if (rc == 0) {
        const struct tsr_user_filter *f = &uq.filter;
        const char *values[] = {f->email,    f->email_prefix, f->email_domain, f->name,
                                f->nickname, f->username,     f->connection,   uq.user_id};
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
            check_value(values[i], q);
        if (f->search != NULL)
            FUZZ_CHECK(strlen(f->search) <= strlen(q));
        FUZZ_CHECK(f->email_verified >= -1 && f->email_verified <= 1);
        FUZZ_CHECK(f->blocked >= -1 && f->blocked <= 1);
        FUZZ_CHECK(!(f->email_prefix && f->email_domain));
        if (uq.user_id != NULL)
            FUZZ_CHECK(!f->email && !f->email_prefix && !f->email_domain && !f->search &&
                       !f->name && !f->connection && f->blocked < 0);
    }
    tsr_mgmt_user_query_cleanup(&uq);
    free(q);
    return 0;
}
