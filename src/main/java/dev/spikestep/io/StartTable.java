package dev.spikestep.io;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The start-up table of a run (train, rstdp): one row per setting, values clipped to one line. */
public final class StartTable {
    /** Characters of the value column; longer values end in "...". */
    public static final int VALUE_WIDTH = 82;

    private StartTable() {
    }

    public static void print(PrintStream out, Map<String, String> rows) {
        int w = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        String rule = "+" + "-".repeat(w + 2) + "+" + "-".repeat(VALUE_WIDTH + 2) + "+";
        out.println(rule);
        for (Map.Entry<String, String> e : rows.entrySet()) {
            out.println(String.format(Locale.ROOT, "| %-" + w + "s | %-" + VALUE_WIDTH + "s |", e.getKey(),
                    clip(e.getValue(), VALUE_WIDTH)));
        }
        out.println(rule);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
