#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "CFastDeflate.h"

// zlib's own functions (the next definitions after the executable's).
static int (*real_deflate)(z_streamp, int);
static int (*real_deflateEnd)(z_streamp);

// libdeflate's, declared here so that the target needs no headers (libdeflate 1.x ABI).
struct libdeflate_compressor;
static struct libdeflate_compressor *(*ld_alloc)(int);
static void (*ld_free)(struct libdeflate_compressor *);
static size_t (*ld_zlib_compress)(struct libdeflate_compressor *, const void *, size_t, void *, size_t);
static size_t (*ld_zlib_bound)(struct libdeflate_compressor *, size_t);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t compressor_key;

static void free_compressor(void *c) { if (c && ld_free) ld_free(c); }

static void load(void) {
    real_deflate = (int (*)(z_streamp, int))dlsym(RTLD_NEXT, "deflate");
    real_deflateEnd = (int (*)(z_streamp))dlsym(RTLD_NEXT, "deflateEnd");
    void *lib = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    ld_alloc = (struct libdeflate_compressor *(*)(int))dlsym(lib, "libdeflate_alloc_compressor");
    ld_free = (void (*)(struct libdeflate_compressor *))dlsym(lib, "libdeflate_free_compressor");
    ld_zlib_compress = (size_t (*)(struct libdeflate_compressor *, const void *, size_t, void *, size_t))dlsym(lib, "libdeflate_zlib_compress");
    ld_zlib_bound = (size_t (*)(struct libdeflate_compressor *, size_t))dlsym(lib, "libdeflate_zlib_compress_bound");
    if (!ld_alloc || !ld_free || !ld_zlib_compress || !ld_zlib_bound || pthread_key_create(&compressor_key, free_compressor) != 0)
        ld_alloc = NULL;
}

int gitfolio_fast_deflate_available(void) {
    pthread_once(&once, load);
    return ld_alloc != NULL;
}

static __thread int fast;
void gitfolio_fast_deflate_begin(void) { fast = gitfolio_fast_deflate_available(); }
void gitfolio_fast_deflate_end(void) { fast = 0; }

// A stream of ours: its state pointer leads here instead of to zlib's state. The second field sits
// where zlib keeps its status, which is never this value, so the two cannot be mistaken for each
// other (and zlib's own functions refuse this state instead of reading it).
#define OURS 0x47464c44
struct whole {
    z_streamp strm;
    int status; // OURS
    unsigned char *in, *out;
    size_t in_length, in_capacity, out_length, given;
    int compressed;
};

static struct whole *ours(z_streamp strm) {
    struct whole *w = strm ? (struct whole *)strm->state : NULL;
    return w && w->status == OURS && w->strm == strm ? w : NULL;
}

// The collected input compressed into w->out: by libdeflate, or by zlib itself (its own functions,
// not this file's) when libdeflate fails. 0 only when memory runs out.
static int compress_whole(struct whole *w) {
    static const unsigned char nothing[1];
    const unsigned char *in = w->in ? w->in : nothing;
    free(w->out);
    w->out = NULL;
    struct libdeflate_compressor *c = pthread_getspecific(compressor_key);
    if (!c && (c = ld_alloc(1)) != NULL) pthread_setspecific(compressor_key, c);
    if (c) {
        size_t bound = ld_zlib_bound(c, w->in_length);
        if ((w->out = malloc(bound ? bound : 1)) != NULL) {
            w->out_length = ld_zlib_compress(c, in, w->in_length, w->out, bound);
            if (w->out_length > 0) return 1;
            free(w->out);
            w->out = NULL;
        }
    }
    uLong bound = compressBound((uLong)w->in_length);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!real_deflate || !real_deflateEnd || (w->out = malloc(bound)) == NULL) return 0;
    if (deflateInit2_(&z, Z_BEST_SPEED, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof z) != Z_OK) return 0;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)w->in_length;
    z.next_out = w->out;
    z.avail_out = (uInt)bound;
    int status = real_deflate(&z, Z_FINISH);
    w->out_length = z.total_out;
    real_deflateEnd(&z);
    return status == Z_STREAM_END;
}

int deflateInit_(z_streamp strm, int level, const char *version, int stream_size) {
    (void)level;
    pthread_once(&once, load);
    if (fast && strm && stream_size == (int)sizeof(z_stream)) {
        struct whole *w = calloc(1, sizeof *w);
        if (w) {
            w->strm = strm;
            w->status = OURS;
            strm->state = (struct internal_state *)w;
            strm->total_in = strm->total_out = 0;
            strm->msg = Z_NULL;
            strm->adler = 1;
            return Z_OK;
        }
    }
    return deflateInit2_(strm, Z_BEST_SPEED, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, version, stream_size);
}

int deflate(z_streamp strm, int flush) {
    pthread_once(&once, load);
    struct whole *w = ours(strm);
    if (!w) return real_deflate ? real_deflate(strm, flush) : Z_STREAM_ERROR;
    if (flush != Z_NO_FLUSH && flush != Z_FINISH) return Z_STREAM_ERROR; // no partial flushes here
    if (!w->compressed) {
        if (strm->avail_in > 0) {
            if (!strm->next_in) return Z_STREAM_ERROR;
            size_t need = w->in_length + strm->avail_in;
            if (need > w->in_capacity) {
                size_t capacity = w->in_capacity ? w->in_capacity : 16384;
                while (capacity < need) capacity *= 2;
                unsigned char *grown = realloc(w->in, capacity);
                if (!grown) return Z_MEM_ERROR;
                w->in = grown;
                w->in_capacity = capacity;
            }
            memcpy(w->in + w->in_length, strm->next_in, strm->avail_in);
            w->in_length = need;
            strm->total_in += strm->avail_in;
            strm->next_in += strm->avail_in;
            strm->avail_in = 0;
        }
        if (flush != Z_FINISH) return Z_OK;
        if (!compress_whole(w)) return Z_MEM_ERROR;
        free(w->in);
        w->in = NULL;
        w->compressed = 1;
    } else if (strm->avail_in > 0 || flush != Z_FINISH) {
        return Z_STREAM_ERROR; // input after the end, as zlib refuses it
    }
    size_t count = w->out_length - w->given;
    if (count > strm->avail_out) count = strm->avail_out;
    if (count > 0) {
        if (!strm->next_out) return Z_STREAM_ERROR;
        memcpy(strm->next_out, w->out + w->given, count);
        strm->next_out += count;
        strm->avail_out -= (uInt)count;
        strm->total_out += count;
        w->given += count;
    }
    return w->given == w->out_length ? Z_STREAM_END : (count > 0 ? Z_OK : Z_BUF_ERROR);
}

int deflateEnd(z_streamp strm) {
    pthread_once(&once, load);
    struct whole *w = ours(strm);
    if (!w) return real_deflateEnd ? real_deflateEnd(strm) : Z_STREAM_ERROR;
    int unfinished = !w->compressed || w->given < w->out_length;
    free(w->in);
    free(w->out);
    free(w);
    strm->state = Z_NULL;
    return unfinished ? Z_DATA_ERROR : Z_OK;
}

int gitfolio_deflate_level(void) { return Z_BEST_SPEED; }
