// Cairo compresses every PDF stream (page contents, font subsets) through zlib's deflateInit_
// at the default level, and offers no setting for it. This target defines deflateInit_ in the
// executable, which the dynamic linker prefers over libz's, so those streams use the fastest level.
// See fastdeflate.c and docs/BENCHMARKS.md ("PDF rendering").
#pragma once

/// The zlib level this process's deflateInit_ calls get.
int gitfolio_deflate_level(void);
