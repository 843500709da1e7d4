/// `sweep MODEL[, …] on TASK with METHOD[, …] [lr X[, …]] [seeds A..B | seeds A, B, …]
/// [name NAME] [train options] [then eval on TASK [eval options]] [emit slurm DIR]`
///
/// A grid, expanded by the parser into ordinary `train` and `eval` statements (each parsed and
/// checked as if typed), so a sweep can express nothing a single run could not. Methods are
/// `full`, `lora`, `dora` (training, followed by the `then eval` clause) and `zero-shot`,
/// `K-shot` (evaluations on the `then eval` task and options, `K-shot` with `fixed` shots).
public struct SweepCommand: Equatable {
    /// The runs of the grid, in order (models, then methods, then learning rates, then seeds),
    /// duplicates removed; each is `.train` or `.eval`.
    public var points: [Command]
    public var name: String?
    /// `emit slurm DIR`: write a Slurm job array for the queued runs instead of leaving them to
    /// `ftlab work`.
    public var slurmDirectory: String?

    public init(points: [Command], name: String? = nil, slurmDirectory: String? = nil) {
        self.points = points; self.name = name; self.slurmDirectory = slurmDirectory
    }
}
