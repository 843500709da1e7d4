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

    /// Claims the next sweep run that is queued or was interrupted (its worker died or was
    /// stopped), marking it running for `pid` on `host` in one immediate transaction, so two
    /// workers can never claim the same run. Stale claims (a `running` run whose process is gone
    /// on this host) are released first. Claimable are top-level runs and the evaluations of
    /// finished training runs (queued extra evaluations, or one whose worker stopped after the
    /// training was done); those come first, so started work is finished before new work begins.
    /// `filter` narrows the claim to some sweeps, models or seeds (a child takes its training
    /// run's seed); with several sweeps named, the first named with claimable runs goes first.
    /// Returns nil when nothing (that matches) is left.
    public func claimNextSweepRun(host: String, pid: Int32, filter: SweepWorkFilter = SweepWorkFilter(),
                                  isAlive: (Int32) -> Bool) throws -> RunRecord? {
        if isReadOnly { throw readOnlyError }
        _ = try markStaleRunsInterrupted(host: host, isAlive: isAlive)
        do {
            return try writer.writeWithoutTransaction { db -> RunRecord? in
                var picked: RunRecord?
                try db.inTransaction(.immediate) {
                    var (conditions, arguments) = Self.conditions(filter)
                    conditions += ["r.status IN ('queued', 'interrupted')",
                                   "(r.parent_run_id IS NULL OR (r.kind = 'eval' AND p.status = 'done'))"]
                    // Sweeps in the order named (ids are integers: no injection), then children
                    // of finished trainings, then the oldest run.
                    let rank = filter.sweepIDs.isEmpty ? ""
                        : filter.sweepIDs.enumerated().reduce(into: "CASE r.sweep_id") { $0 += " WHEN \($1.element) THEN \(filter.rank(ofSweepAt: $1.offset))" } + " END, "
                    let sql = """
                        SELECT r.* FROM runs r LEFT JOIN runs p ON p.id = r.parent_run_id
                        WHERE \(conditions.joined(separator: " AND "))
                        ORDER BY \(rank)r.parent_run_id IS NULL, r.id LIMIT 1
                        """
                    guard var run = try RunRecord.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) else { return .commit }
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

    /// The sweep runs still to finish (queued, running or interrupted) that `filter` selects, with
    /// the evaluations of trainings not done yet (claimable once their training is): what `ftlab
    /// work --estimate` puts a time on. Cancelled runs are not work left.
    public func unfinishedSweepRuns(filter: SweepWorkFilter = SweepWorkFilter()) throws -> [RunRecord] {
        var (conditions, arguments) = Self.conditions(filter)
        conditions.append("r.status IN ('queued', 'running', 'interrupted')")
        // An evaluation of a training that failed (or was refused) waits for nothing that will come.
        conditions.append("(p.id IS NULL OR p.status != 'failed')")
        let sql = "SELECT r.* FROM runs r LEFT JOIN runs p ON p.id = r.parent_run_id WHERE "
            + conditions.joined(separator: " AND ") + " ORDER BY r.id"
        return try read { db in try RunRecord.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
    }

    /// SQL conditions (on `runs r` joined with its parent `p`) for the sweep runs `filter` selects.
    private static func conditions(_ filter: SweepWorkFilter) -> ([String], [DatabaseValueConvertible]) {
        var conditions = ["r.sweep_id IS NOT NULL"]
        var arguments: [DatabaseValueConvertible] = []
        if !filter.sweepIDs.isEmpty {
            conditions.append("r.sweep_id IN (\(databaseQuestionMarks(count: filter.sweepIDs.count)))")
            arguments += filter.sweepIDs
        }
        if !filter.seeds.isEmpty {
            conditions.append("COALESCE(p.seed, r.seed) IN (\(databaseQuestionMarks(count: filter.seeds.count)))")
            arguments += filter.seeds
        }
        if !filter.models.isEmpty {
            conditions.append("r.model_id IN (SELECT id FROM models WHERE key IN (\(databaseQuestionMarks(count: filter.models.count))))")
            arguments += filter.models
        }
        if !filter.excludedRunIDs.isEmpty {
            conditions.append("r.id NOT IN (\(databaseQuestionMarks(count: filter.excludedRunIDs.count)))")
            arguments += filter.excludedRunIDs
        }
        return (conditions, arguments)
    }

    /// Every sweep's id and name (nil where it has none), oldest first.
    public func sweepList() throws -> [(id: Int64, name: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM sweeps ORDER BY id").map { ($0["id"], $0["name"]) }
        }
    }

    /// Every sweep as its name, or its id where it has none, oldest first.
    public func sweepNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT COALESCE(name, CAST(id AS TEXT)) FROM sweeps ORDER BY id") }
    }

    /// The sweeps a name or a number designates: the sweep with that id, else every sweep with
    /// that name (a statement queued again under its name adds a sweep of the same name), oldest
    /// first; empty when there is none.
    public func sweepIDs(named nameOrID: String) throws -> [Int64] {
        try read { db in
            if let id = Int64(nameOrID), try Int64.fetchOne(db, sql: "SELECT id FROM sweeps WHERE id = ?", arguments: [id]) != nil {
                return [id]
            }
            return try Int64.fetchAll(db, sql: "SELECT id FROM sweeps WHERE name = ? ORDER BY id", arguments: [nameOrID])
        }
    }
}

/// Which sweep runs a worker may claim (`ftlab work --sweep … --model … --seed …`); empty lists
/// mean any.
public struct SweepWorkFilter: Sendable, Equatable {
    public var sweepIDs: [Int64]
    public var models: [String]
    public var seeds: [Int64]
    /// The priority of each entry of `sweepIDs` (lower first; default its position): all the
    /// sweeps one name designates share the name's priority, so within a name evaluations of
    /// finished trainings still come before new trainings.
    public var sweepRanks: [Int]?
    /// Runs not to claim (a time-limited worker's trainings that would not finish in time).
    public var excludedRunIDs: [Int64]

    public init(sweepIDs: [Int64] = [], models: [String] = [], seeds: [Int64] = [], sweepRanks: [Int]? = nil,
                excludedRunIDs: [Int64] = []) {
        self.sweepIDs = sweepIDs
        self.models = models
        self.seeds = seeds
        self.sweepRanks = sweepRanks
        self.excludedRunIDs = excludedRunIDs
    }

    func rank(ofSweepAt index: Int) -> Int { sweepRanks.map { $0[index] } ?? index }
}
