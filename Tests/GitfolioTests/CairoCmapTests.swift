import CCairoCmap
import Testing

/// The cmap tables CCairoCmap gives Cairo, read back by the OpenType rules for format 4 (forward,
/// character to glyph) and by Cairo's reverse lookup (glyph to character, segments in order).
@Suite struct CairoCmapTests {
    static func u16(_ t: [UInt8], _ at: Int) -> Int { Int(t[at]) << 8 | Int(t[at + 1]) }

    static func build(_ pairs: [(UInt32, UInt32)]) -> [UInt8] {
        let chars = pairs.map(\.0), glyphs = pairs.map(\.1)
        let length = gitfolio_cmap_build(chars, glyphs, pairs.count, nil, 0)
        var out = [UInt8](repeating: 0xAA, count: length)
        #expect(gitfolio_cmap_build(chars, glyphs, pairs.count, &out, length) == length)
        return out
    }

    /// The glyph of `c` by the OpenType specification (first segment whose end is at least `c`).
    static func glyph(_ t: [UInt8], _ c: Int) -> Int {
        let sub = u16(t, 8) << 16 | u16(t, 10), segments = u16(t, sub + 6) / 2
        let ends = sub + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, offsets = deltas + 2 * segments
        for i in 0..<segments where u16(t, ends + 2 * i) >= c {
            guard u16(t, starts + 2 * i) <= c else { return 0 }
            #expect(u16(t, offsets + 2 * i) == 0)
            return (c + u16(t, deltas + 2 * i)) & 0xFFFF
        }
        return 0
    }

    /// Cairo's `_cairo_truetype_reverse_cmap` for segments without a glyph array.
    static func character(_ t: [UInt8], glyph: Int) -> Int? {
        let sub = 12, segments = u16(t, sub + 6) / 2
        let ends = sub + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments
        for i in 0..<segments {
            let c = (glyph - u16(t, deltas + 2 * i)) & 0xFFFF
            if c >= u16(t, starts + 2 * i) && c <= u16(t, ends + 2 * i) { return c }
        }
        return nil
    }

    @Test func aTableMapsItsCharactersAndNothingElse() {
        // Runs on consecutive glyphs, a run broken by a glyph out of order, glyphs below their
        // characters (the delta wraps), Hangul, and what must be left out (glyph 0, U+FFFF and past).
        var pairs: [(UInt32, UInt32)] = [(0x20, 3), (0x41, 36), (0x42, 37), (0x43, 38), (0x44, 90), (0x45, 40), (0x2010, 7)]
        pairs += (0xAC00..<0xAC40).map { ($0, UInt32(500 + $0 - 0xAC00)) } + [(0xD55C, 12), (0xFFFD, 2), (0xFFFF, 5), (0x1F600, 9), (0x4E00, 0)]
        let table = Self.build(pairs)
        #expect(Self.u16(table, 0) == 0 && Self.u16(table, 2) == 1 && Self.u16(table, 4) == 3 && Self.u16(table, 6) == 1)
        let sub = 12, segments = Self.u16(table, sub + 6) / 2
        #expect(Self.u16(table, sub) == 4 && Self.u16(table, sub + 2) == table.count - 12)
        // searchRange, entrySelector and rangeShift as the specification derives them.
        var search = 1, selector = 0
        while search * 2 <= segments { search *= 2; selector += 1 }
        #expect(Self.u16(table, sub + 8) == 2 * search && Self.u16(table, sub + 10) == selector
                && Self.u16(table, sub + 12) == 2 * segments - 2 * search)
        #expect(Self.u16(table, sub + 14 + 2 * segments) == 0, "reservedPad")
        #expect(segments == 9, "A–C, D, E, U+2010, space, the Hangul run, U+D55C, U+FFFD and the closing segment")
        let expected = Dictionary(uniqueKeysWithValues: pairs.filter { $0.0 < 0xFFFF && $0.1 != 0 }.map { (Int($0.0), Int($0.1)) })
        for c in 0..<0xFFFF {
            #expect(Self.glyph(table, c) == (expected[c] ?? 0), "U+\(String(c, radix: 16))")
        }
        for (c, g) in expected { #expect(Self.character(table, glyph: g) == c) }
        #expect(Self.character(table, glyph: 1000) == nil)
    }

    @Test func tooManySegmentsForFormat4GiveNoTable() {
        // Every other character: one segment each; 8,200 of them pass the subtable's 64 KiB.
        let chars = (0..<8_200).map { UInt32(0x100 + 2 * $0) }, glyphs = (0..<8_200).map { UInt32(1 + 3 * $0) }
        #expect(gitfolio_cmap_build(chars, glyphs, chars.count, nil, 0) == 0)
    }
}
