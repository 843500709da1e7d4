import Foundation

/// A safetensors file, memory-mapped read-only and validated on open (see `SafeTensorsHeader`).
/// F32, F16 and BF16 tensors convert to `Float`. Immutable; safe to share across threads.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The path (or, for in-memory data, the name) used in error messages.
    public let name: String
    /// `__metadata__` (empty when absent).
    public let metadata: [String: String]
    /// Tensors in data order.
    public let tensors: [SafeTensorInfo]
    /// Byte offset of the data section (8 + header length).
    public let dataOffset: Int
    public var fileSize: Int { storage.count }

    private let storage: MappedBytes
    private let index: [String: Int]

    public convenience init(path: String) throws {
        let storage: MappedBytes
        do {
            storage = try MappedBytes(mapping: path)
        } catch let f as MappedBytes.Failure {
            throw SafeTensorsError(file: path, field: "file", problem: f.message)
        }
        try self.init(storage: storage, name: path)
    }

    /// Parses a safetensors image held in memory (copied); `name` is used in error messages.
    public convenience init(data: Data, name: String) throws {
        try self.init(storage: MappedBytes(copying: data), name: name)
    }

    private init(storage: MappedBytes, name: String) throws {
        let layout = try SafeTensorsHeader.parse(storage.bytes, file: name)
        self.name = name
        self.storage = storage
        self.metadata = layout.metadata
        self.tensors = layout.tensors
        self.dataOffset = layout.dataOffset
        var index: [String: Int] = [:]
        for (i, t) in layout.tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    public func tensor(named name: String) -> SafeTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The tensor's values as floats, in stored (row-major) order.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensor(named: name) else {
            throw SafeTensorsError(file: self.name, field: "tensor \(ErrorText.quoted(name))", problem: "no such tensor")
        }
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try floats(info, into: buffer)
            initialized = info.elementCount
        }
    }

    /// Converts the tensor into `buffer`, which must hold exactly `elementCount` floats.
    public func floats(_ info: SafeTensorInfo, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let field = "tensor \(ErrorText.quoted(info.name))"
        guard let own = tensor(named: info.name), own == info else {
            throw SafeTensorsError(file: name, field: field, problem: "tensor info does not belong to this file")
        }
        guard buffer.count == info.elementCount else {
            throw SafeTensorsError(file: name, field: field, problem: "output buffer holds \(buffer.count) floats, expected \(info.elementCount)")
        }
        let type: GGMLType
        switch info.dtype {
        case .f32: type = .f32
        case .f16: type = .f16
        case .bf16: type = .bf16
        default:
            throw SafeTensorsError(file: name, field: field, problem: "converting dtype \(info.dtype.rawValue) to floats is not supported")
        }
        guard info.elementCount > 0, let dst = buffer.baseAddress, let base = storage.base else { return }
        // Same element layouts as ggml's scalar types, so the same kernels apply.
        _ = GGMLDequantizer.run(type, src: base + dataOffset + info.offset, blocks: info.elementCount, dst: dst)
    }

    /// The tensor's stored bytes, valid only inside `body`.
    public func withRawBytes<R>(of info: SafeTensorInfo, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let own = tensor(named: info.name), own == info else {
            throw SafeTensorsError(file: name, field: "tensor \(ErrorText.quoted(info.name))", problem: "tensor info does not belong to this file")
        }
        let start = dataOffset + info.offset
        return try withExtendedLifetime(storage) {
            try body(UnsafeRawBufferPointer(rebasing: storage.bytes[start..<(start + info.byteCount)]))
        }
    }
}
