import Foundation

/// Why a GGUF file could not be read or a tensor could not be dequantized.
/// `description` is one line: `<file>: <field>: <problem>`, e.g.
/// `model.gguf: tensor 'blk.0.attn_q.weight': data offset 123456789 + 4096 bytes past end of file (98362432 bytes)`.
public struct GGUFError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The path or name the file was opened under.
    public let file: String
    /// Which part of the file is at fault: `header`, `metadata 'key'`, `tensor 'name'`, …
    public let field: String
    /// What is wrong with it.
    public let problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file; self.field = field; self.problem = problem
    }

    public var description: String { "\(file): \(field): \(problem)" }
    public var errorDescription: String? { description }
}
