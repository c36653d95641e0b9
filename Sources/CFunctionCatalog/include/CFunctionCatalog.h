#ifndef GITFOLIO_FUNCTION_CATALOG_H
#define GITFOLIO_FUNCTION_CATALOG_H

/// The function executables Package.swift declares, comma-separated (its `functions` list, passed in
/// as a define): the one list that `serve`, `deploy` and the benchmarks read at run time.
const char *gitfolio_function_names(void);

/// The scheduled functions (Package.swift's `scheduled`, such as `nightly`), comma-separated: built like
/// the others but never routed over HTTP.
const char *gitfolio_scheduled_names(void);

#endif
