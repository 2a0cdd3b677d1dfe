/* probe_http_resolve: URL host names and CURLOPT_RESOLVE entries for
 * probe_http; see the header. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_http_resolve.h"
#include "probe_proto.h"

#ifdef CURLU_PUNYCODE /* 7.88.0: curl resolves and connects to this form */
#define HOST_FLAGS CURLU_PUNYCODE
#else
#define HOST_FLAGS 0
#endif

static bool is_literal(const char *host)
{
        struct in_addr in;

        return host[0] == '[' || inet_pton(AF_INET, host, &in) == 1;
}

bool http_url_name(CURLU *uh, char *host, size_t len, unsigned *ret_port)
{
        char *h = NULL, *p = NULL;
        bool name = false;

        if (curl_url_get(uh, CURLUPART_HOST, &h, HOST_FLAGS) != CURLUE_OK ||
            curl_url_get(uh, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
                goto out;
        unsigned long port = strtoul(p, NULL, 10);
        if (is_literal(h) || strlen(h) >= len || strlen(h) > PROBE_HOST_MAX || port == 0 || port > 65535)
                goto out;
        memcpy(host, h, strlen(h) + 1);
        *ret_port = (unsigned)port;
        name = true;
out:
        curl_free(h);
        curl_free(p);
        return name;
}

bool http_url_is_literal(const char *url)
{
        CURLU *uh = curl_url();
        char *h = NULL;
        bool literal = true;

        if (uh && curl_url_set(uh, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(uh, CURLUPART_HOST, &h, 0) == CURLUE_OK)
                literal = is_literal(h);
        curl_free(h);
        curl_url_cleanup(uh);
        return literal;
}

struct curl_slist *http_resolve_entry(const char *host, unsigned port, const struct probe_addrs *addrs)
{
        /* each address at most INET6_ADDRSTRLEN + 3 ("[", "]", ",") */
        char buf[PROBE_HOST_MAX + 16 + PROBE_LOOKUP_ADDRS_MAX * (INET6_ADDRSTRLEN + 3)];
        size_t n = (size_t)snprintf(buf, sizeof(buf), "+%s:%u:", host, port);

        for (unsigned i = 0; i < addrs->n && n < sizeof(buf); i++) {
                const struct probe_addr *a = &addrs->a[i];
                char ip[INET6_ADDRSTRLEN];
                bool v6 = a->u.sa.sa_family == AF_INET6;
                if (!inet_ntop(a->u.sa.sa_family, v6 ? (const void *)&a->u.in6.sin6_addr : (const void *)&a->u.in.sin_addr,
                               ip, sizeof(ip)))
                        continue;
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", buf[n - 1] == ':' ? "" : ",",
                                      v6 ? "[" : "", ip, v6 ? "]" : "");
        }
        return curl_slist_append(NULL, buf);
}
