package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Appends results so that an interrupted run loses nothing already reported: every row is written,
 * flushed and fsync'd before the run goes on. CSV files get their header once; appending to a CSV
 * whose header differs is refused rather than mixing columns.
 */
public final class ResultsWriter {
    private ResultsWriter() {
    }

    /** Appends one JSON object (a flat map of numbers, strings and booleans) as a line. */
    public static void appendJsonLine(Path file, Map<String, ?> row) {
        append(file, json(row) + "\n");
    }

    /** One flat JSON object, as {@link #appendJsonLine} writes it (without the newline). */
    public static String json(Map<String, ?> row) {
        return row.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + jsonValue(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** One CSV row, values formatted as {@link #appendCsvRow} writes them (without the newline). */
    public static String csv(List<?> values) {
        return values.stream().map(ResultsWriter::csvValue).collect(Collectors.joining(","));
    }

    /**
     * Replaces {@code file} by {@code text} all at once: written to a temporary sibling, fsync'd,
     * then renamed over the target, so a reader (or a crash) sees the old file or the new one.
     */
    public static void replace(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            append(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends raw text (complete lines) to {@code file}, fsync'd. */
    public static void appendText(Path file, String text) {
        append(file, text);
    }

    /** Appends one CSV row, writing {@code header} first when the file is new or empty. */
    public static void appendCsvRow(Path file, List<String> header, List<?> values) {
        if (header.size() != values.size()) {
            throw new IllegalArgumentException("CSV row has " + values.size() + " values for " + header.size() + " columns");
        }
        String headerLine = String.join(",", header);
        StringBuilder sb = new StringBuilder();
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                sb.append(headerLine).append('\n');
            } else {
                String first;
                try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    first = lines.findFirst().orElse("");
                }
                if (!first.equals(headerLine)) {
                    throw new SpikestepException(file + " already exists with other columns (" + first
                            + "); choose another --out directory or move the file away");
                }
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + file + ": " + e.getMessage(), e);
        }
        sb.append(values.stream().map(ResultsWriter::csvValue).collect(Collectors.joining(","))).append('\n');
        append(file, sb.toString());
    }

    private static void append(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot write results to " + file + ": " + e.getMessage(), e);
        }
    }

    static String csvValue(Object v) {
        String s = v instanceof Double d ? number(d) : v instanceof Float f ? number(f) : String.valueOf(v);
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    static String jsonValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            // JSON has no NaN or infinity: write them as strings rather than produce invalid JSON.
            return Double.isFinite(d) ? number(d) : quote(Double.toString(d));
        }
        return quote(v.toString());
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)", "$1");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
