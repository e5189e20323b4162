/*++
/* NAME
/*	fuzz-import-virtual 1
/* SUMMARY
/*	libFuzzer target for the Postfix virtual(5) import parser
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] import-virtual
/* DESCRIPTION
/*	Feeds each input to pk_import_parse() as PK_FORMAT_POSTFIX_VIRTUAL
/*	and checks every item and every refusal as fuzz-import.h describes.
/*--*/

#include "fuzz-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(PK_FORMAT_POSTFIX_VIRTUAL, data, size);
}
