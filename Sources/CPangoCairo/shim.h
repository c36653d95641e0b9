// Pango (text layout and shaping) with Cairo's PDF and image surfaces, from Debian's
// libpango1.0-dev and libcairo2-dev.
#include <pango/pangocairo.h>
#include <cairo.h>
#include <cairo-pdf.h>
// zlib, for writing the thumbnails' PNG at a fast compression level.
#include <zlib.h>
