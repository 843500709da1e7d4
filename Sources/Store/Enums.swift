import GRDB

// The closed vocabularies of the schema's CHECK constraints. Raw values are exactly the strings
// stored in the database (and typed in queries), so keep them in step with 001_init.sql.

public enum RunMethod: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case zeroShot = "zero_shot"
    case fewShot = "few_shot"
    case full
    case lora
    case dora
}

public enum RunStatus: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    /// `cancelled`: taken off the work queue by `cancel …` (schema 005); never claimed by a worker.
    case queued, running, done, failed, interrupted, cancelled
}

public enum RunKind: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case eval, train
}

public enum CheckpointKind: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case adapter, full, optimizer
}
