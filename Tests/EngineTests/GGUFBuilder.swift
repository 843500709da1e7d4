import Foundation
@testable import Engine

/// Writes GGUF images in memory for tests and the fuzzer: an encoder written from the format
/// description, independent of the reader. It records where each count/length/offset field
/// landed so the fuzzer can aim mutations at them.
struct GGUFBuilder {
    struct Tensor {
        var name: String
        var shape: [Int]
        var type: GGMLType
        var data: [UInt8]
    }

    enum FieldKind { case count, length, dims, dim, typeID, offset, version, magic }
    struct Field { let offset: Int, size: Int, kind: FieldKind }

    var version: UInt32 = 3
    var metadata: [(String, GGUFValue)] = []
    var tensors: [Tensor] = []
    /// Written as `general.alignment` (u32) when not 32.
    var alignment = 32

    private(set) var fields: [Field] = []
    private var out: [UInt8] = []

    init(metadata: [(String, GGUFValue)] = [], tensors: [Tensor] = []) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The file image, and offset of its data section.
    mutating func build() -> (data: Data, dataOffset: Int) {
        out = []; fields = []
        out += Array("GGUF".utf8)
        fields.append(Field(offset: 0, size: 4, kind: .magic))
        put(version, .version)
        put(UInt64(tensors.count), .count)
        var kvs = metadata
        if alignment != 32 { kvs.append(("general.alignment", .uint32(UInt32(alignment)))) }
        put(UInt64(kvs.count), .count)
        for (key, value) in kvs {
            putString(key)
            put(typeID(value), .typeID)
            putValue(value)
        }
        var offsets: [Int] = []
        var next = 0
        for t in tensors {
            offsets.append(next)
            next = (next + t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, offset) in zip(tensors, offsets) {
            putString(t.name)
            put(UInt32(t.shape.count), .dims)
            for d in t.shape { put(UInt64(d), .dim) }
            put(t.type.rawValue, .typeID)
            put(UInt64(offset), .offset)
        }
        while out.count % alignment != 0 { out.append(0) }
        let dataOffset = out.count
        for (t, offset) in zip(tensors, offsets) {
            while out.count < dataOffset + offset { out.append(0) }
            out += t.data
        }
        return (Data(out), dataOffset)
    }

    private mutating func put<T: FixedWidthInteger>(_ v: T, _ kind: FieldKind? = nil) {
        if let kind { fields.append(Field(offset: out.count, size: MemoryLayout<T>.size, kind: kind)) }
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    private mutating func putString(_ s: String) {
        put(UInt64(s.utf8.count), .length)
        out += Array(s.utf8)
    }

    private func typeID(_ v: GGUFValue) -> UInt32 {
        switch v {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }

    private mutating func putValue(_ v: GGUFValue) {
        switch v {
        case .uint8(let x): put(x)
        case .int8(let x): put(x)
        case .uint16(let x): put(x)
        case .int16(let x): put(x)
        case .uint32(let x): put(x)
        case .int32(let x): put(x)
        case .uint64(let x): put(x)
        case .int64(let x): put(x)
        case .float32(let x): put(x.bitPattern)
        case .float64(let x): put(x.bitPattern)
        case .bool(let x): put(UInt8(x ? 1 : 0))
        case .string(let s): putString(s)
        case .array(let items):
            // Element type from the first element (u8 for an empty array): GGUF arrays are homogeneous.
            put(items.first.map(typeID) ?? 0, .typeID)
            put(UInt64(items.count), .count)
            for item in items { putValue(item) }
        }
    }
}

/// Test data helpers shared by the GGUF tests.
enum TestBytes {
    static func half(_ x: Float) -> [UInt8] {
        let b = Float16(x).bitPattern
        return [UInt8(b & 0xFF), UInt8(b >> 8)]
    }

    static func float(_ x: Float) -> [UInt8] {
        withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) }
    }

    /// Deterministic pseudo-random blocks of `type` with finite, moderate half scales, so that
    /// every element is finite and comparisons are meaningful.
    static func randomBlocks(_ type: GGMLType, blocks: Int, rng: inout SplitMix64) -> [UInt8] {
        var bytes = (0..<(blocks * type.bytesPerBlock)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func setHalf(_ at: Int, _ x: Float) { bytes.replaceSubrange(at..<(at + 2), with: half(x)) }
        func scale() -> Float { Float(rng.next() % 2000) / 1000 - 1 }  // [-1, 1)
        for b in 0..<blocks {
            let o = b * type.bytesPerBlock
            switch type {
            case .f32:
                bytes.replaceSubrange(o..<(o + 4), with: float(scale() * 10))
            case .f16: setHalf(o, scale() * 10)
            case .bf16: bytes[o + 1] &= 0xBF  // exponent below 0x80: finite
            case .q8_0, .q4_0, .q5_0: setHalf(o, scale())
            case .q4_1, .q5_1, .q4_K, .q5_K: setHalf(o, scale()); setHalf(o + 2, scale())
            case .q6_K: setHalf(o + 208, scale())
            default: break
            }
        }
        return bytes
    }
}
