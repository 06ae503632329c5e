package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "spikestep", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Fast, reproducible spiking-neural-network experiments: how the integrator",
            "(Euler, exponential, zero-order hold, symplectic, rk2, rk4) and dt change what an SNN learns.", ""},
        subcommands = {TrainCommand.class, EvalCommand.class, RstdpCommand.class, SweepCommand.class, MergeCommand.class,
            ReportCommand.class, TraceCommand.class, ConvergeCommand.class, DataCommand.class, BenchCommand.class,
            InfoCommand.class,
            SelftestCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'spikestep COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    static final String VERSION = "spikestep 0.1.0";
    /** Set by the shutdown hook: an error after it is the stop's (a write abandoned), not the user's to read. */
    static volatile boolean stopping; // package-private: a test resets it

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // Ctrl-C (SIGINT) or SIGTERM mid-run runs the shutdown hooks: say so, and what is kept, unless the
        // command has already returned (System.exit runs the same hooks).
        java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        OutputGate gate = new OutputGate();
        System.setOut(gate.over(out, "stdout"));
        System.setErr(gate.over(err, "stderr"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> onShutdown(returned.get(), gate, out, err, args),
                "interrupt-notice"));
        int rc;
        try {
            rc = execute(args);
        } finally {
            returned.set(true);
        }
        System.exit(rc);
    }

    /**
     * The shutdown hook's work (a Ctrl-C, a SIGTERM, or System.exit after {@code returned}): the writing
     * thread's finally blocks do not run, so its half-written part files go here and it starts no more;
     * when the command had not returned, {@code gate} is shut (the command's thread prints on meanwhile)
     * and the notice is the last line on {@code err}.
     */
    static void onShutdown(boolean returned, OutputGate gate, java.io.PrintStream out, java.io.PrintStream err,
                           String... args) {
        stopping = true;
        dev.spikestep.io.AtomicFiles.stop();
        if (!returned) {
            gate.shut();
            out.flush();
            err.println();
            err.println(InterruptNotice.notice(java.util.List.of(args)));
            err.flush();
        }
    }

    /** Runs the CLI and returns the exit code: 0 ok, 2 bad input (message only), 1 internal error. */
    public static int execute(String... args) {
        InterruptNotice.finished = false; // this command's, not an earlier one's in the same JVM (tests)
        CommandLine cli = new CommandLine(new Main());
        // Every subcommand has -V (the standard help mixin); without this it would print an empty line.
        setVersion(cli);
        // An empty path (--out "$DIR" with DIR unset) would mean the working directory: refused on every option.
        cli.registerConverter(java.nio.file.Path.class, s -> {
            if (s.isBlank()) {
                throw new CommandLine.TypeConversionException("the path is empty");
            }
            return java.nio.file.Path.of(s);
        });
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof SpikestepException && stopping) {
                return 2; // a write abandoned by Ctrl-C or SIGTERM: the shutdown hook's notice says what is kept
            }
            if (ex instanceof SpikestepException) {
                cmd.getErr().println("error: " + ex.getMessage());
                // a device's failure (a sweep's run out of GPU memory or heap) is 1, as train's own; bad input is 2
                return dev.spikestep.net.Backends.isCudaFailure(ex) || dev.spikestep.net.Backends.isOutOfHeap(ex) ? 1 : 2;
            }
            if (dev.spikestep.net.Backends.isCudaFailure(ex)) {
                // A failure on the device (an illegal address, out of memory): what the driver says, no stack trace.
                cmd.getErr().println("error: " + dev.spikestep.net.Backends.describeFailure(ex));
                return 1;
            }
            throw ex;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // Inputs past the heap (a huge trace CSV, say): what to change, not a stack trace. The
            // allocation that failed is garbage now, so there is room to print this.
            System.err.println("error: " + dev.spikestep.net.Backends.outOfHeap());
            return 1;
        }
    }

    private static void setVersion(CommandLine cmd) {
        cmd.getCommandSpec().version(VERSION + " (commit " + dev.spikestep.BuildInfo.commit() + ")");
        cmd.getSubcommands().values().forEach(Main::setVersion);
    }

    /**
     * Refuses those of {@code options} given on {@code spec}'s command line, which this run ({@code run}) does not
     * read: only {@code usedBy} does. Their defaults are no mistake, but a --data naming nowhere would pass
     * unchecked and look as if it had been used.
     */
    static void refuseUnused(CommandLine.Model.CommandSpec spec, String usedBy, String run, String... options) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        java.util.List<String> unused = java.util.Arrays.stream(options).filter(given::hasMatchedOption).toList();
        if (!unused.isEmpty()) {
            throw new SpikestepException(String.join(" and ", unused) + (unused.size() == 1 ? " is" : " are") + " for "
                    + usedBy + "; " + run + " reads no data: drop " + (unused.size() == 1 ? "it" : "them"));
        }
    }

    /**
     * A mistake on the command line (an unknown option, a value that is not a number): one {@code error:} line,
     * picocli's "did you mean" suggestions, and where the options are listed, instead of the whole help page.
     */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        boolean commands = !cmd.getSubcommands().isEmpty();
        if (commands && ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            err.println("error: unknown command '" + u.getUnmatched().get(0) + "'");
        } else {
            err.println("error: " + ex.getMessage());
        }
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for its "
                + (commands ? "commands." : "options."));
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
