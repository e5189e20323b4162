/*++
/* NAME
/*	pop3parse 3
/* SUMMARY
/*	POP3 command line splitter of the reference server
/* DESCRIPTION
/*	See pop3parse.h. Kept apart from pop3.c so that the fuzz target
/*	can build it without the event loop.
/*--*/

#include <string.h>

#include "pop3parse.h"

/* ref_pop3_split - keyword and up to two arguments */

int ref_pop3_split(char *line, char **arg1, char **arg2)
{
    char *sp;

    *arg1 = *arg2 = NULL;
    if ((sp = strchr(line, ' ')) == NULL)
        return (0);
    *sp = 0;
    *arg1 = sp + 1;
    if ((sp = strchr(*arg1, ' ')) != NULL) {
        *sp = 0;
        *arg2 = sp + 1;
        if (**arg2 == 0 || strchr(*arg2, ' '))
            return (-1);
    }
    if (**arg1 == 0)
        return (-1);
    return (*arg2 ? 2 : 1);
}
