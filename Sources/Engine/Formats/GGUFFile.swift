import Foundation

/// A GGUF model file (versions 2 and 3), memory-mapped read-only and validated on open.
///
/// Opening parses the header, every metadata value and the tensor table, and checks every
/// tensor's data range against the file (see `GGUFParser`); tensor data stays in the map
/// until `dequantize` turns it into floats. Immutable, so one instance may be shared by threads.
public final class GGUFFile: @unchecked Sendable {
    /// The path (or, for in-memory data, the name) used in error messages.
    public let name: String
    /// 2 or 3.
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Byte offset of the data section in the file; tensor offsets are relative to it.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public var fileSize: Int { storage.count }

    private let storage: MappedBytes
    private let tensorIndex: [String: Int]

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        let storage: MappedBytes
        do {
            storage = try MappedBytes(mapping: path)
        } catch let f as MappedBytes.Failure {
            throw GGUFError(file: path, field: "file", problem: f.message)
        }
        try self.init(storage: storage, name: path)
    }

    /// Parses a GGUF image held in memory (copied); `name` is used in error messages.
    public convenience init(data: Data, name: String) throws {
        try self.init(storage: MappedBytes(copying: data), name: name)
    }

    private init(storage: MappedBytes, name: String) throws {
        var parser = GGUFParser(file: name, bytes: storage.bytes)
        let layout = try parser.parse()
        self.name = name
        self.storage = storage
        self.version = layout.version
        self.metadata = layout.metadata
        self.metadataKeys = layout.metadataKeys
        self.tensors = layout.tensors
        self.alignment = layout.alignment
        self.dataOffset = layout.dataOffset
        var index: [String: Int] = [:]
        index.reserveCapacity(layout.tensors.count)
        for (i, t) in layout.tensors.enumerated() { index[t.name] = i }
        self.tensorIndex = index
    }

    /// `general.architecture` (`llama`, `qwen2`, `gemma3`, …).
    public var architecture: String? { metadata["general.architecture"]?.string }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The whole tensor as floats, row-major (`rowCount` rows of `rowLength`).
    public func dequantize(_ name: String) throws -> [Float] {
        guard let info = tensor(named: name) else {
            throw GGUFError(file: self.name, field: "tensor \(ErrorText.quoted(name))", problem: "no such tensor")
        }
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try dequantize(info, into: buffer)
            initialized = info.elementCount
        }
    }

    /// Dequantizes the whole tensor into `buffer`, which must hold exactly `elementCount` floats.
    public func dequantize(_ info: GGUFTensorInfo, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        try dequantize(info, rows: 0..<info.rowCount, into: buffer)
    }

    /// Dequantizes rows `rows` (each `rowLength` floats) into `buffer`, which must hold exactly
    /// `rows.count × rowLength` floats — e.g. a few embedding rows without the whole table.
    public func dequantize(_ info: GGUFTensorInfo, rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let field = "tensor \(ErrorText.quoted(info.name))"
        // The info must be this file's own: its offset and size are what make the reads safe.
        guard let own = tensor(named: info.name), own == info else {
            throw GGUFError(file: name, field: field, problem: "tensor info does not belong to this file")
        }
        guard info.type.isDequantizable else {
            throw GGUFError(file: name, field: field, problem: "dequantizing type \(info.type) is not supported")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= info.rowCount else {
            throw GGUFError(file: name, field: field, problem: "rows \(rows) out of range 0..<\(info.rowCount)")
        }
        let needed = rows.count * info.rowLength
        guard buffer.count == needed else {
            throw GGUFError(file: name, field: field, problem: "output buffer holds \(buffer.count) floats, expected \(needed)")
        }
        guard needed > 0, let dst = buffer.baseAddress, let base = storage.base else { return }
        let src = base + dataOffset + info.offset + rows.lowerBound * info.rowByteCount
        let blocks = needed / info.type.blockSize
        _ = GGMLDequantizer.run(info.type, src: src, blocks: blocks, dst: dst)
    }

    /// Where the tensor's stored bytes start in the mapping: valid as long as this file object
    /// lives (whoever keeps the pointer must keep the file), read-only.
    func dataPointer(of info: GGUFTensorInfo) throws -> UnsafeRawPointer {
        guard let own = tensor(named: info.name), own == info, let base = storage.base else {
            throw GGUFError(file: name, field: "tensor \(ErrorText.quoted(info.name))", problem: "tensor info does not belong to this file")
        }
        return UnsafeRawPointer(base + dataOffset + info.offset)
    }

    /// The tensor's stored bytes, valid only inside `body` (for quantized kernels or hashing).
    public func withRawBytes<R>(of info: GGUFTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let own = tensor(named: info.name), own == info else {
            throw GGUFError(file: name, field: "tensor \(ErrorText.quoted(info.name))", problem: "tensor info does not belong to this file")
        }
        let all = storage.bytes
        let start = dataOffset + info.offset
        return try withExtendedLifetime(storage) {
            try body(UnsafeRawBufferPointer(rebasing: all[start..<(start + info.byteCount)]))
        }
    }
}
