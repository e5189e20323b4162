/*++
/* NAME
/*	netlist 3
/* SUMMARY
/*	the milter's list of internal networks
/* SYNOPSIS
/*	#include "netlist.h"
/*
/*	bool netlist_add(struct netlist *list, const char *cidr)
/*
/*	bool netlist_has(const struct netlist *list,
/*		const struct sockaddr *sa)
/* DESCRIPTION
/*	netlist_add() adds a network given as "ADDR[/BITS]", IPv4 or IPv6;
/*	it answers false for text that is not one, or when the list is
/*	full (NETLIST_MAX), and leaves the list as it was.
/*
/*	netlist_has() tells whether a client address is in one of the
/*	networks. No address (a local submission) and a unix-domain peer
/*	count as inside; an IPv4-mapped IPv6 address is judged as IPv4.
/*--*/

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "netlist.h"

/* net_parse - "ADDR[/BITS]", IPv4 or IPv6 */

static bool net_parse(const char *text, struct net *net)
{
    char addr[64], *slash, *end;
    long bits;

    if (strlen(text) >= sizeof(addr))
        return false;
    strcpy(addr, text);
    if ((slash = strchr(addr, '/')) != NULL)
        *slash++ = 0;
    if (inet_pton(AF_INET, addr, net->addr) == 1)
        net->family = AF_INET;
    else if (inet_pton(AF_INET6, addr, net->addr) == 1)
        net->family = AF_INET6;
    else
        return false;
    bits = net->family == AF_INET ? 32 : 128;
    if (slash != NULL) {
        long max = bits;

        bits = strtol(slash, &end, 10);
        if (*slash == 0 || *end != 0 || bits < 0 || bits > max)
            return false;
    }
    net->bits = (int)bits;
    return true;
}

/* net_match - is an address in a network */

static bool net_match(const struct net *net, int family,
                      const unsigned char *addr)
{
    int full = net->bits / 8, rest = net->bits % 8;

    if (family != net->family || memcmp(addr, net->addr, full) != 0)
        return false;
    return rest == 0 ||
           ((addr[full] ^ net->addr[full]) & (0xff << (8 - rest))) == 0;
}

/* netlist_has - is a client address in one of the networks */

bool netlist_has(const struct netlist *list, const struct sockaddr *sa)
{
    const unsigned char *addr;
    int family;

    if (sa == NULL)
        return true; /* a local submission, not a network client */
    if (sa->sa_family == AF_INET) {
        family = AF_INET;
        addr =
            (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
    } else if (sa->sa_family == AF_INET6) {
        family = AF_INET6;
        addr = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        /* An IPv4-mapped address is judged as IPv4. */
        if (IN6_IS_ADDR_V4MAPPED(
                &((const struct sockaddr_in6 *)sa)->sin6_addr)) {
            family = AF_INET;
            addr += 12;
        }
    } else {
        return sa->sa_family == AF_UNIX;
    }
    for (int i = 0; i < list->count; i++)
        if (net_match(&list->nets[i], family, addr))
            return true;
    return false;
}

/* netlist_add - one more network */

bool netlist_add(struct netlist *list, const char *cidr)
{
    if (list->count == NETLIST_MAX ||
        !net_parse(cidr, &list->nets[list->count]))
        return false;
    list->count++;
    return true;
}
