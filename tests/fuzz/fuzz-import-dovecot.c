/*++
/* NAME
/*	fuzz-import-dovecot 1
/* SUMMARY
/*	libFuzzer target for the Dovecot passwd-file import parser
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] import-dovecot
/* DESCRIPTION
/*	Feeds each input to pk_import_parse() as PK_FORMAT_DOVECOT_PASSWD
/*	and checks every item and every refusal as fuzz-import.h describes.
/*--*/

#include "fuzz-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(PK_FORMAT_DOVECOT_PASSWD, data, size);
}
