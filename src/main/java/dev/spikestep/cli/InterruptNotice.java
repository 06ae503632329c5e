package dev.spikestep.cli;

import java.util.List;

/**
 * What a run stopped by Ctrl-C or SIGTERM says on its way out: that it was interrupted, what is kept
 * and how to continue. Every output file is written whole (io.AtomicFiles) or appended a line at a
 * time, so what the message promises is on disk; without it the terminal just shows a prompt again.
 */
final class InterruptNotice {
    private InterruptNotice() {
    }

    /** The notice for the command line {@code args}. */
    static String message(List<String> args) {
        String command = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        String out = value(args, "--out");
        String where = out == null ? "the output directory" : out;
        return "interrupted: " + switch (command) {
            case "train" -> "every finished epoch is kept in " + where + " (epochs.jsonl, checkpoints/); run the same "
                    + "command with --resume to continue from the last one";
            case "sweep" -> "every finished run is kept in " + where + " (runs.jsonl); run the same command with "
                    + "--resume to skip them and continue";
            case "rstdp" -> "every finished epoch is kept in " + where + " (rstdp_epochs.jsonl, checkpoints/); run the "
                    + "same command with --resume to continue after the last one";
            case "bench" -> out == null ? "stopped before it finished; nothing was written (no --out)"
                    : "the rows of any part measured to the end are in " + out + "/bench.csv and bench.jsonl; "
                    + "summary.md and the charts are written at the end, so they are still the last finished run's";
            case "converge" -> "the rows measured so far are in " + where + "/converge.csv (none yet while the cost "
                    + "measurements run first); a rerun starts the study afresh";
            case "data" -> "no partial dataset file is left behind; run it again to finish";
            case "trace" -> {
                String output = value(args, "--output");
                yield "no trace was written" + (output == null ? "" : " to " + output)
                        + " (a file already there is unchanged); run it again to write it";
            }
            case "report" -> "the report in " + (out != null ? out : args.stream().dropWhile(a -> !a.equals(command))
                    .skip(1).filter(a -> !a.startsWith("-")).findFirst().orElse("DIR") + "/report") // report's default
                    + " is not finished (its report.html says so) and the sweep's files are unchanged; run the same "
                    + "command again to write it whole";
            case "merge" -> "the merge in " + where + " is not finished and its inputs are unchanged; run the same "
                    + "command again, which replaces it";
            case "eval" -> "an evaluation's row is appended to " + (out == null ? "results" : out) + "/eval.jsonl only "
                    + "once its test pass is over (earlier rows are kept); run it again to evaluate";
            default -> "stopped before it finished";
        };
    }

    /**
     * Set by a command once everything it writes is on disk (train, when the finished mark and the
     * results row are): a stop in the moments before it returns is not a run to resume.
     */
    static volatile boolean finished;

    /** What the shutdown hook prints: {@link #message}, or that the command had {@link #finished}. */
    static String notice(List<String> args) {
        String out = value(args, "--out");
        return !finished ? message(args) : "interrupted as it ended: the run had finished and its results are in "
                + (out == null ? "the output directory" : out) + "; there is nothing to resume";
    }

    /** The value of {@code --name X} or {@code --name=X} in {@code args}, or null. */
    private static String value(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(name + "=")) {
                return args.get(i).substring(name.length() + 1);
            }
        }
        return null;
    }
}
