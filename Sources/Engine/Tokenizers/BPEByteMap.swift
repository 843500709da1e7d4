/// GPT-2's reversible byte ↔ character map: byte-level vocabularies store every byte as a printable
/// character (space → `Ġ` U+0120, newline → `Ċ` U+010A) so merges never see raw control bytes.
enum BPEByteMap {
    /// Character for each byte value.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var printable = Set<Int>()
        printable.formUnion(33...126)
        printable.formUnion(161...172)
        printable.formUnion(174...255)
        var next = 256
        for b in 0..<256 {
            if printable.contains(b) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(UInt32(next))!
                next += 1
            }
        }
        return table
    }()

    /// Byte for each mapped character, indexed by scalar value (< 324); -1 where unmapped.
    static let scalarToByte: [Int16] = {
        var inverse = [Int16](repeating: -1, count: 324)
        for (b, s) in byteToScalar.enumerated() { inverse[Int(s.value)] = Int16(b) }
        return inverse
    }()

    /// The byte-level spelling of raw bytes (what vocabulary keys look like).
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }

    /// Raw bytes of a byte-level vocabulary entry. Characters outside the map (added tokens kept as
    /// plain text) contribute their own UTF-8.
    static func decode(_ piece: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(piece.utf8.count)
        for s in piece.unicodeScalars {
            if s.value < 324, scalarToByte[Int(s.value)] >= 0 {
                out.append(UInt8(scalarToByte[Int(s.value)]))
            } else {
                out.append(contentsOf: String(s).utf8)
            }
        }
        return out
    }
}
