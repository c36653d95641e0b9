import CFastDeflate
import CPangoCairo
import Foundation
import Testing

/// CFastDeflate's deflateInit_, deflate and deflateEnd, driven the way Cairo drives them: input in
/// pieces with Z_NO_FLUSH, then Z_FINISH until the stream ends, output through a small buffer.
@Suite struct FastDeflateTests {
    static func deflateLikeCairo(_ data: [UInt8], piece: Int, buffer: Int) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit_(&stream, Z_DEFAULT_COMPRESSION, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        var out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: buffer)
        var status = Z_OK
        func run(_ input: ArraySlice<UInt8>, _ flush: Int32) -> Bool {
            var input = Array(input)
            return input.withUnsafeMutableBufferPointer { inBytes in
                stream.next_in = inBytes.baseAddress
                stream.avail_in = uInt(inBytes.count)
                repeat {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { outBytes in
                        stream.next_out = outBytes.baseAddress
                        stream.avail_out = uInt(buffer)
                        status = deflate(&stream, flush)
                        return buffer - Int(stream.avail_out)
                    }
                    out += chunk[..<produced]
                    if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR { return false }
                } while stream.avail_in > 0 || (flush == Z_FINISH && status != Z_STREAM_END)
                return true
            }
        }
        var start = 0
        while start < data.count {
            guard run(data[start..<min(data.count, start + piece)], Z_NO_FLUSH) else { return nil }
            start += piece
        }
        guard run([], Z_FINISH), deflateEnd(&stream) == Z_OK else { return nil }
        return out
    }

    static func inflate(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: max(size, 1))
        var length = uLongf(out.count)
        guard uncompress(&out, &length, bytes, uLong(bytes.count)) == Z_OK else { return nil }
        return Array(out[..<Int(length)])
    }

    /// Text-like bytes (a resume's page contents and fonts compress alike) with some noise.
    static func sample(_ count: Int) -> [UInt8] {
        var state: UInt32 = 12_345
        return (0..<count).map { i in
            state = state &* 1_103_515_245 &+ 12_345
            return i % 7 == 0 ? UInt8(truncatingIfNeeded: state >> 16) : Array("BT /f-0-1 9.5 Tf 42.5 700.1 Td (Gitfolio) Tj ET\n".utf8)[i % 48]
        }
    }

    @Test(arguments: [0, 1, 100, 16_384, 70_001, 300_000])
    func streamsOfAPDFBeingWrittenComeOutAsZlibData(size: Int) throws {
        #expect(gitfolio_fast_deflate_available() != 0, "libdeflate is not installed (scripts/deps.sh installs libdeflate0)")
        let data = Self.sample(size)
        gitfolio_fast_deflate_begin()
        let wholeBuffers = Self.deflateLikeCairo(data, piece: 16_384, buffer: 1_000)
        let smallPieces = Self.deflateLikeCairo(data, piece: 777, buffer: 64)
        gitfolio_fast_deflate_end()
        let fast = try #require(wholeBuffers), oddPieces = try #require(smallPieces)
        let zlib = try #require(Self.deflateLikeCairo(data, piece: 16_384, buffer: 1_000))
        #expect(Self.inflate(fast, size: size) == data)
        #expect(Self.inflate(oddPieces, size: size) == data)
        #expect(fast == oddPieces)
        #expect(Self.inflate(zlib, size: size) == data)
        // Outside begin and end the stream is zlib's own (a different encoder: different bytes).
        if size >= 16_384 { #expect(fast != zlib) }  // small inputs can come out the same from both
    }

    @Test func aStreamZlibStartedIsZlibsEvenWhileAPDFIsWritten() throws {
        // deflateInit2_ is zlib's alone: such a stream must pass through this target's deflate to zlib.
        let data = Self.sample(50_000)
        gitfolio_fast_deflate_begin()
        defer { gitfolio_fast_deflate_end() }
        var stream = z_stream()
        #expect(deflateInit2_(&stream, 1, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        var input = data, out = [UInt8](repeating: 0, count: 80_000)
        let status = input.withUnsafeMutableBufferPointer { inBytes in
            out.withUnsafeMutableBufferPointer { outBytes in
                stream.next_in = inBytes.baseAddress
                stream.avail_in = uInt(inBytes.count)
                stream.next_out = outBytes.baseAddress
                stream.avail_out = uInt(outBytes.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        #expect(status == Z_STREAM_END)
        let length = Int(stream.total_out)
        #expect(deflateEnd(&stream) == Z_OK)
        #expect(Self.inflate(Array(out[..<length]), size: data.count) == data)
    }
}
