/// One entry of a GGUF tensor table, validated against the file it came from.
public struct GGUFTensorInfo: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    /// Dimensions in GGUF order: `shape[0]` (ne0) is the contiguous one. A weight with
    /// shape `[in, out]` is `out` rows of `in` values.
    public let shape: [Int]
    public let type: GGMLType
    /// Byte offset of the data from the start of the file's data section (as stored).
    public let offset: Int
    /// Bytes of data: `elementCount / type.blockSize * type.bytesPerBlock`.
    public let byteCount: Int
    /// Product of `shape`.
    public let elementCount: Int

    /// Elements per row (ne0).
    public var rowLength: Int { shape[0] }
    /// Number of rows: the product of every dimension but the first.
    public let rowCount: Int
    /// Bytes per row of stored data.
    public var rowByteCount: Int { shape[0] / type.blockSize * type.bytesPerBlock }

    public var description: String {
        "\(name) \(type) \(shape) (\(byteCount) bytes at +\(offset))"
    }
}
