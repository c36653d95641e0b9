// Cairo learns which character each embedded glyph stands for (for the PDF's text layer) by reading the
// font's whole cmap table through FreeType's FT_Load_Sfnt_Table and scanning its segments one by one,
// once for every distinct glyph of every document. This target defines FT_Load_Sfnt_Table in the
// executable (the dynamic linker prefers it over libfreetype's for Cairo's calls) and, while a
// document is being written on the calling thread, answers Cairo's cmap reads with a table of only the
// characters that document holds. See cairocmap.c and docs/BENCHMARKS.md ("PDF rendering").
#pragma once
#include <stddef.h>
#include <stdint.h>

/// From here until `gitfolio_cmap_end` on this thread, Cairo's cmap reads get a table covering only
/// `chars` (copied; any order, duplicates allowed; characters past U+FFFF are left out).
void gitfolio_cmap_begin(const uint32_t *chars, size_t count);

/// Back to the fonts' own cmap tables on this thread; frees what `gitfolio_cmap_begin` made.
void gitfolio_cmap_end(void);

/// Writes a cmap table (one format 4 subtable, platform 3 encoding 1) mapping `chars[i]` to
/// `glyphs[i]` (ascending characters; characters past U+FFFE, character 0 and glyph 0 are left out)
/// into `out`, and returns its length; with too little `capacity` (or no `out`) only returns the
/// length it needs. 0 when the subtable would pass format 4's 64 KiB.
size_t gitfolio_cmap_build(const uint32_t *chars, const uint32_t *glyphs, size_t count, unsigned char *out, size_t capacity);

/// How many cmap reads on this thread were answered from a document's table (for the tests).
unsigned long gitfolio_cmap_answered(void);
