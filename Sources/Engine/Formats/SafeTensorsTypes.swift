import Foundation

/// Why a safetensors file could not be read or written. `description` is one line:
/// `<file>: <field>: <problem>`, like `GGUFError`.
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let file: String
    public let field: String
    public let problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file; self.field = field; self.problem = problem
    }

    public var description: String { "\(file): \(field): \(problem)" }
    public var errorDescription: String? { description }
}

/// A safetensors element type (the `dtype` strings of the format).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"
    case f8_e4m3 = "F8_E4M3", f8_e5m2 = "F8_E5M2"

    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8_e4m3, .f8_e5m2: return 1
        }
    }

    /// Whether `SafeTensorsFile.floats` converts this type (the floating types weights use).
    public var isFloatReadable: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// One tensor of a safetensors file, validated against it.
public struct SafeTensorInfo: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first (PyTorch order: a Linear weight is `[out, in]`).
    public let shape: [Int]
    /// Byte offset from the start of the data section (`data_offsets[0]`).
    public let offset: Int
    public let byteCount: Int
    public let elementCount: Int

    public var description: String { "\(name) \(dtype.rawValue) \(shape) (\(byteCount) bytes at +\(offset))" }
}
