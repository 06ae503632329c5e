package dev.spikestep.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * What System.out and System.err write through while a command runs, shut by the shutdown hook
 * before it prints the interrupt notice: the command's thread goes on printing while the hook runs
 * (a bench's next heading), and once shut what it prints is dropped, so the notice is the last line.
 */
final class OutputGate {
    private boolean shut;

    /** A print stream that writes to {@code target} until {@link #shut}, encoding as the JDK encodes {@code stream}. */
    PrintStream over(PrintStream target, String stream) {
        // the JDK's own choice for System.out and System.err: stdout.encoding (JDK 19+), sun.stdout.encoding, the default
        String enc = System.getProperty(stream + ".encoding", System.getProperty("sun." + stream + ".encoding"));
        Charset cs = enc != null && Charset.isSupported(enc) ? Charset.forName(enc) : Charset.defaultCharset();
        return new PrintStream(new FilterOutputStream(target) {
            @Override
            public void write(int b) throws IOException {
                synchronized (OutputGate.this) {
                    if (!shut) {
                        out.write(b);
                    }
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (OutputGate.this) {
                    if (!shut) {
                        out.write(b, off, len);
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                synchronized (OutputGate.this) {
                    if (!shut) {
                        out.flush();
                    }
                }
            }
        }, true, cs);
    }

    /** Drops everything written from now on; a write under way ends first. */
    synchronized void shut() {
        shut = true;
    }
}
