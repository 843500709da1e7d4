/// A condition (model × task split × method) that the results database plans but has not finished:
/// its runs are queued, running or interrupted, failed (a refusal by the memory plan included), or
/// were cancelled. The accuracy tables show `queued`, `failed` or `cancelled` in its cell instead
/// of a dash, so a partial study says what is coming, what could not run and what was dropped
/// rather than looking as if it was never planned.
public struct PendingCondition: Equatable, Sendable {
    public enum Status: String, Sendable, Comparable {
        /// Queued, running or interrupted: it will have a result once `ftlab work` gets to it.
        case queued
        /// It ran and failed, or was refused before it started (the report's notes say why).
        case failed
        /// Every run of it was cancelled (the report's notes say why).
        case cancelled

        /// Which status a cell shows when its runs differ: queued, then failed, then cancelled.
        private var rank: Int { self == .queued ? 0 : self == .failed ? 1 : 2 }
        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
    }

    public var model: String
    public var params: Int64
    public var dataset: DatasetKey
    public var method: String
    public var status: Status

    public init(model: String, params: Int64, dataset: DatasetKey, method: String, status: Status) {
        self.model = model; self.params = params; self.dataset = dataset; self.method = method; self.status = status
    }
}
