// Cairo compresses every PDF stream (page contents, font subsets) through zlib's deflateInit_,
// deflate and deflateEnd at the default level, and offers no setting for it. This target defines
// those three functions in the executable, which the dynamic linker prefers over libz's:
// - deflateInit_ gives every caller zlib's fastest level (1) instead of the one asked for;
// - between gitfolio_fast_deflate_begin and gitfolio_fast_deflate_end on a thread (while a PDF is
//   written), the streams started there are compressed whole by libdeflate at its fastest level
//   when libdeflate.so.0 is installed (Debian's libdeflate0): the same zlib format, made in about
//   half the time. Streams started elsewhere go to zlib untouched.
// See fastdeflate.c and docs/BENCHMARKS.md ("PDF rendering").
#pragma once

/// The zlib level this process's deflateInit_ calls get.
int gitfolio_deflate_level(void);

/// Whether libdeflate could be loaded (streams started between begin and end then use it).
int gitfolio_fast_deflate_available(void);

/// From here until `gitfolio_fast_deflate_end`, streams started on this thread use libdeflate.
void gitfolio_fast_deflate_begin(void);
void gitfolio_fast_deflate_end(void);
