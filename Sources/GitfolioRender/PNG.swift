import CPangoCairo
import Foundation

/// Writes a Cairo RGB24 image as a PNG (8-bit RGB, no interlace) with zlib's fastest level: for a
/// thumbnail, encoding at libpng's default level costs more than drawing the page.
enum PNGWriter {
    static func encode(_ surface: OpaquePointer) -> Data {
        cairo_surface_flush(surface)
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let pixels = cairo_image_surface_get_data(surface) else { return Data() }
        // Each row: filter type 0, then R, G, B. Cairo stores a pixel as a native-endian 32-bit xRGB word.
        var raw = [UInt8](repeating: 0, count: height * (1 + width * 3))
        raw.withUnsafeMutableBufferPointer { out in
            var o = 0
            for y in 0..<height {
                out[o] = 0
                o += 1
                let row = UnsafeRawPointer(pixels + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let p = row[x]
                    out[o] = UInt8(truncatingIfNeeded: p >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: p >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: p)
                    o += 3
                }
            }
        }
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(uLong(raw.count))))
        var length = uLongf(compressed.count)
        let status = compress2(&compressed, &length, raw, uLong(raw.count), Z_BEST_SPEED)
        guard status == Z_OK else { return Data() }

        var png = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        func chunk(_ type: String, _ body: [UInt8]) {
            png.append(contentsOf: bigEndian(UInt32(body.count)))
            let typed = Array(type.utf8) + body
            png.append(contentsOf: typed)
            png.append(contentsOf: bigEndian(UInt32(crc32(0, typed, uInt(typed.count)))))
        }
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        chunk("IDAT", Array(compressed[0..<Int(length)]))
        chunk("IEND", [])
        return png
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }
}
