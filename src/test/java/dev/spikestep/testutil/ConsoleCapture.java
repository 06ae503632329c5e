package dev.spikestep.testutil;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the command-line tests: captures System.out and System.err around each test. */
public abstract class ConsoleCapture {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void captureConsole() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreConsole() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    /**
     * Forgets what was printed so far, so that a check after the next command sees only that command's
     * output (a message repeated by an earlier command would otherwise satisfy it).
     */
    protected void clearConsole() {
        out.reset();
        err.reset();
    }

    /** Everything printed on stdout so far in this test (since {@link #clearConsole}). */
    protected String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Everything printed on stderr so far in this test (since {@link #clearConsole}). */
    protected String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
