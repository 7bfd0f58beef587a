/*
 * ticket_url.c - the URLs around a ticket: the link a user opens, and the
 * caller's result_url with the outcome in its query.
 */
#include <string.h>

#include "core/ticket.h"
#include "util/strbuf.h"

char *tsr_ticket_url(const char *issuer, enum tsr_ticket_kind kind, const char *secret)
{
    struct tsr_strbuf b = {0};
    tsr_strbuf_append(&b, issuer);
    tsr_strbuf_append(&b, kind == TSR_TICKET_EMAIL ? "u/email-verification?ticket="
                                                   : "u/reset-password?ticket=");
    tsr_strbuf_append_urlenc(&b, secret);
    return tsr_strbuf_take(&b, NULL);
}

/*
 * The parameters go before a fragment, if any, and after an existing
 * query.  The Management API accepts no fragment in result_url; the check
 * here keeps the result well formed whatever is stored.
 */
char *tsr_ticket_result_url(const char *result_url, bool success, const char *message,
                            const char *email)
{
    size_t head = strcspn(result_url, "#");
    bool has_query = memchr(result_url, '?', head) != NULL;
    struct tsr_strbuf b = {0};
    tsr_strbuf_appendn(&b, result_url, head);
    tsr_strbuf_append(&b, has_query ? "&" : "?");
    tsr_strbuf_append(&b, success ? "success=true&message=" : "success=false&message=");
    tsr_strbuf_append_urlenc(&b, message);
    if (email != NULL && email[0] != '\0') {
        tsr_strbuf_append(&b, "&email=");
        tsr_strbuf_append_urlenc(&b, email);
    }
    tsr_strbuf_append(&b, result_url + head);
    return tsr_strbuf_take(&b, NULL);
}
