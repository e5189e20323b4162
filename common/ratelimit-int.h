/*++
/* NAME
/*	ratelimit-int 3h
/* SUMMARY
/*	what ratelimit.c and ratelimit-count.c share
/* SYNOPSIS
/*	#include "ratelimit-int.h"
/* DESCRIPTION
/*	Little-endian encoding of the u32 fields of settings and counters.
/*--*/

#ifndef PK_RATELIMIT_INT_H
#define PK_RATELIMIT_INT_H

#include <stdint.h>

/* pk_ratelimit_put_u32 - little-endian */

static inline void pk_ratelimit_put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* pk_ratelimit_get_u32 - little-endian */

static inline uint32_t pk_ratelimit_get_u32(const unsigned char *p)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

#endif
