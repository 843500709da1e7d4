import Foundation

/// A fresh folder under the system temp directory, removed when the object goes away, so
/// file-database tests neither collide with each other nor leave files behind.
public final class TemporaryDirectory {
    public let url: URL

    public init(prefix: String = "ftlab-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder (not created).
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
