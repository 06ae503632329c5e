package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "spikestep", mixinStandardHelpOptions = true, version = "spikestep 0.1.0",
        description = {"Fast, reproducible spiking-neural-network experiments: how the integrator",
            "(Euler, exponential, zero-order hold, symplectic) and dt change what an SNN learns.", ""},
        subcommands = {TrainCommand.class, EvalCommand.class, RstdpCommand.class, SweepCommand.class, MergeCommand.class,
            ReportCommand.class, TraceCommand.class, DataCommand.class, BenchCommand.class, InfoCommand.class,
            SelftestCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'spikestep COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code: 0 ok, 2 bad input (message only), 1 internal error. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof SpikestepException) {
                cmd.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
