import Foundation

/// The ordered SQL migrations in `Schema/migrations/NNN_name.sql`, bundled as resources.
public enum SchemaMigrations {
    public struct Migration: Sendable {
        public let identifier: String   // the file name without extension, e.g. "001_init"
        public let sql: String
    }

    /// All migrations, sorted by their numeric prefix.
    public static func all() throws -> [Migration] {
        guard let dir = Bundle.module.url(forResource: "migrations", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "schema migrations missing from the bundle"])
        }
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { url in
            Migration(identifier: url.deletingPathExtension().lastPathComponent,
                      sql: try String(contentsOf: url, encoding: .utf8))
        }
    }
}
