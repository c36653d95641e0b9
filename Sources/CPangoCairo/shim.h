// Pango (text layout and shaping) with Cairo's PDF and image surfaces, from Debian's
// libpango1.0-dev and libcairo2-dev; fontconfig, to give Pango only the font files the templates name.
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <fontconfig/fontconfig.h>
#include <cairo.h>
#include <cairo-pdf.h>
// zlib, for writing the thumbnails' PNG at a fast compression level.
#include <zlib.h>
