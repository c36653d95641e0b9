import CCairoCmap
import CFastDeflate
import CPangoCairo
import Foundation
import GitfolioCore
import GitfolioResume

/// Renders a resume to PDF (A4, fonts embedded as subsets, selectable text, links) and a PNG
/// thumbnail of its first page, inside the process: Pango lays out and shapes the text, Cairo draws.
///
/// The blocks and styles come from ``ResumeLayout`` and ``Theme``, the definition the HTML uses.
/// Lines are placed like CSS places them: each line is `size × lineHeight` tall with the font's
/// ascent and descent centred in it. Pages break between lines; headings and entry titles move to
/// the next page with the line that follows them, and short blocks (up to three lines) stay whole.
///
/// One renderer keeps its Pango context (fonts stay loaded); calls are serialised by a lock, since
/// Pango's objects are not thread-safe.
public final class PDFRenderer: @unchecked Sendable {
    /// Changes whenever the drawing code changes in a way neither the blocks nor the theme show.
    public static let revision = "pdf-2"

    /// Everything that determines a resume's PDF and thumbnail, as text: its blocks (the layout's
    /// output, so any change of the layout code shows), its template's theme (every stored property,
    /// styles in a fixed order) and the drawing revision. The site builder fingerprints this.
    public static func definition(of resume: Resume) -> String {
        // Written out field by field (not through `description`, whose reflection cost the site builder
        // 5 ms a resume): every drawn property of every block, lengths before texts so that no text can
        // pass for a field boundary.
        var out = ""
        for block in ResumeLayout.blocks(resume.withoutUnfilledPrompts()) {
            out += block.kind.rawValue
            if let aside = block.aside { out += " aside \(aside.utf8.count):\(aside)" }
            for run in block.runs {
                out += " run" + (run.bold ? "b" : "") + (run.italic ? "i" : "") + (run.muted ? "m" : "") + " \(run.text.utf8.count):" + run.text
                if let link = run.link { out += " link \(link.utf8.count):\(link)" }
            }
            out += "\n"
        }
        return out + (themeDefinitions[resume.template] ?? "") + revision
    }

    /// Each template's theme as text (every stored property, styles in a fixed order), made once.
    static let themeDefinitions: [Template: String] = Dictionary(uniqueKeysWithValues: Template.allCases.map { template in
        var out = ""
        for child in Mirror(reflecting: Theme.forTemplate(template)).children {
            if let styles = child.value as? [BlockKind: BlockStyle] {
                for kind in BlockKind.allCases { out += "\(kind.rawValue)=\(styles[kind].map { "\($0)" } ?? "-")\n" }
            } else {
                out += "\(child.label ?? "")=\(child.value)\n"
            }
        }
        return (template, out)
    })

    /// How many of Cairo's cmap reads on this thread were answered from a document's characters.
    public static var documentCharacterMapReads: Int { Int(gitfolio_cmap_answered()) }

    /// The zlib level Cairo's PDF streams get in this process (1, from CFastDeflate).
    public static var deflateLevel: Int { Int(gitfolio_deflate_level()) }

    /// What compresses the PDFs' streams here: libdeflate (level 1) when installed, else zlib.
    public static var deflateLibrary: String { gitfolio_fast_deflate_available() != 0 ? "libdeflate" : "zlib" }

    /// One renderer for a command-line process: its fonts stay loaded between calls.
    public static let shared = PDFRenderer()

    /// Loads the fonts a template uses into ``shared`` on a thread of its own (by laying out the
    /// sample resume in it), so that a command with other work before its PDF (`gitfolio resume`
    /// analyses repositories first) finds them loaded: the two overlap instead of adding up.
    public static func preload(_ template: Template, language: Language) {
        Thread.detachNewThread { _ = shared.pageCount(Resume.sample(language, template: template)) }
    }

    private let lock = NSLock()
    /// Ascent and descent of the faces laid out so far (used under `lock`).
    private let metrics = FontMetrics()
    private let fontMap: UnsafeMutablePointer<PangoFontMap>
    private let context: OpaquePointer

    /// Whether Cairo's cmap reads are answered from a table of the document's characters (CCairoCmap).
    /// Off only to compare against Cairo reading the fonts' own tables (the tests).
    private let documentCharacterMaps: Bool

    public init(documentCharacterMaps: Bool = true) {
        self.documentCharacterMaps = documentCharacterMaps
        // Only the templates' font files, before Pango would start on the system's configuration.
        let config = FontLibrary.configuration
        fontMap = pango_cairo_font_map_new()
        if let config { pango_fc_font_map_set_config(OpaquePointer(fontMap), config) }
        context = pango_font_map_create_context(fontMap)
        // The same metrics on every surface: no hinting, so the PDF and the thumbnail break lines alike.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        pango_cairo_context_set_resolution(context, 72)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(fontMap)
    }

    /// The resume as a PDF document; unfilled prompts are left out (``Resume/withoutUnfilledPrompts()``).
    public func pdf(_ resume: Resume) -> Data {
        withDocument(resume) { makePDF($0, title: resume.profile.name) }
    }

    /// The first page as a PNG image `width` pixels wide (A4 proportions), for the hub.
    public func thumbnail(_ resume: Resume, width: Int = 420) -> Data {
        withDocument(resume) { makeThumbnail($0, width: width) }
    }

    /// Both from one layout, as the site builder needs them.
    public func pdfAndThumbnail(_ resume: Resume, width: Int = 420) -> (pdf: Data, thumbnail: Data) {
        withDocument(resume) { (makePDF($0, title: resume.profile.name), makeThumbnail($0, width: width)) }
    }

    /// How many pages the PDF of this resume has.
    public func pageCount(_ resume: Resume) -> Int {
        withDocument(resume) { $0.pages.count }
    }

    /// Where each line goes: per page, the block (index into ``ResumeLayout/blocks(_:)``) and line
    /// number of every line placed on it, in order. For checking the page-break rules.
    public func pagination(_ resume: Resume) -> [[(block: Int, line: Int, lineCount: Int)]] {
        withDocument(resume) { document in document.pages.map { $0.map { ($0.block, $0.line, document.laid[$0.block].lineCount) } } }
    }

    /// The text of every line, per block (index into ``ResumeLayout/blocks(_:)``): where lines break.
    public func lines(_ resume: Resume) -> [[String]] {
        withDocument(resume) { document in
            document.laid.map { item in
                guard let text = pango_layout_get_text(item.layout) else { return [] }
                let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: Int(strlen(text))))
                return (0..<item.lineCount).compactMap { n -> String? in
                    guard let line = pango_layout_get_line_readonly(item.layout, Int32(n)) else { return nil }
                    let start = Int(line.pointee.start_index), length = Int(line.pointee.length)
                    return String(decoding: bytes[start..<min(bytes.count, start + length)], as: UTF8.self)
                }
            }
        }
    }

    /// Every template's text styles (both weights) in both languages, measured as the layout measures
    /// them (``FontMetrics``) and by `pango_context_get_metrics`: the cases where the two differ, and
    /// how many were compared. For the tests.
    public func metricsAgainstPango() -> (compared: Int, differing: [String]) {
        lock.lock(); defer { lock.unlock() }
        var compared = 0, differing: [String] = []
        for template in Template.allCases {
            let theme = Theme.forTemplate(template)
            for code in Language.allCases.map(\.rawValue) {
                let language = pango_language_from_string(code)
                for kind in BlockKind.allCases {
                    let style = theme.style(kind)
                    for bold in [false, true] {
                        let font = Document.font(family: theme.stack(style.font).pango, size: style.size, bold: bold)
                        defer { pango_font_description_free(font) }
                        let ours = FontMetrics.measure(font, language: language, context: context)
                        let pango = FontMetrics.pangoMetrics(font, language: language, context: context)
                        compared += 1
                        if ours != pango { differing.append("\(template) \(code) \(kind) bold \(bold): \(ours) against \(pango)") }
                    }
                }
            }
        }
        return (compared, differing)
    }

    /// Lays the resume out (under the lock: Pango's objects are not thread-safe) and hands it over.
    private func withDocument<T>(_ resume: Resume, _ body: (Document) -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        // A PDF (and its thumbnail) never carries the editor's unfilled prompts.
        let document = Document(blocks: ResumeLayout.blocks(resume.withoutUnfilledPrompts()), theme: Theme.forTemplate(resume.template),
                                language: resume.language.rawValue, context: context, metrics: metrics)
        defer { document.release() }
        return body(document)
    }

    private func makePDF(_ document: Document, title: String) -> Data {
        let theme = document.theme
        let sink = Sink()
        let surface = cairo_pdf_surface_create_for_stream({ closure, bytes, length in
            guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque(), theme.pageWidth, theme.pageHeight)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.isEmpty ? "Resume" : title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Gitfolio")
        // Cairo's lookups of the character behind each glyph it embeds scan the font's cmap table: a
        // table of this document's characters instead of NanumBarunGothic's 3,504 segments (CCairoCmap).
        if documentCharacterMaps {
            let characters = document.characters
            characters.withUnsafeBufferPointer { gitfolio_cmap_begin($0.baseAddress, $0.count) }
        }
        defer { gitfolio_cmap_end() }
        // Its streams compressed whole by libdeflate where installed (CFastDeflate).
        gitfolio_fast_deflate_begin()
        defer { gitfolio_fast_deflate_end() }
        let cr = cairo_create(surface)!
        for page in document.pages.indices {
            document.draw(page: page, on: cr, links: true)
            cairo_show_page(cr)
        }
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        return Data(sink.bytes)
    }

    private func makeThumbnail(_ document: Document, width: Int) -> Data {
        let theme = document.theme
        let scale = Double(width) / theme.pageWidth
        let height = Int((theme.pageHeight * scale).rounded())
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
        let cr = cairo_create(surface)!
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale, scale)
        document.draw(page: 0, on: cr, links: false)
        cairo_destroy(cr)
        let png = PNGWriter.encode(surface!)
        cairo_surface_destroy(surface)
        return png
    }
}

/// The ascent and descent of a font description in a language, as `pango_context_get_metrics`
/// gives them, kept for the renderer's life. Pango's call also shapes a sample sentence of the
/// language to measure average character widths, which the layout does not use, and does all of it
/// again on every call: a tenth of a whole `gitfolio render` went there. The ascent and descent it
/// reports are the largest among the fontset's first font and the fonts of that sentence, as
/// HarfBuzz gives them.
final class FontMetrics {
    struct Key: Hashable { var family: String, size: Int32, weight: UInt32, language: String }
    private var known: [Key: (Double, Double)] = [:]

    func ascentDescent(_ font: OpaquePointer, language: OpaquePointer?, code: String, context: OpaquePointer) -> (Double, Double) {
        let key = Key(family: pango_font_description_get_family(font).map { String(cString: $0) } ?? "",
                      size: pango_font_description_get_size(font), weight: pango_font_description_get_weight(font).rawValue, language: code)
        if let value = known[key] { return value }
        let value = Self.measure(font, language: language, context: context)
        known[key] = value
        return value
    }

    /// Through HarfBuzz, as Pango does; Pango's own call where a font carries a transformation (Pango
    /// then transforms its extents) or no fontset loads.
    static func measure(_ font: OpaquePointer, language: OpaquePointer?, context: OpaquePointer) -> (Double, Double) {
        if let fontset = pango_context_load_fontset(context, font, language) {
            defer { g_object_unref(UnsafeMutableRawPointer(fontset)) }
            var first: UnsafeMutablePointer<PangoFont>?
            pango_fontset_foreach(fontset, { _, font, data in
                data?.assumingMemoryBound(to: UnsafeMutablePointer<PangoFont>?.self).pointee = font
                return 1
            }, &first)
            // Pango then takes the largest ascent and descent among the fonts that the language's
            // sample sentence is set in (a Korean sentence adds the Korean face to a Latin-first list).
            // `first` is the fontset's to keep; the fonts of the sample sentence are ours to release.
            var fonts: [UnsafeMutablePointer<PangoFont>] = first.map { [$0] } ?? []
            let borrowed = fonts.count
            defer { fonts.dropFirst(borrowed).forEach { g_object_unref(UnsafeMutableRawPointer($0)) } }
            if let sample = pango_language_get_sample_string(language) {
                for scalar in String(cString: sample).unicodeScalars where scalar != " " {
                    guard let font = pango_fontset_get_font(fontset, scalar.value) else { continue }
                    if fonts.contains(font) { g_object_unref(UnsafeMutableRawPointer(font)) } else { fonts.append(font) }
                }
            }
            var ascent: Int32 = 0, descent: Int32 = 0, measured = !fonts.isEmpty
            for font in fonts {
                guard !hasMatrix(font), let hb = pango_font_get_hb_font(font) else { measured = false; break }
                var extents = hb_font_extents_t()
                hb_font_get_extents_for_direction(hb, HB_DIRECTION_LTR, &extents)
                ascent = max(ascent, extents.ascender)
                descent = max(descent, -extents.descender)
            }
            if measured { return (Double(ascent) / Double(PANGO_SCALE), Double(descent) / Double(PANGO_SCALE)) }
        }
        return pangoMetrics(font, language: language, context: context)
    }

    /// `pango_context_get_metrics`' ascent and descent (the reference the tests compare with).
    static func pangoMetrics(_ font: OpaquePointer, language: OpaquePointer?, context: OpaquePointer) -> (Double, Double) {
        let metrics = pango_context_get_metrics(context, font, language)
        defer { pango_font_metrics_unref(metrics) }
        return (Double(pango_font_metrics_get_ascent(metrics)) / Double(PANGO_SCALE),
                Double(pango_font_metrics_get_descent(metrics)) / Double(PANGO_SCALE))
    }

    private static func hasMatrix(_ font: UnsafeMutablePointer<PangoFont>) -> Bool {
        guard let pattern = pango_fc_font_get_pattern(UnsafeMutableRawPointer(font).assumingMemoryBound(to: PangoFcFont.self)) else { return true }
        var matrix: UnsafeMutablePointer<FcMatrix>?
        return FcPatternGetMatrix(pattern, FC_MATRIX, 0, &matrix) == FcResultMatch
    }
}

/// Where Cairo writes the PDF, in many small pieces: an array takes them more cheaply than `Data`.
private final class Sink {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(128 * 1024) }
}

/// The blocks laid out into lines and placed on pages.
private struct Document {
    struct Laid {
        var block: Block
        var style: BlockStyle
        var layout: OpaquePointer
        var aside: OpaquePointer?
        var asideWidth: Double
        var bullet: OpaquePointer?
        /// Where the text starts, from the left margin, and how wide it may be.
        var x: Double
        var width: Double
        var lineHeight: Double
        /// Baseline offset within a line box.
        var baseline: Double
        var lineCount: Int
        /// UTF-8 byte ranges of links in the layout's text.
        var links: [(range: Range<Int32>, url: String)]
        /// Extra height under the last line (a rule).
        var trailer: Double
    }

    struct Placement {
        var block: Int
        var line: Int
        var top: Double
    }

    let theme: Theme
    var laid: [Laid] = []
    var pages: [[Placement]] = []

    init(blocks: [Block], theme: Theme, language code: String, context: OpaquePointer, metrics: FontMetrics) {
        self.theme = theme
        let contentWidth = theme.pageWidth - 2 * theme.marginX
        let language = pango_language_from_string(code)
        struct MetricsKey: Hashable { var size: Double, bold: Bool, font: FontRole }
        var families: [FontRole: String] = [:]
        var bullets: [MetricsKey: OpaquePointer] = [:]
        func makeFont(_ style: BlockStyle, bold: Bool) -> OpaquePointer {
            let family = families[style.font] ?? {
                let list = theme.stack(style.font).pango
                families[style.font] = list
                return list
            }()
            return Document.font(family: family, size: style.size, bold: bold)
        }
        for block in blocks {
            let style = theme.style(block.kind)
            let font = makeFont(style, bold: style.bold)
            // Ascent and descent per face, size and language, kept by the renderer between documents.
            let (ascent, descent) = metrics.ascentDescent(font, language: language, code: code, context: context)
            let lineHeight = style.size * theme.lineHeight
            let baseline = (lineHeight - (ascent + descent)) / 2 + ascent

            let base = style.accent ? theme.accent : (style.muted ? theme.muted : theme.text)
            var x = style.indent
            var bullet: OpaquePointer?
            if block.kind == .bullet {
                // One layout of the bullet per face and size, shared by the blocks that draw it
                // (each holds a reference, released with the rest).
                let key = MetricsKey(size: style.size, bold: style.bold, font: style.font)
                if let shared = bullets[key] {
                    g_object_ref(UnsafeMutableRawPointer(shared))
                    bullet = shared
                } else {
                    let attrs = pango_attr_list_new()!
                    pango_attr_list_insert(attrs, Document.color(theme.text))
                    bullet = Document.layout(theme.bullet, font: font, width: nil, attributes: attrs, context: context)
                    bullets[key] = bullet
                }
                x += theme.bulletIndent
            }
            var aside: OpaquePointer?
            var asideWidth = 0.0
            if let text = block.aside {
                // The period beside an entry's title, in the meta style's face and size.
                let meta = theme.style(.meta)
                var asideStyle = style
                asideStyle.font = meta.font
                asideStyle.size = meta.size
                let asideFont = makeFont(asideStyle, bold: false)
                let attrs = pango_attr_list_new()!
                pango_attr_list_insert(attrs, Document.color(theme.muted))
                let layout = Document.layout(text, font: asideFont, width: nil, attributes: attrs, context: context)
                pango_font_description_free(asideFont)
                var logical = PangoRectangle()
                pango_layout_get_extents(layout, nil, &logical)
                asideWidth = Double(logical.width) / Double(PANGO_SCALE)
                aside = layout
            }

            // The text with one attribute per run: weight, style and colour.
            var text = ""
            var links: [(Range<Int32>, String)] = []
            let attrs = pango_attr_list_new()!
            for run in block.runs {
                let start = Int32(text.utf8.count)
                text += run.text
                let end = Int32(text.utf8.count)
                guard end > start else { continue }
                func add(_ attribute: UnsafeMutablePointer<PangoAttribute>) {
                    attribute.pointee.start_index = guint(start)
                    attribute.pointee.end_index = guint(end)
                    pango_attr_list_insert(attrs, attribute)
                }
                if run.bold { add(pango_attr_weight_new(PANGO_WEIGHT_BOLD)) }
                if run.italic { add(pango_attr_style_new(PANGO_STYLE_ITALIC)) }
                let color = run.muted ? theme.muted : (run.bold && block.kind == .row && theme.accentLabels ? theme.accent : base)
                add(Document.color(color))
                if let url = ResumeLayout.safeLink(run.link) { links.append((start..<end, url)) }
            }
            if style.tracking != 0, code != "ko" {
                pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(Int32(style.tracking * style.size * Double(PANGO_SCALE))))
            }
            // Korean words are not broken between syllables (CSS `word-break: keep-all`).
            for range in Document.koreanWords(text) {
                let attribute = pango_attr_allow_breaks_new(0)!
                attribute.pointee.start_index = guint(range.lowerBound)
                attribute.pointee.end_index = guint(range.upperBound)
                pango_attr_list_insert(attrs, attribute)
            }
            let reserved = aside == nil ? 0 : asideWidth + 8
            let width = contentWidth - x - reserved
            let layout = Document.layout(text, font: font, width: width, attributes: attrs, context: context)
            pango_font_description_free(font)
            let lineCount = Int(pango_layout_get_line_count(layout))
            laid.append(Laid(block: block, style: style, layout: layout, aside: aside, asideWidth: asideWidth,
                             bullet: bullet, x: x, width: width, lineHeight: lineHeight, baseline: baseline, lineCount: max(lineCount, 1),
                             links: links, trailer: style.rule ? theme.ruleGap + theme.ruleWidth : 0))
        }
        paginate()
    }

    /// UTF-8 byte ranges of the words of `text` that hold Hangul (runs without spaces), up to 24
    /// characters long: longer runs may still break, so nothing overflows the line.
    static func koreanWords(_ text: String) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var offset = 0, start = 0, count = 0, hangul = false
        func close() {
            if hangul, count > 1, count <= 24 { out.append(start..<offset) }
            count = 0
            hangul = false
        }
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            // ASCII's whitespace is the five controls and the space; only other scalars need the table.
            if scalar.isASCII ? (scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace {
                close()
                start = offset + size
            } else {
                if count == 0 { start = offset }
                count += 1
                if (0xAC00...0xD7A3).contains(scalar.value) || (0x1100...0x11FF).contains(scalar.value) || (0x3130...0x318F).contains(scalar.value) {
                    hangul = true
                }
            }
            offset += size
        }
        close()
        return out
    }

    /// A Pango layout of `text` (wrapped at `width` points when given); takes over `attributes`.
    static func layout(_ text: String, font: OpaquePointer, width: Double?, attributes: OpaquePointer, context: OpaquePointer) -> OpaquePointer {
        let layout = pango_layout_new(context)!
        pango_layout_set_font_description(layout, font)
        if let width { pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE))) }
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_text(layout, text, -1)
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)
        return layout
    }

    /// A font description of a family list (the caller frees it).
    static func font(family: String, size: Double, bold: Bool) -> OpaquePointer {
        let font = pango_font_description_new()!
        pango_font_description_set_family(font, family)
        pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        return font
    }

    static func color(_ c: RGB) -> UnsafeMutablePointer<PangoAttribute> {
        pango_attr_foreground_new(guint16(c.red * 65535), guint16(c.green * 65535), guint16(c.blue * 65535))
    }

    /// Every character the document's layouts hold, and those Pango may add when it breaks or
    /// shortens a line (hyphens, an ellipsis), as Unicode scalar values.
    var characters: [UInt32] {
        var out: [UInt32] = [0x20, 0xA0, 0x2D, 0xAD, 0x2010, 0x2026]
        for item in laid {
            for layout in [item.layout, item.aside, item.bullet] {
                guard let layout, let text = pango_layout_get_text(layout) else { continue }
                out.append(contentsOf: String(cString: text).unicodeScalars.lazy.map(\.value))
            }
        }
        return out
    }

    func release() {
        for item in laid {
            g_object_unref(UnsafeMutableRawPointer(item.layout))
            if let aside = item.aside { g_object_unref(UnsafeMutableRawPointer(aside)) }
            if let bullet = item.bullet { g_object_unref(UnsafeMutableRawPointer(bullet)) }
        }
    }

    /// The height a block must find on the current page before it starts there: all of it when it
    /// is short, its first two lines otherwise, plus what it must keep with it.
    func need(_ i: Int) -> Double {
        let item = laid[i]
        let lines = item.lineCount <= 3 ? item.lineCount : 2
        var height = Double(lines) * item.lineHeight + (lines == item.lineCount ? item.trailer : 0)
        if item.block.keepWithNext, i + 1 < laid.count {
            height += item.style.spaceAfter + laid[i + 1].style.spaceBefore + need(i + 1)
        }
        return height
    }

    mutating func paginate() {
        let top = theme.marginY
        let bottom = theme.pageHeight - theme.marginY
        var page: [Placement] = []
        var y = top
        func newPage() {
            pages.append(page)
            page = []
            y = top
        }
        for (i, item) in laid.enumerated() {
            if y > top { y += item.style.spaceBefore }
            if y > top, y + need(i) > bottom { newPage() }
            for line in 0..<item.lineCount {
                let last = line == item.lineCount - 1
                let height = item.lineHeight + (last ? item.trailer : 0)
                // Leave no single line of a long block alone at the top of the next page.
                let widow = item.lineCount > 3 && line == item.lineCount - 2 && y + 2 * item.lineHeight + item.trailer > bottom
                if y > top, y + height > bottom || widow { newPage() }
                page.append(Placement(block: i, line: line, top: y))
                y += height
            }
            y += item.style.spaceAfter
        }
        pages.append(page)
    }

    /// Draws one page; with `links`, marks each link's area as a PDF link annotation.
    func draw(page: Int, on cr: OpaquePointer, links: Bool) {
        guard pages.indices.contains(page) else { return }
        let left = theme.marginX
        let right = theme.pageWidth - theme.marginX
        for placement in pages[page] {
            let item = laid[placement.block]
            let layout = item.layout
            guard let line = pango_layout_get_line_readonly(layout, Int32(placement.line)) else { continue }
            let baselineY = placement.top + item.baseline
            var x = left + item.x
            if item.style.centered {
                var logical = PangoRectangle()
                pango_layout_line_get_extents(line, nil, &logical)
                x += max(0, (item.width - Double(logical.width) / Double(PANGO_SCALE)) / 2)
            }
            if item.style.bar {
                cairo_set_source_rgb(cr, theme.ruleColor.red, theme.ruleColor.green, theme.ruleColor.blue)
                cairo_rectangle(cr, left + item.style.indent - 6, placement.top, 1.2, item.lineHeight)
                cairo_fill(cr)
            }
            cairo_move_to(cr, x, baselineY)
            pango_cairo_show_layout_line(cr, line)
            if placement.line == 0 {
                if let bullet = item.bullet, let glyph = pango_layout_get_line_readonly(bullet, 0) {
                    cairo_move_to(cr, left + item.style.indent, baselineY)
                    pango_cairo_show_layout_line(cr, glyph)
                }
                if let aside = item.aside, let asideLine = pango_layout_get_line_readonly(aside, 0) {
                    cairo_move_to(cr, right - item.asideWidth, baselineY)
                    pango_cairo_show_layout_line(cr, asideLine)
                }
            }
            if links {
                let start = line.pointee.start_index
                let end = start + line.pointee.length
                for link in item.links where link.range.lowerBound < end && link.range.upperBound > start {
                    var x0: Int32 = 0, x1: Int32 = 0
                    pango_layout_line_index_to_x(line, max(link.range.lowerBound, start), 0, &x0)
                    pango_layout_line_index_to_x(line, min(link.range.upperBound, end), 0, &x1)
                    let a = Double(min(x0, x1)) / Double(PANGO_SCALE), b = Double(max(x0, x1)) / Double(PANGO_SCALE)
                    let rect = String(format: "rect=[%.2f %.2f %.2f %.2f]", x + a, placement.top, b - a, item.lineHeight)
                    cairo_tag_begin(cr, CAIRO_TAG_LINK, "\(rect) uri='\(link.url)'")
                    cairo_tag_end(cr, CAIRO_TAG_LINK)
                }
            }
            if placement.line == item.lineCount - 1, item.style.rule {
                cairo_set_source_rgb(cr, theme.ruleColor.red, theme.ruleColor.green, theme.ruleColor.blue)
                cairo_set_line_width(cr, theme.ruleWidth)
                let ruleY = placement.top + item.lineHeight + theme.ruleGap + theme.ruleWidth / 2
                cairo_move_to(cr, left, ruleY)
                cairo_line_to(cr, right, ruleY)
                cairo_stroke(cr)
            }
        }
    }
}
