package dev.spikestep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartTableTest {
    @Test
    void aLongValueGoesOnOverContinuationRowsWithNothingCutOff() {
        String backend = "cpu (Vector API, 8 float lanes, 2 threads; JDK 17.0.13 at /usr/lib/jvm/java-17; "
                + "caveats: C2 trap limits not raised, rows not on cache lines)";
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("model", "lif/exp");
        rows.put("backend", backend);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StartTable.print(new PrintStream(b, true, StandardCharsets.UTF_8), rows);
        List<String> lines = b.toString(StandardCharsets.UTF_8).lines().toList();
        int width = lines.get(0).length();
        for (String l : lines) {
            assertEquals(width, l.length(), "every row as wide as the rule: " + l);
        }
        assertEquals(5, lines.size(), String.join("\n", lines)); // rule, model, backend over 2 rows, rule
        assertTrue(lines.get(2).startsWith("| backend | cpu "), lines.get(2));
        assertTrue(lines.get(3).startsWith("|         | "), "a continuation row has no key: " + lines.get(3));
        String joined = lines.subList(2, 4).stream().map(l -> l.substring(12, l.length() - 2).strip())
                .reduce((x, y) -> x + " " + y).orElseThrow();
        assertEquals(backend, joined, "the value, whole, in order");
        assertTrue(!String.join("\n", lines).contains("..."));
    }

    @Test
    void wrapBreaksAtSpacesAndSplitsAWordLongerThanALine() {
        assertEquals(List.of("ab cd", "ef"), StartTable.wrap("ab cd ef", 5));
        assertEquals(List.of("abcde", "fg"), StartTable.wrap("abcdefg", 5));
        assertEquals(List.of("short"), StartTable.wrap("short", 5));
        assertEquals(List.of(""), StartTable.wrap("", 5));
    }
}
