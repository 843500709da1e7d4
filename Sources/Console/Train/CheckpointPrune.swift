import Foundation
import Store

/// The disk a finished training run no longer needs.
///
/// A run that is `done` is never resumed, so only its last checkpoint's weights (or adapters)
/// are read again — by the evaluations of the tuned model, now or later. Its earlier step
/// directories and its last checkpoint's optimizer moments (two thirds of a full fine-tune's
/// checkpoint: AdamW keeps two fp32 moments a weight) can go. A run that may still continue
/// (queued, running, interrupted, failed, cancelled) keeps everything.
public struct CheckpointPrune {
    /// One training run's checkpoint folder.
    public struct Item: Equatable {
        public let runID: Int64
        public let status: RunStatus
        /// The folder holding the run's `step-N` directories.
        public let folder: String
        public let bytesOnDisk: Int64
        /// What to delete (step directories, or the last checkpoint's optimizer file).
        public let deletions: [Deletion]
        public var bytesFreed: Int64 { deletions.reduce(0) { $0 + $1.bytes } }
    }

    /// A path and its size when the plan was made, so deleting it need not measure it again.
    public struct Deletion: Hashable {
        public let path: String
        public let bytes: Int64
    }

    public let items: [Item]
    public var bytesOnDisk: Int64 { items.reduce(0) { $0 + $1.bytesOnDisk } }
    public var bytesFreed: Int64 { items.reduce(0) { $0 + $1.bytesFreed } }

    static let optimizerFile = "optimizer.safetensors"

    /// The plan for every training run of `store` with a checkpoint folder still on disk.
    public init(store: ResultsStore) throws {
        let fm = FileManager.default
        var items: [Item] = []
        for run in try store.runs() where run.kind == .train {
            guard let id = run.id else { continue }
            let folders = Set(try store.checkpoints(runID: id).map { ($0.path as NSString).deletingLastPathComponent })
            for folder in folders.sorted() {
                guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
                let steps = names.compactMap { name -> (step: Int, path: String)? in
                    guard name.hasPrefix("step-"), let n = Int(name.dropFirst(5)) else { return nil }
                    return (n, (folder as NSString).appendingPathComponent(name))
                }.sorted { $0.step < $1.step }
                guard !steps.isEmpty else { continue }
                var doomed: [String] = []
                if run.status == .done, let last = steps.last {
                    doomed = steps.dropLast().map(\.path)
                    let optimizer = (last.path as NSString).appendingPathComponent(Self.optimizerFile)
                    if fm.fileExists(atPath: optimizer) { doomed.append(optimizer) }
                }
                items.append(Item(runID: id, status: run.status, folder: folder,
                                  bytesOnDisk: steps.reduce(0) { $0 + Self.size($1.path) },
                                  deletions: doomed.map { Deletion(path: $0, bytes: Self.size($0)) }))
            }
        }
        self.items = items
    }

    /// Deletes what the plan lists; returns the bytes freed. A path that cannot be removed is
    /// named in the error, after everything else was tried.
    @discardableResult
    public func execute() throws -> Int64 {
        var freed: Int64 = 0
        var failures: [String] = []
        for item in items {
            for deletion in item.deletions {
                do {
                    try FileManager.default.removeItem(atPath: deletion.path)
                    freed += deletion.bytes
                } catch {
                    failures.append("\(deletion.path): \(error.localizedDescription)")
                }
            }
        }
        guard failures.isEmpty else {
            throw ConsoleError("could not delete \(failures.count) path(s) (\(Self.megabytes(freed)) freed):\n  "
                               + failures.joined(separator: "\n  "))
        }
        return freed
    }

    /// Bytes of a file, or of every file under a directory.
    static func size(_ path: String) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
        guard isDirectory.boolValue else { return fileSize(path) }
        return (FileManager.default.subpaths(atPath: path) ?? []).reduce(0) { $0 + fileSize(path + "/" + $1) }
    }

    /// A regular file's size; 0 for anything else (a directory, a link).
    private static func fileSize(_ path: String) -> Int64 {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let n = attributes[.size] as? NSNumber else { return 0 }
        return n.int64Value
    }

    public static func megabytes(_ bytes: Int64) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.1f GB", Double(bytes) / 1e9) : String(format: "%.1f MB", Double(bytes) / 1e6)
    }
}
