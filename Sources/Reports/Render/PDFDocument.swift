/// A minimal PDF 1.4 writer: numbered objects, one uncompressed content stream per page, and a
/// cross-reference table whose byte offsets point at each `N 0 obj`. The file is 7-bit ASCII
/// (bytes above 127 inside strings are written as octal escapes), so a Swift `String` holds it
/// exactly and its UTF-8 bytes are the offsets counted here. Nothing varies between runs: no
/// date, no random file id, so a report renders to the same bytes every time.
struct PDFDocument {
    /// Object bodies, numbered from 1 in order.
    private var objects: [String] = []

    /// Adds an object and returns its number.
    mutating func add(_ body: String) -> Int {
        objects.append(body)
        return objects.count
    }

    /// Reserves a number for an object written later (a page's parent before the parent exists).
    mutating func reserve() -> Int { add("") }

    mutating func set(_ number: Int, _ body: String) { objects[number - 1] = body }

    /// A stream object: its dictionary's /Length is the stream's byte count.
    mutating func addStream(_ content: String, dictionary: String = "") -> Int {
        let length = content.utf8.count
        return add("<< /Length \(length)\(dictionary.isEmpty ? "" : " " + dictionary) >>\nstream\n\(content)\nendstream")
    }

    /// The whole file: header, objects, xref table, trailer.
    func rendered(root: Int, info: Int? = nil) -> String {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        var position = out.utf8.count
        for (i, body) in objects.enumerated() {
            offsets.append(position)
            let object = "\(i + 1) 0 obj\n\(body)\nendobj\n"
            out += object
            position += object.utf8.count
        }
        let xref = position
        // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space, LF.
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += Self.padded(offset, 10) + " 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root \(root) 0 R\(info.map { " /Info \($0) 0 R" } ?? "") >>\n"
        out += "startxref\n\(xref)\n%%EOF\n"
        return out
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A literal string `( … )` from bytes: `\`, `(` and `)` escaped, bytes outside printable
    /// ASCII as three-digit octal, so the file stays ASCII.
    static func literal(_ bytes: [UInt8]) -> String {
        var out = "("
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")"):
                out += "\\" + String(UnicodeScalar(b))
            case 0x20...0x7E:
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                let octal = String(b, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return out + ")"
    }

    /// A text string for the document information dictionary (title): ASCII, the rest as `?`.
    static func textString(_ text: String) -> String {
        literal(text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? UInt8($0.value) : UInt8(ascii: "?") })
    }
}
