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

/// How one kind of block looks. Sizes are in points, for the PDF and (as `pt`) for CSS.
public struct BlockStyle: Sendable, Equatable {
    public var size: Double
    public var bold = false
    public var accent = false
    public var muted = false
    public var spaceBefore: Double = 0
    public var spaceAfter: Double = 0
    public var indent: Double = 0
    /// A rule under the block (section headings).
    public var rule = false
}

/// A template's look: page, fonts, colours and one style per block kind. The HTML stylesheet is
/// generated from it and the PDF renderer reads it, so the screen and the PDF cannot drift.
public struct Theme: Sendable {
    public var template: Template
    /// NanumBarunGothic (Debian's fonts-nanum): Korean and Latin in real regular and bold weights.
    /// TrueType, so its subsets are quick to embed: the PDF renders about three times faster than
    /// with Noto Sans CJK, whose OpenType/CFF collection is 20 times larger (docs/BENCHMARKS.md).
    public var fontFamily = "NanumBarunGothic"
    /// For characters the first lacks (Hanja, other scripts): Debian's fonts-noto-cjk.
    public var fallbackFamily = "Noto Sans CJK KR"
    /// What else a browser without those fonts may use.
    public var cssFallback = "\"Nanum Barun Gothic\", \"Noto Sans KR\", \"Apple SD Gothic Neo\", \"Malgun Gothic\", sans-serif"
    public var text = RGB(hex: 0x1f2328)
    public var muted = RGB(hex: 0x59636e)
    public var accent: RGB
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

    public static func forTemplate(_ template: Template) -> Theme {
        var styles: [BlockKind: BlockStyle] = [
            .name: BlockStyle(size: 22, bold: true, spaceAfter: 2),
            .role: BlockStyle(size: 11, accent: true, spaceAfter: 2),
            .contact: BlockStyle(size: 8.5, muted: true, spaceAfter: 4),
            .section: BlockStyle(size: 12, bold: true, spaceBefore: 14, spaceAfter: 6, rule: true),
            .entry: BlockStyle(size: 10.5, bold: true, spaceBefore: 7, spaceAfter: 1),
            .meta: BlockStyle(size: 8.5, muted: true, spaceAfter: 3),
            .paragraph: BlockStyle(size: 9.5, spaceAfter: 3),
            .bullet: BlockStyle(size: 9.5, spaceAfter: 1.5, indent: 2),
            .row: BlockStyle(size: 9.5, spaceAfter: 1.5, indent: 2),
            .subheading: BlockStyle(size: 9, bold: true, accent: true, spaceBefore: 5, spaceAfter: 2, indent: 2),
        ]
        switch template {
        case .basic:
            return Theme(template: template, accent: RGB(hex: 0x24292f), styles: styles)
        case .star:
            styles[.name]!.accent = true
            styles[.section]!.accent = true
            var theme = Theme(template: template, accent: RGB(hex: 0x1d4ed8), styles: styles)
            theme.accentLabels = true
            return theme
        case .gitfolio:
            styles[.name]!.accent = false
            styles[.section]!.accent = true
            styles[.row]!.indent = 10
            styles[.subheading]!.indent = 10
            var theme = Theme(template: template, accent: RGB(hex: 0x1a7f37), styles: styles)
            theme.accentLabels = true
            return theme
        }
    }

    /// The stylesheet of this template for the screen (and for print from a browser).
    public var css: String {
        let cls = ".gf-\(template.rawValue.lowercased())"
        var out = """
        \(cls){box-sizing:border-box;width:\(pt(pageWidth));min-height:\(pt(pageHeight));padding:\(pt(marginY)) \(pt(marginX));\
        background:#fff;color:\(text.css);font-family:"\(fontFamily)","\(fallbackFamily)",\(cssFallback);line-height:\(lineHeight);\
        overflow-wrap:anywhere;text-align:left}
        \(cls) *{box-sizing:border-box}
        \(cls) p,\(cls) h1,\(cls) h2,\(cls) h3,\(cls) h4{margin:0;font-weight:400;white-space:pre-wrap}
        \(cls) a{color:inherit;text-decoration:none}
        \(cls) .gf-muted{color:\(muted.css)}
        \(cls) .gf-italic{font-style:italic}
        \(cls) .gf-bold{font-weight:700}
        \(cls) .gf-aside{float:right;margin-left:8pt;font-weight:400;color:\(muted.css);font-size:\(pt(style(.meta).size))}
        \(cls) .gf-bullet{position:relative;padding-left:\(pt(style(.bullet).indent + bulletIndent))}
        \(cls) .gf-bullet::before{content:"\(bullet)";position:absolute;left:\(pt(style(.bullet).indent))}

        """
        for kind in BlockKind.allCases {
            let s = style(kind)
            var rules = ["font-size:\(pt(s.size))", "margin:\(pt(s.spaceBefore)) 0 \(pt(s.spaceAfter))"]
            if s.bold { rules.append("font-weight:700") }
            if s.accent { rules.append("color:\(accent.css)") } else if s.muted { rules.append("color:\(muted.css)") }
            if s.indent > 0, kind != .bullet { rules.append("padding-left:\(pt(s.indent))") }
            if s.rule { rules.append("padding-bottom:\(pt(ruleGap));border-bottom:\(pt(ruleWidth)) solid \(accent.css)") }
            out += "\(cls) .gf-\(kind.rawValue){\(rules.joined(separator: ";"))}\n"
        }
        if accentLabels { out += "\(cls) .gf-row .gf-bold{color:\(accent.css)}\n" }
        out += "@media print{@page{size:A4;margin:\(pt(marginY)) \(pt(marginX))}\(cls){width:auto;min-height:0;padding:0}}\n"
        return out
    }

    func pt(_ v: Double) -> String {
        let rounded = (v * 100).rounded() / 100
        return rounded == rounded.rounded() ? "\(Int(rounded))pt" : "\(rounded)pt"
    }
}
