/*++
/* NAME
/*	pop3parse 3h
/* SUMMARY
/*	POP3 command line splitter of the reference server
/* SYNOPSIS
/*	#include "pop3parse.h"
/*
/*	int	ref_pop3_split(char *line, char **arg1, char **arg2)
/* DESCRIPTION
/*	ref_pop3_split() splits a NUL-terminated command line in place into
/*	the keyword and at most two arguments separated by single spaces
/*	(RFC 1939 section 3). It answers the number of arguments, or -1 for
/*	an empty argument or more than two.
/*--*/

#ifndef REF_POP3PARSE_H
#define REF_POP3PARSE_H

extern int ref_pop3_split(char *, char **, char **);

#endif
