#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
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
#define TAG_HEAD 0x68656164UL /* 'head' */
#define ERR_INVALID_ARGUMENT 0x06
#define MAX_FACES 16

struct table {
    FT_Face face;
    // The face's 'head' table (checksum, dates): Cairo closes and opens faces as it needs them, so
    // the same address may hold another font later in a document.
    FT_Byte head[54];
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

// The segments of a format 4 subtable for these pairs: runs of consecutive characters on
// consecutive glyphs, one segment each (characters 0 and past U+FFFE, and glyph 0, left out).
// Written big-endian into `ends`, `starts` and `deltas` when given; returns how many there are.
static size_t runs(const uint32_t *chars, const uint32_t *glyphs, size_t count,
                   unsigned char *ends, unsigned char *starts, unsigned char *deltas) {
    size_t n = 0;
    uint32_t last_char = 0, last_delta = 0;
    for (size_t i = 0; i < count; i++) {
        if (chars[i] == 0 || chars[i] >= 0xFFFF || glyphs[i] == 0 || glyphs[i] > 0xFFFF) continue;
        uint32_t delta = (glyphs[i] - chars[i]) & 0xFFFF;
        if (n == 0 || chars[i] != last_char + 1 || delta != last_delta) {
            if (starts) { put16(starts + 2 * n, chars[i]); put16(deltas + 2 * n, delta); }
            n++;
        }
        if (ends) put16(ends + 2 * (n - 1), chars[i]);
        last_char = chars[i];
        last_delta = delta;
    }
    return n;
}

size_t gitfolio_cmap_build(const uint32_t *chars, const uint32_t *glyphs, size_t count, unsigned char *out, size_t capacity) {
    // The document's runs, then the closing segment every format 4 subtable ends with (U+FFFF to glyph 0).
    size_t segments = runs(chars, glyphs, count, NULL, NULL, NULL) + 1;
    size_t sublength = 16 + 8 * segments, length = 12 + sublength;
    if (sublength > 0xFFFF) return 0;
    if (length > capacity || !out) return length;
    memset(out, 0, length);
    put16(out + 0, 0);  // version
    put16(out + 2, 1);  // one encoding record
    put16(out + 4, 3);  // platform: Windows
    put16(out + 6, 1);  // encoding: Unicode BMP
    put16(out + 10, 12); // the subtable's offset (32 bits; its high half stays 0)
    unsigned char *sub = out + 12;
    unsigned search = 1, selector = 0;
    while (search * 2 <= segments) { search *= 2; selector++; }
    put16(sub + 0, 4);
    put16(sub + 2, (unsigned)sublength);
    put16(sub + 4, 0);
    put16(sub + 6, (unsigned)(2 * segments));
    put16(sub + 8, 2 * search);
    put16(sub + 10, selector);
    put16(sub + 12, (unsigned)(2 * segments - 2 * search));
    unsigned char *ends = sub + 14, *starts = ends + 2 * segments + 2; // reservedPad between them
    unsigned char *deltas = starts + 2 * segments; // idRangeOffset (after them) stays all zero
    size_t n = runs(chars, glyphs, count, ends, starts, deltas);
    put16(ends + 2 * n, 0xFFFF);
    put16(starts + 2 * n, 0xFFFF);
    put16(deltas + 2 * n, 1);
    return length;
}

// FreeType's own functions (the table reader: the next definition after the executable's).
static load_sfnt_table_fn real;
static get_char_index_fn char_index;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void load(void) {
    real = (load_sfnt_table_fn)dlsym(RTLD_NEXT, "FT_Load_Sfnt_Table");
    char_index = (get_char_index_fn)dlsym(RTLD_DEFAULT, "FT_Get_Char_Index");
}

// The table for this face: the document's characters it maps, through FreeType's lookup in the
// face's Unicode charmap (the font's own mapping). NULL when it cannot be made.
static FT_Byte *make_table(FT_Face face, FT_ULong *length) {
    if (!char_index) return NULL;
    uint32_t *glyphs = malloc((document_count ? document_count : 1) * sizeof *glyphs);
    if (!glyphs) return NULL;
    for (size_t i = 0; i < document_count; i++) glyphs[i] = char_index(face, document_chars[i]);
    size_t size = gitfolio_cmap_build(document_chars, glyphs, document_count, NULL, 0);
    FT_Byte *out = size ? malloc(size) : NULL;
    if (out && gitfolio_cmap_build(document_chars, glyphs, document_count, out, size) != size) { free(out); out = NULL; }
    free(glyphs);
    if (out) *length = size;
    return out;
}

// The table for this face; `verify` compares its 'head' with the one the table was made for (done
// on the reads at the start of the table, with which each of Cairo's lookups begins).
static struct table *table_for(FT_Face face, int verify) {
    struct table *t = NULL;
    for (int i = 0; i < table_count; i++)
        if (tables[i].face == face) t = &tables[i];
    if (t && !verify) return t;
    FT_Byte head[54];
    FT_ULong head_length = sizeof head;
    if (!real || real(face, TAG_HEAD, 0, head, &head_length) != 0) return NULL;
    if (t && memcmp(t->head, head, sizeof head) == 0) return t;
    if (t) {
        free(t->bytes); // another font at the same address
    } else {
        if (table_count == MAX_FACES) return NULL;
        t = &tables[table_count++];
    }
    t->face = face;
    memcpy(t->head, head, sizeof head);
    t->length = 0;
    t->bytes = make_table(face, &t->length);
    return t;
}

FT_Error FT_Load_Sfnt_Table(FT_Face face, FT_ULong tag, FT_Long offset, FT_Byte *buffer, FT_ULong *length) {
    pthread_once(&once, load);
    if (tag == TAG_CMAP && document_chars && face) {
        struct table *t = table_for(face, offset == 0);
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
