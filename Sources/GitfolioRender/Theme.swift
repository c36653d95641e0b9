import GitfolioResume

/// An sRGB colour.
public struct RGB: Sendable, Equatable {
    public var red: Double, green: Double, blue: Double
    public init(hex: UInt32) {
        red = Double((hex >> 16) & 0xff) / 255
        green = Double((hex >> 8) & 0xff) / 255
        blue = Double(hex & 0xff) / 255
    }
    public var css: String {
        "#" + [red, green, blue].map { c in
            let v = Int((c * 255).rounded())
            return (v < 16 ? "0" : "") + String(v, radix: 16)
        }.joined()
    }
}

/// A typeface a template names: its family, as fontconfig and CSS know it, and its files on a
/// Debian machine (`scripts/deps.sh` installs the packages). The PDF renderer loads these files
/// and nothing else (``FontLibrary``).
public struct Typeface: Sendable, Hashable {
    public var family: String
    public var files: [String]

    public init(_ family: String, _ files: [String]) {
        self.family = family
        self.files = files
    }

    /// Noto Sans (fonts-noto-core): Latin, Greek and Cyrillic, with real italics and word spaces
    /// made for English. TrueType, so Cairo subsets it quickly.
    public static let notoSans = Typeface("Noto Sans", ["Regular", "Bold", "Italic", "BoldItalic"].map { "/usr/share/fonts/truetype/noto/NotoSans-\($0).ttf" })
    /// Noto Serif (fonts-noto-core), the Latin face of the formal template.
    public static let notoSerif = Typeface("Noto Serif", ["Regular", "Bold", "Italic", "BoldItalic"].map { "/usr/share/fonts/truetype/noto/NotoSerif-\($0).ttf" })
    /// Noto Sans Mono (fonts-noto-mono), for the developer template's details.
    public static let notoSansMono = Typeface("Noto Sans Mono", ["Regular", "Bold"].map { "/usr/share/fonts/truetype/noto/NotoSansMono-\($0).ttf" })
    /// NanumBarunGothic (fonts-nanum): Korean in real regular and bold weights. TrueType: its subsets
    /// embed about three times faster than Noto Sans CJK's (docs/BENCHMARKS.md).
    public static let nanumBarunGothic = Typeface("NanumBarunGothic", ["NanumBarunGothic", "NanumBarunGothicBold"].map { "/usr/share/fonts/truetype/nanum/\($0).ttf" })
    /// NanumMyeongjo (fonts-nanum): Korean with serifs, for the formal template.
    public static let nanumMyeongjo = Typeface("NanumMyeongjo", ["NanumMyeongjo", "NanumMyeongjoBold"].map { "/usr/share/fonts/truetype/nanum/\($0).ttf" })
    /// Noto Sans CJK KR (fonts-noto-cjk): for the characters the faces before it lack (Hanja, kana).
    /// A 20 MB collection, opened only when such a character appears.
    public static let notoSansCJK = Typeface("Noto Sans CJK KR", ["Regular", "Bold"].map { "/usr/share/fonts/opentype/noto/NotoSansCJK-\($0).ttc" })
    public static let notoSerifCJK = Typeface("Noto Serif CJK KR", ["Regular", "Bold"].map { "/usr/share/fonts/opentype/noto/NotoSerifCJK-\($0).ttc" })
    /// DejaVu Sans (fonts-dejavu-core, which fontconfig itself depends on): the last resort for
    /// scripts and symbols the others lack (Hebrew, Arabic, arrows).
    public static let dejaVuSans = Typeface("DejaVu Sans", ["DejaVuSans", "DejaVuSans-Bold"].map { "/usr/share/fonts/truetype/dejavu/\($0).ttf" })
}

/// One fallback list, for the screen and the PDF alike: the Latin face first (English text and
/// the Latin words of Korean text), then the Korean face, then the fallback for anything else.
/// CSS adds only the generic family.
public struct FontStack: Sendable, Hashable {
    public var faces: [Typeface]
    /// `sans-serif`, `serif` or `monospace`.
    public var generic: String

    public init(_ faces: [Typeface], generic: String) {
        self.faces = faces
        self.generic = generic
    }

    /// `"Noto Sans", "NanumBarunGothic", "Noto Sans CJK KR", sans-serif`.
    public var css: String { (faces.map { "\"\($0.family)\"" } + [generic]).joined(separator: ",") }
    /// `Noto Sans,NanumBarunGothic,Noto Sans CJK KR`, a Pango family list.
    public var pango: String { faces.map(\.family).joined(separator: ",") }

    public static let sans = FontStack([.notoSans, .nanumBarunGothic, .notoSansCJK, .dejaVuSans], generic: "sans-serif")
    public static let serif = FontStack([.notoSerif, .nanumMyeongjo, .notoSerifCJK, .notoSansCJK, .dejaVuSans], generic: "serif")
    public static let mono = FontStack([.notoSansMono, .nanumBarunGothic, .notoSansCJK, .dejaVuSans], generic: "monospace")
}

/// Which of a theme's font stacks a block is set in.
public enum FontRole: String, Sendable, CaseIterable {
    case text
    case mono
}

/// How one kind of block looks. Sizes are in points, for the PDF and (as `pt`) for CSS.
public struct BlockStyle: Sendable, Equatable {
    public var size: Double
    public var bold = false
    public var accent = false
    public var muted = false
    public var spaceBefore: Double = 0
    public var spaceAfter: Double = 0
    public var indent: Double = 0
    /// A rule under the block (section headings), in the theme's rule colour.
    public var rule = false
    public var font: FontRole = .text
    /// Extra space between letters, in ems, for Latin text (Korean text is set without it).
    public var tracking: Double = 0
    public var centered = false
    /// A vertical bar in the theme's rule colour left of the block's lines (the developer
    /// template's troubleshooting rows).
    public var bar = false
}

/// A template's look: page, fonts, colours and one style per block kind. The HTML stylesheet is
/// generated from it and the PDF renderer reads it, so the screen and the PDF cannot drift.
///
/// Each template has a character of its own: BASIC is a plain sans-serif page in greys; STAR a
/// formal serif page with a centred head and navy headings; GITFOLIO a developer's page, sans-serif
/// text with its details (periods, repositories, skills, labels) in a monospaced face and green.
public struct Theme: Sendable {
    public var template: Template
    public var fonts: [FontRole: FontStack]
    public var text = RGB(hex: 0x1f2328)
    public var muted = RGB(hex: 0x57606a)
    public var accent: RGB
    /// Rules under headings and the bars beside rows.
    public var ruleColor: RGB
    /// Line height as a multiple of the font size.
    public var lineHeight = 1.45
    /// A4 in points, and its margins.
    public var pageWidth = 595.28
    public var pageHeight = 841.89
    public var marginX = 50.0
    public var marginY = 46.0
    public var ruleWidth = 0.8
    /// Space between a rule and the heading above it.
    public var ruleGap = 3.0
    /// Where bullet text starts, and the bullet glyph.
    public var bulletIndent = 11.0
    public var bullet = "•"
    /// STAR and troubleshooting labels in the accent colour.
    public var accentLabels = false
    public var styles: [BlockKind: BlockStyle]

    public func style(_ kind: BlockKind) -> BlockStyle { styles[kind]! }
    public func stack(_ role: FontRole) -> FontStack { fonts[role] ?? fonts[.text]! }

    /// Every typeface this theme names.
    public var typefaces: [Typeface] {
        var seen: Set<Typeface> = []
        return FontRole.allCases.compactMap { fonts[$0] }.flatMap(\.faces).filter { seen.insert($0).inserted }
    }

    /// The typefaces of all templates: what the PDF renderer loads.
    public static var allTypefaces: [Typeface] {
        var seen: Set<Typeface> = []
        return Template.allCases.flatMap { forTemplate($0).typefaces }.filter { seen.insert($0).inserted }
    }

    public static func forTemplate(_ template: Template) -> Theme {
        var styles: [BlockKind: BlockStyle] = [
            .name: BlockStyle(size: 21, bold: true, spaceAfter: 1),
            .role: BlockStyle(size: 10.5, muted: true, spaceAfter: 1),
            .contact: BlockStyle(size: 8.5, muted: true, spaceAfter: 2),
            .section: BlockStyle(size: 10.5, bold: true, spaceBefore: 12, spaceAfter: 5, rule: true, tracking: 0.04),
            .entry: BlockStyle(size: 10, bold: true, spaceBefore: 6, spaceAfter: 0.5),
            .meta: BlockStyle(size: 8.5, muted: true, spaceAfter: 2),
            .paragraph: BlockStyle(size: 9.2, spaceAfter: 2),
            .bullet: BlockStyle(size: 9.2, spaceAfter: 1, indent: 2),
            .row: BlockStyle(size: 9.2, spaceAfter: 1, indent: 2),
            .subheading: BlockStyle(size: 8.8, bold: true, accent: true, spaceBefore: 4, spaceAfter: 1.5, indent: 2),
        ]
        switch template {
        case .basic:
            // Plain and dense: one sans-serif face, greys, hairline rules; the example fits one page.
            return Theme(template: template, fonts: [.text: .sans], accent: RGB(hex: 0x24292f), ruleColor: RGB(hex: 0xb8bfc6),
                         lineHeight: 1.42, marginY: 42, ruleWidth: 0.6, styles: styles)
        case .star:
            // Formal: serif faces, a centred head, navy headings with a rule of the same colour.
            styles[.name] = BlockStyle(size: 23, bold: true, spaceAfter: 2, centered: true)
            styles[.role] = BlockStyle(size: 10.5, accent: true, spaceAfter: 1, centered: true)
            styles[.contact] = BlockStyle(size: 8.5, muted: true, spaceAfter: 4, centered: true)
            styles[.section] = BlockStyle(size: 11.5, bold: true, accent: true, spaceBefore: 13, spaceAfter: 5, rule: true, tracking: 0.06)
            styles[.entry]!.size = 10.5
            for kind in [BlockKind.paragraph, .bullet, .row] { styles[kind]!.size = 9.5 }
            styles[.subheading]!.tracking = 0.08
            var theme = Theme(template: template, fonts: [.text: .serif], accent: RGB(hex: 0x1e3a5f), ruleColor: RGB(hex: 0x1e3a5f),
                              lineHeight: 1.45, marginX: 54, styles: styles)
            theme.ruleWidth = 0.5
            theme.bullet = "–"
            theme.accentLabels = true
            return theme
        case .gitfolio:
            // A developer's page: details in a monospaced face, green headings, troubleshooting rows
            // marked by a bar.
            styles[.role] = BlockStyle(size: 9.5, accent: true, spaceAfter: 1, font: .mono)
            styles[.contact] = BlockStyle(size: 8, muted: true, spaceAfter: 2, font: .mono)
            styles[.section] = BlockStyle(size: 10, bold: true, accent: true, spaceBefore: 12, spaceAfter: 5, rule: true, font: .mono)
            styles[.meta] = BlockStyle(size: 7.8, muted: true, spaceAfter: 2, font: .mono)
            styles[.subheading] = BlockStyle(size: 8, bold: true, accent: true, spaceBefore: 4, spaceAfter: 1.5, indent: 10, font: .mono)
            styles[.row]!.indent = 10
            styles[.row]!.bar = true
            styles[.row]!.spaceAfter = 0  // one unbroken bar beside the rows
            var theme = Theme(template: template, fonts: [.text: .sans, .mono: .mono], accent: RGB(hex: 0x116329), ruleColor: RGB(hex: 0x8fd19e),
                              styles: styles)
            theme.accentLabels = true
            return theme
        }
    }

    /// The stylesheet of this template for the screen (and for print from a browser). On a narrow
    /// screen the sheet reflows to the screen's width (the PDF stays A4).
    public var css: String {
        let cls = ".gf-\(template.rawValue.lowercased())"
        var out = """
        \(cls){box-sizing:border-box;width:\(pt(pageWidth));min-height:\(pt(pageHeight));padding:\(pt(marginY)) \(pt(marginX));\
        background:#fff;color:\(text.css);font-family:\(stack(.text).css);line-height:\(lineHeight);\
        overflow-wrap:break-word;text-align:left}
        \(cls):lang(ko){word-break:keep-all}
        \(cls) *{box-sizing:border-box}
        \(cls) p,\(cls) h1,\(cls) h2,\(cls) h3,\(cls) h4{margin:0;font-weight:400;white-space:pre-wrap}
        \(cls) a{color:inherit;text-decoration:none}
        \(cls) .gf-muted{color:\(muted.css)}
        \(cls) .gf-italic{font-style:italic}
        \(cls) .gf-bold{font-weight:700}
        \(cls) .gf-aside{float:right;margin-left:8pt;font-weight:400;color:\(muted.css);font-size:\(pt(style(.meta).size));\
        font-family:\(stack(style(.meta).font).css)}
        \(cls) .gf-bullet{position:relative;padding-left:\(pt(style(.bullet).indent + bulletIndent))}
        \(cls) .gf-bullet::before{content:"\(bullet)";position:absolute;left:\(pt(style(.bullet).indent))}

        """
        for kind in BlockKind.allCases {
            let s = style(kind)
            var rules = ["font-size:\(pt(s.size))", "margin:\(pt(s.spaceBefore)) 0 \(pt(s.spaceAfter))"]
            if s.font != .text { rules.append("font-family:\(stack(s.font).css)") }
            if s.bold { rules.append("font-weight:700") }
            if s.accent { rules.append("color:\(accent.css)") } else if s.muted { rules.append("color:\(muted.css)") }
            if s.tracking != 0 { rules.append("letter-spacing:\(s.tracking)em") }
            if s.centered { rules.append("text-align:center") }
            if s.bar {
                // The PDF draws the bar 6pt left of the text, 1.2pt wide.
                rules.append("margin-left:\(pt(s.indent - 6));border-left:\(pt(1.2)) solid \(ruleColor.css);padding-left:\(pt(4.8))")
            } else if s.indent > 0, kind != .bullet {
                rules.append("padding-left:\(pt(s.indent))")
            }
            if s.rule { rules.append("padding-bottom:\(pt(ruleGap));border-bottom:\(pt(ruleWidth)) solid \(ruleColor.css)") }
            out += "\(cls) .gf-\(kind.rawValue){\(rules.joined(separator: ";"))}\n"
        }
        for kind in BlockKind.allCases where style(kind).tracking != 0 { out += "\(cls):lang(ko) .gf-\(kind.rawValue){letter-spacing:normal}\n" }
        if accentLabels { out += "\(cls) .gf-row .gf-bold{color:\(accent.css)}\n" }
        // Narrow screens: the sheet takes the width it is given, the period goes under the title.
        let narrow = "\(cls){width:auto;min-height:0;padding:18px 16px}\(cls) .gf-aside{float:none;display:block;margin:0}"
        out += "@media screen and (max-width:840px){\(narrow)}\n"
        out += "@container gf-sheet (max-width:800px){\(narrow)}\n"
        out += "@media print{@page{size:A4;margin:\(pt(marginY)) \(pt(marginX))}\(cls){width:auto;min-height:0;padding:0}}\n"
        return out
    }

    func pt(_ v: Double) -> String {
        let rounded = (v * 100).rounded() / 100
        return rounded == rounded.rounded() ? "\(Int(rounded))pt" : "\(rounded)pt"
    }
}
