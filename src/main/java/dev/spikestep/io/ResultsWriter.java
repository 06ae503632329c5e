package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return Json.object(row);
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
        replace(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #replace(Path, String)} for binary content (checkpoints); a failed write leaves no temporary file. */
    public static void replace(Path file, byte[] content) {
        try {
            AtomicFiles.write(file, out -> out.write(content));
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + file + ": " + SpikestepException.reason(e), e);
        }
    }

    /** Whether {@code file} is absent, empty or ends with a newline. */
    private static boolean endsWithNewline(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            return ch.size() == 0 || ch.read(last, ch.size() - 1) != 1 || last.get(0) == '\n';
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return true; // the append below reports what is wrong with the file
        }
    }

    private static byte[] prependNewline(byte[] bytes) {
        byte[] b = new byte[bytes.length + 1];
        b[0] = '\n';
        System.arraycopy(bytes, 0, b, 1, bytes.length);
        return b;
    }

    /**
     * Cuts a torn last line (a write interrupted by a kill) off {@code file}, so that it ends with its
     * last complete line; returns whether anything was cut.
     */
    public static boolean dropTornTail(Path file) {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = ch.size();
            long keep = end;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep == end) {
                return false;
            }
            ch.truncate(keep);
            ch.force(true);
            return true;
        } catch (IOException e) {
            throw new SpikestepException("cannot repair " + file + ": " + SpikestepException.reason(e), e);
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
        StringBuilder sb = new StringBuilder();
        if (!requireHeader(file, header)) {
            sb.append(String.join(",", header)).append('\n');
        }
        sb.append(values.stream().map(ResultsWriter::csvValue).collect(Collectors.joining(","))).append('\n');
        append(file, sb.toString());
    }

    /**
     * Whether {@code file} already starts with {@code header}; false when it is absent or empty (the
     * first row writes the header). Other columns, or a directory in its place, are an error: appending
     * would mix two tables in one file. Commands call it before a long run, so that it fails first.
     */
    public static boolean requireHeader(Path file, List<String> header) {
        if (Files.isDirectory(file)) {
            throw new SpikestepException(file + " is a directory, not a file; choose another --out directory or move it away");
        }
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                return false;
            }
            String first;
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                first = lines.findFirst().orElse("");
            }
            if (!first.equals(String.join(",", header))) {
                throw new SpikestepException(file + " already exists with other columns (" + first
                        + "); choose another --out directory or move the file away");
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SpikestepException("cannot read " + file + ": " + SpikestepException.reason(
                    e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e), e);
        }
    }

    private static void append(Path file, String text) {
        append(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Appends and fsyncs; a write that fails part-way (a full disk) is cut back to the file's
     * previous length, so the file still ends with its last complete line. A file that does not end
     * with a newline (a line torn by a kill, a hand edit) gets one first: the new row starts on a
     * line of its own instead of being glued onto the torn one, which readers then skip.
     */
    private static synchronized void append(Path file, byte[] bytes) { // one appender at a time: the tail check holds
        bytes = endsWithNewline(file) ? bytes : prependNewline(bytes);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                long before = ch.size();
                try {
                    ByteBuffer buf = ByteBuffer.wrap(bytes);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.force(true);
                } catch (IOException e) {
                    try {
                        ch.truncate(before);
                        ch.force(true);
                    } catch (IOException ignored) {
                        // nothing more can be done on this device; the message below says why
                    }
                    throw e;
                }
            }
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains("No space left") ? "the disk is full ("
                    + e.getMessage() + "); every file ends with its last complete row" : e.getMessage();
            throw new SpikestepException("cannot write results to " + file + ": " + why, e);
        }
    }

    static String csvValue(Object v) {
        String s = v == null ? "" : v instanceof Double d ? number(d) : v instanceof Float f ? number(f) : String.valueOf(v);
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    private static String number(double d) {
        return Json.number(d);
    }
}
