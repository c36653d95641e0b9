#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "CCairoCmap.h"

// FreeType's types, declared here so that the target needs no FreeType headers (same ABI).
typedef int FT_Error;
typedef unsigned long FT_ULong;
typedef long FT_Long;
typedef unsigned char FT_Byte;
typedef unsigned int FT_UInt;
typedef void *FT_Face;

typedef FT_Error (*load_sfnt_table_fn)(FT_Face, FT_ULong, FT_Long, FT_Byte *, FT_ULong *);
typedef FT_UInt (*get_char_index_fn)(FT_Face, FT_ULong);

#define TAG_CMAP 0x636d6170UL /* 'cmap' */
#define ERR_INVALID_ARGUMENT 0x06
#define MAX_FACES 16

struct table {
    FT_Face face;
    FT_Byte *bytes; // NULL: this face keeps its own table (it could not be made)
    FT_ULong length;
};

static __thread uint32_t *document_chars; // sorted, unique, at most U+FFFF
static __thread size_t document_count;
static __thread struct table tables[MAX_FACES];
static __thread int table_count;
static __thread unsigned long answered;

static int compare_chars(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void gitfolio_cmap_end(void) {
    for (int i = 0; i < table_count; i++) free(tables[i].bytes);
    table_count = 0;
    free(document_chars);
    document_chars = NULL;
    document_count = 0;
}

void gitfolio_cmap_begin(const uint32_t *chars, size_t count) {
    gitfolio_cmap_end();
    uint32_t *copy = malloc((count ? count : 1) * sizeof *copy);
    if (!copy) return;
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (chars[i] > 0 && chars[i] < 0xFFFF) copy[n++] = chars[i];
    qsort(copy, n, sizeof *copy, compare_chars);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || copy[unique - 1] != copy[i]) copy[unique++] = copy[i];
    document_chars = copy;
    document_count = unique;
}

unsigned long gitfolio_cmap_answered(void) { return answered; }

static void put16(FT_Byte *p, unsigned v) { p[0] = (FT_Byte)(v >> 8); p[1] = (FT_Byte)v; }

// A cmap table with one subtable, platform 3 encoding 1 (Windows Unicode BMP), format 4: the
// document's characters this face maps, as runs of consecutive characters on consecutive glyphs.
// The mapping of those characters is the font's own (FreeType's lookup through the face's Unicode
// charmap); characters the face lacks are left out, as are all others. NULL when it cannot be made.
static FT_Byte *make_table(FT_Face face, FT_ULong *length) {
    get_char_index_fn char_index = (get_char_index_fn)dlsym(RTLD_DEFAULT, "FT_Get_Char_Index");
    if (!char_index) return NULL;
    uint16_t *starts = malloc((document_count + 1) * 3 * sizeof(uint16_t));
    if (!starts) return NULL;
    uint16_t *ends = starts + document_count + 1, *deltas = ends + document_count + 1;
    size_t segments = 0;
    for (size_t i = 0; i < document_count; i++) {
        uint32_t c = document_chars[i];
        FT_UInt glyph = char_index(face, c);
        if (glyph == 0 || glyph > 0xFFFF) continue;
        uint16_t delta = (uint16_t)(glyph - c);
        if (segments > 0 && ends[segments - 1] + 1u == c && deltas[segments - 1] == delta) {
            ends[segments - 1] = (uint16_t)c;
        } else {
            starts[segments] = ends[segments] = (uint16_t)c;
            deltas[segments] = delta;
            segments++;
        }
    }
    // The closing segment every format 4 subtable ends with (U+FFFF to glyph 0).
    starts[segments] = ends[segments] = 0xFFFF;
    deltas[segments] = 1;
    segments++;
    size_t sublength = 16 + 8 * segments;
    if (sublength > 0xFFFF) { free(starts); return NULL; }
    FT_Byte *out = calloc(1, 12 + sublength);
    if (!out) { free(starts); return NULL; }
    put16(out + 0, 0);  // version
    put16(out + 2, 1);  // one encoding record
    put16(out + 4, 3);  // platform: Windows
    put16(out + 6, 1);  // encoding: Unicode BMP
    out[8] = out[9] = 0; put16(out + 10, 12); // offset of the subtable
    FT_Byte *sub = out + 12;
    unsigned search = 1, selector = 0;
    while (search * 2 <= segments) { search *= 2; selector++; }
    put16(sub + 0, 4);
    put16(sub + 2, (unsigned)sublength);
    put16(sub + 4, 0);
    put16(sub + 6, (unsigned)(2 * segments));
    put16(sub + 8, 2 * search);
    put16(sub + 10, selector);
    put16(sub + 12, (unsigned)(2 * segments - 2 * search));
    FT_Byte *end_codes = sub + 14, *start_codes = end_codes + 2 * segments + 2;
    FT_Byte *id_deltas = start_codes + 2 * segments; // idRangeOffset (after it) stays all zero
    for (size_t i = 0; i < segments; i++) {
        put16(end_codes + 2 * i, ends[i]);
        put16(start_codes + 2 * i, starts[i]);
        put16(id_deltas + 2 * i, deltas[i]);
    }
    free(starts);
    *length = 12 + sublength;
    return out;
}

static struct table *table_for(FT_Face face) {
    for (int i = 0; i < table_count; i++)
        if (tables[i].face == face) return &tables[i];
    if (table_count == MAX_FACES) return NULL;
    struct table *t = &tables[table_count++];
    t->face = face;
    t->length = 0;
    t->bytes = make_table(face, &t->length);
    return t;
}

FT_Error FT_Load_Sfnt_Table(FT_Face face, FT_ULong tag, FT_Long offset, FT_Byte *buffer, FT_ULong *length) {
    static load_sfnt_table_fn real;
    if (!real) real = (load_sfnt_table_fn)dlsym(RTLD_NEXT, "FT_Load_Sfnt_Table");
    if (tag == TAG_CMAP && document_chars && face) {
        struct table *t = table_for(face);
        if (t && t->bytes) {
            // FreeType's rules: a length of 0 asks for the table's size; no length reads it all.
            if (length && *length == 0) { *length = t->length; answered++; return 0; }
            FT_ULong size = length ? *length : t->length;
            if (offset < 0 || (FT_ULong)offset > t->length || size > t->length - (FT_ULong)offset || !buffer)
                return ERR_INVALID_ARGUMENT;
            memcpy(buffer, t->bytes + offset, size);
            answered++;
            return 0;
        }
    }
    return real ? real(face, tag, offset, buffer, length) : ERR_INVALID_ARGUMENT;
}
