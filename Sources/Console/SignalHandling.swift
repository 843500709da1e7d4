import CReadline
import Foundation

/// Ctrl-C policy. At the prompt it abandons the line being typed; during long work (an eval or a
/// training run) it sets `interrupted`, which the runner polls so it can stop cleanly, keep what
/// it finished and mark the run interrupted. A second Ctrl-C during long work exits at once.
public enum SignalHandling {
    nonisolated(unsafe) static var atPrompt: sig_atomic_t = 0
    nonisolated(unsafe) private static var interruptCount: sig_atomic_t = 0

    nonisolated(unsafe) private static var stopCount: sig_atomic_t = 0

    /// True once Ctrl-C was pressed since the last `reset()`.
    public static var interrupted: Bool { interruptCount > 0 }
    /// True once Ctrl-C was pressed during long work, ever: `reset()` (which every run calls when
    /// it ends) leaves it alone, so a loop over runs (`ftlab work`) stops after the run it
    /// interrupted instead of claiming the next one.
    public static var stopRequested: Bool { stopCount > 0 }
    public static func reset() { interruptCount = 0 }
    /// Asks the running run to stop as one Ctrl-C would, without stopping a loop over runs
    /// (`work --for` stops its loop itself, at its deadline).
    static func requestStopOfRun() { if interruptCount == 0 { interruptCount = 1 } }

    static func installInteractive() {
        rl_catch_signals = 0   // we handle SIGINT ourselves; readline must not re-raise it
        installHandler()
    }

    /// For non-interactive use (scripts, `ftlab eval …`, workers): Ctrl-C only sets the flag, and
    /// SIGTERM asks for the same clean stop as one Ctrl-C (checkpoint, run marked interrupted) —
    /// what Slurm sends before it kills a preempted or timed-out task, and what `ftlab work -j N`
    /// forwards to its workers. SIGTERM never counts as the second Ctrl-C that exits at once.
    public static func installNonInteractive() {
        installHandler()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if SignalHandling.interruptCount == 0 { SignalHandling.interruptCount = 1 }
            SignalHandling.stopCount = 1
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
    }

    private static func installHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if SignalHandling.atPrompt != 0 {
                // Abandon the current line: a newline, an empty buffer, a fresh prompt.
                _ = write(STDOUT_FILENO, "^C\n", 3)
                rl_replace_line("", 0)
                rl_on_new_line()
                rl_redisplay()
            } else {
                SignalHandling.interruptCount += 1
                SignalHandling.stopCount = 1
                if SignalHandling.interruptCount >= 2 { _exit(130) }
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }
}
