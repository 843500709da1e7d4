/// The three standard PDF fonts the figures use (Helvetica, Helvetica-Bold, Symbol): every
/// viewer has them, so nothing is embedded. Widths (in 1/1000 em, from Adobe's AFM files as
/// shipped with groff) place centred and right-aligned text exactly as the SVG does.
enum PDFFonts {
    enum Face: String, CaseIterable {
        case regular = "F1", bold = "F2", symbol = "F3"

        var baseFont: String {
            switch self {
            case .regular: return "Helvetica"
            case .bold: return "Helvetica-Bold"
            case .symbol: return "Symbol"
            }
        }
    }

    /// One run of text in one font: the bytes to show (WinAnsiEncoding, or Symbol's own) and
    /// its width at size 1.
    struct Run: Equatable {
        let face: Face
        var bytes: [UInt8]
        var width: Double
    }

    /// `text` as runs: Latin characters in Helvetica (regular or bold), the Greek and
    /// mathematical ones ftlab prints (Δ, ≈, −, …) in Symbol; anything else as `?`.
    static func runs(_ text: String, bold: Bool) -> [Run] {
        let latin: Face = bold ? .bold : .regular
        var runs: [Run] = []
        for scalar in text.unicodeScalars {
            var face = latin
            var code = winAnsi(scalar)
            var width = 0.0
            if let c = code {
                width = Double((bold ? helveticaBold : helvetica)[Int(c) - 32])
            } else if let (c, w) = symbol[scalar] {
                face = .symbol; code = c; width = Double(w)
            } else {
                code = 0x3F
                width = Double((bold ? helveticaBold : helvetica)[0x3F - 32])
            }
            if runs.last?.face == face {
                runs[runs.count - 1].bytes.append(code!)
                runs[runs.count - 1].width += width / 1000
            } else {
                runs.append(Run(face: face, bytes: [code!], width: width / 1000))
            }
        }
        return runs
    }

    /// The WinAnsiEncoding byte of a character with a glyph in Helvetica, or nil.
    static func winAnsi(_ s: Unicode.Scalar) -> UInt8? {
        switch s.value {
        case 0x20...0x7E, 0xA0...0xFF: return UInt8(s.value)
        default: return winAnsiHigh[s.value]
        }
    }

    /// WinAnsiEncoding 0x80–0x9F, which is not Latin-1.
    private static let winAnsiHigh: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// Characters drawn from the Symbol font: its byte and width.
    private static let symbol: [Unicode.Scalar: (UInt8, Int)] = [
        "Δ": (0x44, 612), "α": (0x61, 631), "σ": (0x73, 603), "μ": (0x6D, 576), "Σ": (0x53, 592),
        "≈": (0xBB, 549), "≤": (0xA3, 549), "≥": (0xB3, 549), "−": (0x2D, 549), "→": (0xAE, 987),
        "↑": (0xAD, 603), "↓": (0xAF, 603), "↵": (0xBF, 658),
    ]

    /// Widths of WinAnsiEncoding bytes 32…255 (0: no glyph).
    static let helvetica: [UInt16] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
        556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
        0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
        278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
        400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
        667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
        722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
        556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
    ]

    static let helveticaBold: [UInt16] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
        556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
        0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
        278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
        400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
        722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
        722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
        556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
        611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
    ]
}
