import GRDB

// `cancel …`: queued or interrupted runs leave the work queue but stay in the database, with the
// reason in `error`, so a study shrunk part-way keeps a record of what it planned and dropped.

/// What one `cancel` did, run by run.
public struct CancelOutcome: Equatable, Sendable {
    /// Runs named (or selected) and cancelled.
    public var cancelled: [Int64] = []
    /// Queued or interrupted evaluations of a cancelled training: they could only run after it.
    public var cancelledChildren: [Int64] = []
    /// Runs named but left as they were: their status, and why in words.
    public var skipped: [(id: Int64, status: RunStatus, why: String)] = []
    /// Ids that name no run.
    public var missing: [Int64] = []

    public static func == (a: CancelOutcome, b: CancelOutcome) -> Bool {
        a.cancelled == b.cancelled && a.cancelledChildren == b.cancelledChildren && a.missing == b.missing
            && a.skipped.map(\.id) == b.skipped.map(\.id) && a.skipped.map(\.status) == b.skipped.map(\.status)
            && a.skipped.map(\.why) == b.skipped.map(\.why)
    }
}

extension ResultsStore {
    /// Cancels the runs `ids` that are queued or interrupted, and the queued or interrupted
    /// evaluations of any cancelled training, in one immediate transaction (a worker claiming at
    /// the same moment either gets a run before it is cancelled, or never sees it). Done, failed
    /// and running runs are left alone and reported. Predictions and checkpoints of an
    /// interrupted run are kept: `resume run N` still finishes it.
    public func cancelRuns(_ ids: [Int64], reason: String?) throws -> CancelOutcome {
        if isReadOnly { throw readOnlyError }
        do {
            return try writer.writeWithoutTransaction { db -> CancelOutcome in
                var outcome = CancelOutcome()
                try db.inTransaction(.immediate) {
                    outcome = CancelOutcome()
                    var seen = Set<Int64>()
                    for id in ids where seen.insert(id).inserted {
                        guard var run = try RunRecord.fetchOne(db, key: id) else {
                            outcome.missing.append(id)
                            continue
                        }
                        switch run.status {
                        case .queued, .interrupted:
                            try Self.cancel(&run, reason: reason, db)
                            outcome.cancelled.append(id)
                        case .running:
                            outcome.skipped.append((id, run.status, "running (pid \(run.pid.map(String.init) ?? "?") on \(run.host)); stop its worker first"))
                        case .done, .failed, .cancelled:
                            outcome.skipped.append((id, run.status, "already \(run.status.rawValue)"))
                        }
                    }
                    for parent in outcome.cancelled {
                        let children = try RunRecord
                            .filter(Column("parent_run_id") == parent
                                    && [RunStatus.queued.rawValue, RunStatus.interrupted.rawValue].contains(Column("status")))
                            .order(Column("id")).fetchAll(db)
                        for var child in children where seen.insert(child.id!).inserted {
                            try Self.cancel(&child, reason: reason ?? "its training run \(parent) was cancelled", db)
                            outcome.cancelledChildren.append(child.id!)
                        }
                    }
                    return .commit
                }
                return outcome
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    private static func cancel(_ run: inout RunRecord, reason: String?, _ db: Database) throws {
        run.status = .cancelled
        run.error = reason
        run.pid = nil
        // When it was cancelled: reports list cancellations in the order they were made.
        run.finishedAt = Timestamp.now()
        try run.update(db)
    }
}
