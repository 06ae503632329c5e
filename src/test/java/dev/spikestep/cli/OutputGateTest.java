package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
