/*++
/* NAME
/*	clientconfig-format 3
/* SUMMARY
/*	the documents mail clients read, from a domain's settings
/* SYNOPSIS
/*	#include "clientconfig.h"
/* DESCRIPTION
/*	Pure functions: settings and an address in, one malloc()ed
/*	document out (clientconfig.h lists them). Text that reaches XML is
/*	escaped although the settings allow no markup characters in host
/*	names or hosted addresses; a display name may hold any text.
/*
/*	Ranking follows RFC 8314: implicit TLS (993, 995, 465) before
/*	STARTTLS (143, 110, 587), and IMAP before POP3.
/* SECURITY
/*	The address is parsed again (pk_addr_parse, pk_addr_check_hosted)
/*	and must belong to the settings' domain.
/*--*/

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "addr.h"
#include "clientconfig.h"

/* One offered way to reach a service. */
struct cc_way {
    const char *proto; /* "imap", "pop3", "smtp" */
    const char *host;
    uint16_t port;
    bool implicit; /* implicit TLS, else STARTTLS */
};

/* cc_ways - the offered ways, ranked; returns their number (at most 6) */

static size_t cc_ways(const struct pk_clientconfig *cc, struct cc_way way[6])
{
    const struct cc_way all[6] = {
        {"imap", cc->imap_host, cc->imaps_port, true},
        {"imap", cc->imap_host, cc->imap_port, false},
        {"pop3", cc->pop3_host, cc->pop3s_port, true},
        {"pop3", cc->pop3_host, cc->pop3_port, false},
        {"smtp", cc->smtp_host, cc->submissions_port, true},
        {"smtp", cc->smtp_host, cc->submission_port, false},
    };
    size_t n = 0;

    for (size_t i = 0; i < 6; i++)
        if (all[i].port != 0)
            way[n++] = all[i];
    return n;
}

/* cc_first - the best way for a protocol, or NULL */

static const struct cc_way *cc_first(const struct cc_way *way, size_t n,
                                     const char *proto)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(way[i].proto, proto) == 0)
            return &way[i];
    return NULL;
}

/* cc_address - the normalized login address, checked against the domain */

static int cc_address(const struct pk_clientconfig *cc, const char *address,
                      char out[PK_ADDR_MAX + 1], const char **error_r)
{
    struct pk_addr addr;
    int status;

    if ((status = pk_addr_parse(address, 0, &addr, error_r)) != PK_OK ||
        (status = pk_addr_check_hosted(&addr, error_r)) != PK_OK)
        return status;
    if (strcmp(addr.domain, cc->domain) != 0) {
        *error_r = pk_error("%s is not an address of %s", address, cc->domain);
        return PK_EINVAL;
    }
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* cc_xml - write text with XML's five special characters escaped */

static void cc_xml(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&apos;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

/* cc_open - a memory stream for a document */

static FILE *cc_open(char **buf, size_t *len, const char **error_r)
{
    FILE *fp;

    *buf = NULL;
    if ((fp = open_memstream(buf, len)) == NULL)
        *error_r = pk_error("out of memory");
    return fp;
}

/* cc_close - finish a document; PK_OK, or PK_ENOMEM with nothing kept */

static int cc_close(FILE *fp, char **buf, char **doc_r, const char **error_r)
{
    bool bad = ferror(fp) != 0;

    if (fclose(fp) != 0 || bad) {
        free(*buf);
        *doc_r = NULL;
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    *doc_r = *buf;
    return PK_OK;
}

/* pk_clientconfig_thunderbird - Mozilla autoconfig XML (clientConfig 1.1) */

int pk_clientconfig_thunderbird(const struct pk_clientconfig *cc,
                                const char *address, char **doc_r,
                                const char **error_r)
{
    struct cc_way way[6];
    char login[PK_ADDR_MAX + 1], *buf;
    size_t n, len;
    FILE *fp;
    int status;

    if ((status = cc_address(cc, address, login, error_r)) != PK_OK)
        return status;
    if ((fp = cc_open(&buf, &len, error_r)) == NULL)
        return PK_ENOMEM;
    n = cc_ways(cc, way);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<clientConfig version=\"1.1\">\n  <emailProvider id=\"",
          fp);
    cc_xml(fp, cc->domain);
    fputs("\">\n    <domain>", fp);
    cc_xml(fp, cc->domain);
    fputs("</domain>\n    <displayName>", fp);
    cc_xml(fp, cc->name);
    fputs("</displayName>\n    <displayShortName>", fp);
    cc_xml(fp, cc->name);
    fputs("</displayShortName>\n", fp);
    for (size_t i = 0; i < n; i++) {
        bool out = strcmp(way[i].proto, "smtp") == 0;

        fprintf(fp, "    <%s type=\"%s\">\n      <hostname>",
                out ? "outgoingServer" : "incomingServer", way[i].proto);
        cc_xml(fp, way[i].host);
        fprintf(fp,
                "</hostname>\n      <port>%u</port>\n"
                "      <socketType>%s</socketType>\n"
                "      <authentication>password-cleartext</authentication>\n"
                "      <username>",
                way[i].port, way[i].implicit ? "SSL" : "STARTTLS");
        cc_xml(fp, login);
        fprintf(fp, "</username>\n    </%s>\n",
                out ? "outgoingServer" : "incomingServer");
    }
    fputs("  </emailProvider>\n</clientConfig>\n", fp);
    return cc_close(fp, &buf, doc_r, error_r);
}

/* pk_clientconfig_autodiscover - Outlook autodiscover (POX) response XML */

int pk_clientconfig_autodiscover(const struct pk_clientconfig *cc,
                                 const char *address, char **doc_r,
                                 const char **error_r)
{
    static const char *const protos[] = {"imap", "pop3", "smtp"};
    static const char *const types[] = {"IMAP", "POP3", "SMTP"};
    struct cc_way way[6];
    const struct cc_way *w;
    char login[PK_ADDR_MAX + 1], *buf;
    size_t n, len;
    FILE *fp;
    int status;

    if ((status = cc_address(cc, address, login, error_r)) != PK_OK)
        return status;
    if ((fp = cc_open(&buf, &len, error_r)) == NULL)
        return PK_ENOMEM;
    n = cc_ways(cc, way);
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
          "<Autodiscover "
          "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
          "responseschema/2006\">\n"
          "  <Response "
          "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/"
          "responseschema/2006a\">\n"
          "    <User>\n      <DisplayName>",
          fp);
    cc_xml(fp, login);
    fputs("</DisplayName>\n    </User>\n    <Account>\n"
          "      <AccountType>email</AccountType>\n"
          "      <Action>settings</Action>\n",
          fp);
    /* One Protocol element per type: the best way of each. */
    for (size_t p = 0; p < 3; p++) {
        if ((w = cc_first(way, n, protos[p])) == NULL)
            continue;
        fprintf(fp,
                "      <Protocol>\n        <Type>%s</Type>\n        <Server>",
                types[p]);
        cc_xml(fp, w->host);
        fprintf(
            fp,
            "</Server>\n        <Port>%u</Port>\n"
            "        <DomainRequired>off</DomainRequired>\n        <LoginName>",
            w->port);
        cc_xml(fp, login);
        fprintf(fp,
                "</LoginName>\n        <SPA>off</SPA>\n%s"
                "        <AuthRequired>on</AuthRequired>\n",
                w->implicit ? "        <SSL>on</SSL>\n"
                            : "        <SSL>on</SSL>\n        "
                              "<Encryption>TLS</Encryption>\n");
        if (p == 2)
            fputs("        <UsePOPAuth>on</UsePOPAuth>\n", fp);
        fputs("      </Protocol>\n", fp);
    }
    fputs("    </Account>\n  </Response>\n</Autodiscover>\n", fp);
    return cc_close(fp, &buf, doc_r, error_r);
}

/* cc_uuid - a UUID (RFC 9562 version 8) derived from the input's SHA-256 */

static void cc_uuid(const char *address, const char *part, char out[37])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    memset(md, 0, sizeof(md));
    if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
        EVP_DigestUpdate(ctx, "postkontor-mobileconfig\n", 24) &&
        EVP_DigestUpdate(ctx, address, strlen(address)) &&
        EVP_DigestUpdate(ctx, "\n", 1) &&
        EVP_DigestUpdate(ctx, part, strlen(part)))
        EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
             "%02X%02X%02X%02X%02X%02X",
             md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8],
             md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}

/* cc_plist_str - one <key> and <string> pair */

static void cc_plist_str(FILE *fp, const char *indent, const char *key,
                         const char *value)
{
    fprintf(fp, "%s<key>%s</key>\n%s<string>", indent, key, indent);
    cc_xml(fp, value);
    fputs("</string>\n", fp);
}

/* cc_reverse - a domain's labels in reverse order (profile identifiers) */

static void cc_reverse(const char *domain, char *out, size_t size)
{
    size_t used = 0;
    const char *end = domain + strlen(domain), *p;

    out[0] = 0;
    while (end > domain) {
        for (p = end; p > domain && p[-1] != '.'; p--)
            /* void */;
        used += (size_t)snprintf(out + used, size - used, "%s%.*s",
                                 used ? "." : "", (int)(end - p), p);
        if (used >= size)
            return;
        end = p > domain ? p - 1 : p;
    }
}

/* pk_clientconfig_mobileconfig - Apple configuration profile (XML plist) */

int pk_clientconfig_mobileconfig(const struct pk_clientconfig *cc,
                                 const char *address, enum pk_cc_lang lang,
                                 char **doc_r, const char **error_r)
{
    struct cc_way way[6];
    const struct cc_way *in, *out;
    char login[PK_ADDR_MAX + 1], *buf, uuid[37], puuid[37];
    char rev[PK_DOMAIN_MAX + 2], ident[PK_DOMAIN_MAX + 64],
        text[PK_ADDR_MAX + 64];
    const char *ind = "\t\t\t";
    size_t n, len;
    FILE *fp;
    int status;

    if ((status = cc_address(cc, address, login, error_r)) != PK_OK)
        return status;
    n = cc_ways(cc, way);
    if ((in = cc_first(way, n, "imap")) == NULL)
        in = cc_first(way, n, "pop3");
    out = cc_first(way, n, "smtp");
    if (in == NULL || out == NULL) {
        *error_r = pk_error("%s offers no %s service", cc->domain,
                            in == NULL ? "IMAP or POP3" : "submission");
        return PK_EINVAL;
    }
    if ((fp = cc_open(&buf, &len, error_r)) == NULL)
        return PK_ENOMEM;
    cc_uuid(login, "profile", puuid);
    cc_uuid(login, "mail", uuid);
    cc_reverse(cc->domain, rev, sizeof(rev));
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
          "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
          "<plist version=\"1.0\">\n<dict>\n"
          "\t<key>PayloadContent</key>\n\t<array>\n\t\t<dict>\n",
          fp);
    cc_plist_str(fp, ind, "EmailAccountDescription", cc->name);
    cc_plist_str(fp, ind, "EmailAccountName", login);
    cc_plist_str(fp, ind, "EmailAccountType",
                 strcmp(in->proto, "imap") == 0 ? "EmailTypeIMAP"
                                                : "EmailTypePOP");
    cc_plist_str(fp, ind, "EmailAddress", login);
    cc_plist_str(fp, ind, "IncomingMailServerAuthentication",
                 "EmailAuthPassword");
    cc_plist_str(fp, ind, "IncomingMailServerHostName", in->host);
    fprintf(
        fp,
        "%s<key>IncomingMailServerPortNumber</key>\n%s<integer>%u</integer>\n"
        "%s<key>IncomingMailServerUseSSL</key>\n%s<true/>\n",
        ind, ind, in->port, ind, ind);
    cc_plist_str(fp, ind, "IncomingMailServerUsername", login);
    cc_plist_str(fp, ind, "OutgoingMailServerAuthentication",
                 "EmailAuthPassword");
    cc_plist_str(fp, ind, "OutgoingMailServerHostName", out->host);
    fprintf(
        fp,
        "%s<key>OutgoingMailServerPortNumber</key>\n%s<integer>%u</integer>\n"
        "%s<key>OutgoingMailServerUseSSL</key>\n%s<true/>\n",
        ind, ind, out->port, ind, ind);
    cc_plist_str(fp, ind, "OutgoingMailServerUsername", login);
    fprintf(fp,
            "%s<key>OutgoingPasswordSameAsIncomingPassword</key>\n%s<true/>\n",
            ind, ind);
    snprintf(text, sizeof(text), "%s %s", lang == PK_CC_SV ? "E-post" : "Mail",
             login);
    cc_plist_str(fp, ind, "PayloadDisplayName", text);
    snprintf(ident, sizeof(ident), "%s.postkontor.mail.%s", rev, uuid);
    cc_plist_str(fp, ind, "PayloadIdentifier", ident);
    cc_plist_str(fp, ind, "PayloadType", "com.apple.mail.managed");
    cc_plist_str(fp, ind, "PayloadUUID", uuid);
    fprintf(fp, "%s<key>PayloadVersion</key>\n%s<integer>1</integer>\n", ind,
            ind);
    fputs("\t\t</dict>\n\t</array>\n", fp);
    snprintf(text, sizeof(text),
             lang == PK_CC_SV ? "E-postinställningar för %s"
                              : "Mail settings for %s",
             login);
    cc_plist_str(fp, "\t", "PayloadDescription", text);
    cc_plist_str(fp, "\t", "PayloadDisplayName", text);
    snprintf(ident, sizeof(ident), "%s.postkontor.%s", rev, puuid);
    cc_plist_str(fp, "\t", "PayloadIdentifier", ident);
    cc_plist_str(fp, "\t", "PayloadOrganization", cc->name);
    fputs("\t<key>PayloadRemovalDisallowed</key>\n\t<false/>\n", fp);
    cc_plist_str(fp, "\t", "PayloadType", "Configuration");
    cc_plist_str(fp, "\t", "PayloadUUID", puuid);
    fputs("\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n</dict>\n</"
          "plist>\n",
          fp);
    return cc_close(fp, &buf, doc_r, error_r);
}

/* pk_clientconfig_srv - RFC 6186/8314 SRV records, zone file lines */

int pk_clientconfig_srv(const struct pk_clientconfig *cc, char **doc_r,
                        const char **error_r)
{
    const struct {
        const char *service;
        const char *host;
        uint16_t port;
        unsigned priority;
    } rr[] = {
        {"_imaps", cc->imap_host, cc->imaps_port, 0},
        {"_imap", cc->imap_host, cc->imap_port, 10},
        {"_pop3s", cc->pop3_host, cc->pop3s_port, 20},
        {"_pop3", cc->pop3_host, cc->pop3_port, 30},
        {"_submissions", cc->smtp_host, cc->submissions_port, 0},
        {"_submission", cc->smtp_host, cc->submission_port, 10},
    };
    char *buf;
    size_t len;
    FILE *fp;

    if ((fp = cc_open(&buf, &len, error_r)) == NULL)
        return PK_ENOMEM;
    fprintf(fp, "; Mail client SRV records for %s (RFC 6186, RFC 8314)\n",
            cc->domain);
    for (size_t i = 0; i < sizeof(rr) / sizeof(rr[0]); i++) {
        if (rr[i].port == 0)
            fprintf(fp, "%s._tcp.%s. 3600 IN SRV 0 0 0 .\n", rr[i].service,
                    cc->domain);
        else
            fprintf(fp, "%s._tcp.%s. 3600 IN SRV %u 1 %u %s.\n", rr[i].service,
                    cc->domain, rr[i].priority, rr[i].port, rr[i].host);
    }
    return cc_close(fp, &buf, doc_r, error_r);
}

/* The words of the setup text, per language. */
struct cc_words {
    const char *title, *in, *out, *recommended;
    const char *server, *port, *security, *alt, *user, *pass, *auth;
    const char *implicit, *starttls, *with, *password, *normal, *same;
};

static const struct cc_words cc_en = {
    "Mail settings for",
    "Incoming mail",
    "Outgoing mail",
    " (recommended)",
    "  Server:          ",
    "  Port:            ",
    "  Security:        ",
    "  Or:              ",
    "  Username:        ",
    "  Password:        ",
    "  Authentication:  ",
    "SSL/TLS",
    "STARTTLS",
    "with",
    "your password",
    "normal password",
    " (the same login as for incoming mail)",
};

static const struct cc_words cc_sv = {
    "E-postinställningar för",
    "Inkommande e-post",
    "Utgående e-post",
    " (rekommenderas)",
    "  Server:          ",
    "  Port:            ",
    "  Säkerhet:        ",
    "  Eller:           ",
    "  Användarnamn:    ",
    "  Lösenord:        ",
    "  Autentisering:   ",
    "SSL/TLS",
    "STARTTLS",
    "med",
    "ditt lösenord",
    "vanligt lösenord",
    " (samma inloggning som för inkommande e-post)",
};

/* cc_text_section - one service: its best way, and STARTTLS as the other */

static void cc_text_section(FILE *fp, const struct cc_words *w,
                            const struct cc_way *way, size_t n,
                            const char *proto, const char *heading,
                            const char *extra, const char *login)
{
    const struct cc_way *best = cc_first(way, n, proto), *alt = NULL;

    if (best == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (&way[i] != best && strcmp(way[i].proto, proto) == 0)
            alt = &way[i];
    fprintf(fp, "\n%s%s\n%s%s\n%s%u\n%s%s\n", heading, extra, w->server,
            best->host, w->port, best->port, w->security,
            best->implicit ? w->implicit : w->starttls);
    if (alt != NULL) {
        fprintf(fp, "%sport %u %s STARTTLS\n", w->alt, alt->port, w->with);
    }
    fprintf(fp, "%s%s%s\n%s%s\n%s%s\n", w->user, login,
            strcmp(proto, "smtp") == 0 ? w->same : "", w->pass, w->password,
            w->auth, w->normal);
}

/* pk_clientconfig_text - setup text for a person */

int pk_clientconfig_text(const struct pk_clientconfig *cc, const char *address,
                         enum pk_cc_lang lang, char **doc_r,
                         const char **error_r)
{
    const struct cc_words *w = lang == PK_CC_SV ? &cc_sv : &cc_en;
    struct cc_way way[6];
    char login[PK_ADDR_MAX + 1], heading[64], *buf;
    size_t n, len;
    FILE *fp;
    int status;
    bool imap;

    if ((status = cc_address(cc, address, login, error_r)) != PK_OK)
        return status;
    if ((fp = cc_open(&buf, &len, error_r)) == NULL)
        return PK_ENOMEM;
    n = cc_ways(cc, way);
    imap = cc_first(way, n, "imap") != NULL;
    fprintf(fp, "%s %s (%s)\n", w->title, login, cc->name);
    snprintf(heading, sizeof(heading), "%s, IMAP", w->in);
    cc_text_section(fp, w, way, n, "imap", heading, w->recommended, login);
    snprintf(heading, sizeof(heading), "%s, POP3", w->in);
    cc_text_section(fp, w, way, n, "pop3", heading, imap ? "" : w->recommended,
                    login);
    snprintf(heading, sizeof(heading), "%s, SMTP", w->out);
    cc_text_section(fp, w, way, n, "smtp", heading, "", login);
    return cc_close(fp, &buf, doc_r, error_r);
}
