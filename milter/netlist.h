/*++
/* NAME
/*	netlist 3h
/* SUMMARY
/*	the milter's list of internal networks
/* SYNOPSIS
/*	#include "netlist.h"
/* DESCRIPTION
/*	See netlist.c.
/*--*/

#ifndef PK_MILTER_NETLIST_H
#define PK_MILTER_NETLIST_H

#include <stdbool.h>
#include <sys/socket.h>

#define NETLIST_MAX 64

struct net {
    int family;
    unsigned char addr[16];
    int bits;
};

struct netlist {
    struct net nets[NETLIST_MAX];
    int count;
};

extern bool netlist_add(struct netlist *, const char *);
extern bool netlist_has(const struct netlist *, const struct sockaddr *);

#endif
