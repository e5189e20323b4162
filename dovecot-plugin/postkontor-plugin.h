/*++
/* NAME
/*	postkontor-plugin 3h
/* SUMMARY
/*	entry points of the Dovecot mail plugin "postkontor"
/* SYNOPSIS
/*	#include "postkontor-plugin.h"
/* DESCRIPTION
/*	Dovecot finds these by name when mail_plugins lists "postkontor";
/*	the plugin needs the quota plugin loaded before it.
/*--*/

#ifndef PK_POSTKONTOR_PLUGIN_H
#define PK_POSTKONTOR_PLUGIN_H

struct module;

extern void postkontor_plugin_init(struct module *);
extern void postkontor_plugin_deinit(void);
extern const char *postkontor_plugin_dependencies[];
extern const char *postkontor_plugin_version;

#endif
