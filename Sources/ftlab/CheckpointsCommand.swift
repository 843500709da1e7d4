import ArgumentParser
import Console
import Foundation
import Store

/// `ftlab checkpoints [--prune]`: the training checkpoints on disk, and the part finished runs no
/// longer need (see `CheckpointPrune`).
struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "List the training runs' checkpoints on disk; --prune deletes what finished runs no longer need.",
        discussion: """
        A finished (done) training run is never resumed: only its last checkpoint's weights or \
        adapters are read again, by evaluations of the tuned model. --prune deletes its earlier \
        step directories and its last checkpoint's optimizer moments (two thirds of a full \
        fine-tune's checkpoint). Runs that may still continue (queued, running, interrupted, \
        failed, cancelled) keep everything. Without --prune nothing is deleted.

        Example: ftlab checkpoints --db Reports/study/study.sqlite --prune
        """)

    @Flag(help: "Delete what finished runs no longer need.") var prune = false
    @OptionGroup var database: DatabaseOption

    func run() throws {
        do {
            let plan = try CheckpointPrune(store: database.open())
            func size(_ bytes: Int64) -> String { CheckpointPrune.megabytes(bytes) }
            func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
            guard !plan.items.isEmpty else {
                print("no training run of \(database.path) has a checkpoint on disk")
                return
            }
            print("run  status       on disk    prunable   folder")
            for item in plan.items {
                print(pad(String(item.runID), 5) + pad(item.status.rawValue, 13) + pad(size(item.bytesOnDisk), 11)
                      + pad(item.deletions.isEmpty ? "—" : size(item.bytesFreed), 11) + item.folder)
            }
            print("total: \(size(plan.bytesOnDisk)) on disk, \(size(plan.bytesFreed)) prunable")
            guard prune else {
                if plan.bytesFreed > 0 { print("`ftlab checkpoints --prune` deletes the prunable part") }
                return
            }
            let freed = try plan.execute()
            print("pruned: \(size(freed)) freed")
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
