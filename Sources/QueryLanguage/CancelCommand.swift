// `cancel run N[, M …] [because 'why']` and `cancel runs where … [because 'why']`: take queued
// or interrupted runs off the work queue, keeping their rows (and the reason) in the database.

public struct CancelCommand: Equatable {
    public enum Target: Equatable {
        /// `cancel run 15, 17`: these runs, in the order typed.
        case runs([Int])
        /// `cancel runs where seed = 1`: the runs the condition selects (over the runs source).
        case matching(Expr)
    }

    public var target: Target
    /// `because '…'`: stored as the run's `error`, shown by `runs` and in reports.
    public var reason: String?

    public init(target: Target, reason: String? = nil) {
        self.target = target
        self.reason = reason
    }
}
