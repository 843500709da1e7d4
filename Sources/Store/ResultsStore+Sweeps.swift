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
    /// on this host) are released first. `filter` narrows the claim to some sweeps, models or
    /// seeds; with several sweeps named, the first named with claimable runs goes first. Returns
    /// nil when nothing (that matches) is left.
    public func claimNextSweepRun(host: String, pid: Int32, filter: SweepWorkFilter = SweepWorkFilter(),
                                  isAlive: (Int32) -> Bool) throws -> RunRecord? {
        if isReadOnly { throw StoreError.readOnly(path) }
        _ = try markStaleRunsInterrupted(host: host, isAlive: isAlive)
        do {
            return try writer.writeWithoutTransaction { db -> RunRecord? in
                var picked: RunRecord?
                try db.inTransaction(.immediate) {
                    var request = RunRecord
                        .filter(Column("sweep_id") != nil && Column("parent_run_id") == nil
                                && [RunStatus.queued.rawValue, RunStatus.interrupted.rawValue].contains(Column("status")))
                    if !filter.sweepIDs.isEmpty { request = request.filter(filter.sweepIDs.contains(Column("sweep_id"))) }
                    if !filter.seeds.isEmpty { request = request.filter(filter.seeds.contains(Column("seed"))) }
                    if !filter.models.isEmpty {
                        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM models WHERE key IN (\(databaseQuestionMarks(count: filter.models.count)))",
                                                     arguments: StatementArguments(filter.models))
                        request = request.filter(ids.contains(Column("model_id")))
                    }
                    // The sweeps' order as named, then the oldest run.
                    let rank = filter.sweepIDs.enumerated().reduce(into: "CASE sweep_id") { $0 += " WHEN \($1.element) THEN \($1.offset)" } + " ELSE 0 END"
                    let ordered = filter.sweepIDs.isEmpty ? request.order(Column("id"))
                                                          : request.order(SQL(sql: rank).sqlExpression, Column("id"))
                    guard var run = try ordered.fetchOne(db) else { return .commit }
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

    /// Every sweep as its name, or its id where it has none, oldest first.
    public func sweepNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT COALESCE(name, CAST(id AS TEXT)) FROM sweeps ORDER BY id") }
    }

    /// A sweep's id from its name or its number; nil when the database has no such sweep.
    public func sweepID(named nameOrID: String) throws -> Int64? {
        try read { db in
            if let id = Int64(nameOrID), try Int64.fetchOne(db, sql: "SELECT id FROM sweeps WHERE id = ?", arguments: [id]) != nil {
                return id
            }
            return try Int64.fetchOne(db, sql: "SELECT id FROM sweeps WHERE name = ? ORDER BY id DESC", arguments: [nameOrID])
        }
    }
}

/// Which sweep runs a worker may claim (`ftlab work --sweep … --model … --seed …`); empty lists
/// mean any.
public struct SweepWorkFilter: Sendable, Equatable {
    public var sweepIDs: [Int64]
    public var models: [String]
    public var seeds: [Int64]

    public init(sweepIDs: [Int64] = [], models: [String] = [], seeds: [Int64] = []) {
        self.sweepIDs = sweepIDs
        self.models = models
        self.seeds = seeds
    }
}
