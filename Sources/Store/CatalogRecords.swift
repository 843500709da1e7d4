import GRDB

// Models and datasets: the things runs point at. Timestamps are non-optional and filled in Swift,
// because GRDB encodes a nil property as NULL, which would defeat the NOT NULL DEFAULT columns.

/// A row of `models`: one model file that runs were made with.
public struct ModelRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "models"

    public var id: Int64?
    public var key: String          // user-facing name, unique, e.g. smollm2-135m-instruct
    public var family: String       // llama, qwen2, gemma3
    public var params: Int64
    public var path: String
    public var format: String       // gguf, safetensors
    public var sha256: String
    public var addedAt: String
    /// The model an adapter adapts (`models add` of a PEFT adapter directory); nil for a model.
    public var baseModelID: Int64?

    enum CodingKeys: String, CodingKey {
        case id, key, family, params, path, format, sha256
        case addedAt = "added_at"
        case baseModelID = "base_model_id"
    }

    public init(id: Int64? = nil, key: String, family: String, params: Int64, path: String,
                format: String, sha256: String, addedAt: String? = nil, baseModelID: Int64? = nil) {
        self.id = id; self.key = key; self.family = family; self.params = params
        self.path = path; self.format = format; self.sha256 = sha256
        self.addedAt = addedAt ?? Timestamp.now()
        self.baseModelID = baseModelID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `datasets`: one split of a task, identified by its content hash.
public struct DatasetRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "datasets"

    public var id: Int64?
    public var task: String
    public var split: String
    public var size: Int
    public var sha256: String
    public var path: String?        // nil for built-in tasks
    public var addedAt: String

    enum CodingKeys: String, CodingKey {
        case id, task, split, size, sha256, path
        case addedAt = "added_at"
    }

    public init(id: Int64? = nil, task: String, split: String, size: Int, sha256: String,
                path: String? = nil, addedAt: String? = nil) {
        self.id = id; self.task = task; self.split = split; self.size = size
        self.sha256 = sha256; self.path = path
        self.addedAt = addedAt ?? Timestamp.now()
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
