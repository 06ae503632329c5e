package dev.spikestep.io;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The start-up table of a run (train, rstdp): one row per setting. A value longer than the column
 * goes on over continuation rows (broken at spaces), so nothing a run states about itself, such as
 * the backend's JVM caveats, is cut off.
 */
public final class StartTable {
    /** Characters of the value column; a longer value is wrapped onto further rows. */
    public static final int VALUE_WIDTH = 82;

    private StartTable() {
    }

    public static void print(PrintStream out, Map<String, String> rows) {
        int w = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        String rule = "+" + "-".repeat(w + 2) + "+" + "-".repeat(VALUE_WIDTH + 2) + "+";
        out.println(rule);
        for (Map.Entry<String, String> e : rows.entrySet()) {
            String key = e.getKey();
            for (String line : wrap(e.getValue(), VALUE_WIDTH)) {
                out.println(String.format(Locale.ROOT, "| %-" + w + "s | %-" + VALUE_WIDTH + "s |", key, line));
                key = "";
            }
        }
        out.println(rule);
    }

    /** Lines of at most n characters, broken at the last space that fits, else mid-word. */
    static List<String> wrap(String s, int n) {
        List<String> lines = new ArrayList<>();
        String rest = s;
        while (rest.length() > n) {
            int cut = rest.lastIndexOf(' ', n);
            if (cut <= 0) {
                lines.add(rest.substring(0, n));
                rest = rest.substring(n);
            } else {
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut + 1);
            }
        }
        lines.add(rest);
        return lines;
    }
}
