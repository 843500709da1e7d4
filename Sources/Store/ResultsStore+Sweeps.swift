import GRDB

// Sweeps: a grid of queued runs, claimed one at a time by workers (`ftlab work`), possibly
// several processes on one database.
extension ResultsStore {
    /// Records a sweep; returns its id.
    public func insertSweep(name: String?, statement: String) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO sweeps (name, statement) VALUES (?, ?)", arguments: [name, statement])
            return db.lastInsertedRowID
        }
    }

    /// Puts an existing run into a sweep (an interrupted run the sweep would otherwise queue again).
    public func assignSweep(runID: Int64, sweepID: Int64) throws {
        try write { db in try db.execute(sql: "UPDATE runs SET sweep_id = ? WHERE id = ?", arguments: [sweepID, runID]) }
    }

    /// The run of any status (queued, running, interrupted, done, failed) with this spec hash
    /// and kind, newest first — a sweep does not queue a run the database already has.
    public func latestRun(specHash: String, kind: RunKind) throws -> RunRecord? {
        try read { db in
            try RunRecord.filter(Column("spec_hash") == specHash && Column("kind") == kind.rawValue)
                .order(Column("id").desc).fetchOne(db)
        }
    }

    /// Claims the oldest sweep run that is queued or was interrupted (its worker died or was
    /// stopped), marking it running for `pid` on `host` in one immediate transaction, so two
    /// workers can never claim the same run. Stale claims (a `running` run whose process is gone
    /// on this host) are released first. Returns nil when nothing is left.
    public func claimNextSweepRun(host: String, pid: Int32, isAlive: (Int32) -> Bool) throws -> RunRecord? {
        if isReadOnly { throw StoreError.readOnly(path) }
        _ = try markStaleRunsInterrupted(host: host, isAlive: isAlive)
        do {
            return try writer.writeWithoutTransaction { db -> RunRecord? in
                var picked: RunRecord?
                try db.inTransaction(.immediate) {
                    guard var run = try RunRecord
                        .filter(Column("sweep_id") != nil && Column("parent_run_id") == nil
                                && [RunStatus.queued.rawValue, RunStatus.interrupted.rawValue].contains(Column("status")))
                        .order(Column("id")).fetchOne(db) else { return .commit }
                    run.status = .running
                    run.pid = pid
                    run.host = host
                    try run.update(db)
                    picked = run
                    return .commit
                }
                return picked
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
