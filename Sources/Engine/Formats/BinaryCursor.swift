/// A forward-only little-endian reader over a byte buffer that never reads past its end:
/// every read checks the remaining length first and throws `BinaryCursor.Truncated` instead.
/// Callers turn that into a format error that names the field being read.
struct BinaryCursor {
    struct Truncated: Error {
        let offset: Int, needed: Int, available: Int
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    @inline(__always)
    private mutating func claim(_ n: Int) throws -> Int {
        guard n >= 0, n <= remaining else { throw Truncated(offset: offset, needed: n, available: max(remaining, 0)) }
        let start = offset
        offset += n
        return start
    }

    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let at = try claim(MemoryLayout<T>.size)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }
    mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }

    /// The next `count` bytes, as a view into the buffer (no copy).
    mutating func readBytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        let at = try claim(count)
        return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)])
    }

    mutating func skip(_ count: Int) throws { _ = try claim(count) }
}
