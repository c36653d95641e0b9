#include "CFunctionCatalog.h"

#if !defined(GITFOLIO_FUNCTION_NAMES) || !defined(GITFOLIO_SCHEDULED_NAMES)
#error "Package.swift defines GITFOLIO_FUNCTION_NAMES and GITFOLIO_SCHEDULED_NAMES"
#endif

const char *gitfolio_function_names(void) { return GITFOLIO_FUNCTION_NAMES; }

const char *gitfolio_scheduled_names(void) { return GITFOLIO_SCHEDULED_NAMES; }
