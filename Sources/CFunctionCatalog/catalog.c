#include "CFunctionCatalog.h"

#ifndef GITFOLIO_FUNCTION_NAMES
#error "Package.swift defines GITFOLIO_FUNCTION_NAMES"
#endif

const char *gitfolio_function_names(void) { return GITFOLIO_FUNCTION_NAMES; }
