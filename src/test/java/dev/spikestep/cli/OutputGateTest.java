package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a command prints once the shutdown hook has shut the gate is dropped: the notice stays the last line. */
class OutputGateTest {
    @Test
    void printsUntilShutAndNothingAfter() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputGate gate = new OutputGate();
        PrintStream out = gate.over(new PrintStream(sink, true, StandardCharsets.UTF_8), "stdout");
        out.println("kernels");
        gate.shut(); // the hook, before its notice
        out.println("training step by phase"); // the command's thread, printing on
        out.write('x');
        out.flush();
        assertEquals("kernels" + System.lineSeparator(), sink.toString(StandardCharsets.UTF_8));
    }

    @TempDir
    Path dir;

    @Test
    void theShutdownHookShutsTheGateRefusesNewWritesAndEndsWithTheNotice() {
        ByteArrayOutputStream outSink = new ByteArrayOutputStream();
        ByteArrayOutputStream errSink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outSink, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errSink, true, StandardCharsets.UTF_8);
        OutputGate gate = new OutputGate();
        PrintStream commandOut = gate.over(out, "stdout");
        commandOut.println("epoch 0");
        InterruptNotice.finished = false; // a command still running, whatever tests ran before
        try {
            Main.onShutdown(false, gate, out, err, "train", "--out", dir.toString());
            commandOut.println("epoch 1"); // the command's thread, printing on while the hook runs
            assertEquals("epoch 0" + System.lineSeparator(), outSink.toString(StandardCharsets.UTF_8));
            String notice = errSink.toString(StandardCharsets.UTF_8);
            assertTrue(notice.startsWith(System.lineSeparator() + "interrupted: ") && notice.contains(dir.toString()),
                    notice);
            // no write starts a temporary file that nothing would delete
            assertThrows(dev.spikestep.SpikestepException.class,
                    () -> dev.spikestep.io.ResultsWriter.replace(dir.resolve("late.txt"), "x"));
            assertTrue(!Files.exists(dir.resolve("late.txt")));
        } finally {
            dev.spikestep.io.AtomicFilesReset.resume();
            Main.stopping = false;
        }
        // after the command returned (System.exit runs the hooks too): no notice, output left open
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        OutputGate open = new OutputGate();
        try {
            Main.onShutdown(true, open, out, new PrintStream(quiet, true, StandardCharsets.UTF_8), "train");
            open.over(out, "stdout").println("done");
            assertEquals(0, quiet.size());
            assertTrue(outSink.toString(StandardCharsets.UTF_8).endsWith("done" + System.lineSeparator()));
        } finally {
            dev.spikestep.io.AtomicFilesReset.resume();
            Main.stopping = false;
        }
    }
}
