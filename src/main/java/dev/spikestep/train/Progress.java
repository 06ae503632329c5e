package dev.spikestep.train;

import java.io.PrintStream;

/**
 * A progress bar for long loops on stderr. On a terminal it redraws one line; in a log (no console)
 * it prints a line every 10 seconds so that a batch job still shows it is alive.
 */
public final class Progress {
    private final PrintStream err;
    private final String label;
    private final int total;
    private final boolean tty;
    private final long start = System.nanoTime();
    private long lastDraw;

    public Progress(PrintStream err, String label, int total, boolean tty) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.tty = tty;
        this.lastDraw = start;
    }

    /** Reports {@code done} of {@code total} finished, with an extra status text. */
    public void update(int done, String status) {
        long now = System.nanoTime();
        long interval = tty ? 200_000_000L : 10_000_000_000L;
        if (done < total && now - lastDraw < interval) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        double eta = done > 0 ? elapsed * (total - done) / done : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format("%s [%s] %d/%d %s %.0fs, eta %.0fs", label, bar, done, total, status, elapsed, eta);
        if (tty) {
            err.print("\r" + line + "\u001b[K");
            if (done >= total) {
                err.print("\r\u001b[K");
            }
        } else if (done < total) {
            err.println(line);
        }
        err.flush();
    }
}
