package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the IDX files that MNIST-style datasets ship in, raw or gzip-compressed. Compression is
 * recognised by the gzip magic bytes rather than the file name, because files get renamed and
 * browsers transparently decompress downloads. Every way a file can be wrong (a saved HTML error
 * page, a truncated download, swapped image and label files) ends in a {@link SpikestepException}
 * that names the file and says what to do, since these files come from the user's disk.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    static final int MAX_SIDE = 4096;
    static final int MAX_COUNT = 100_000_000;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;
    private static final int FIRST_CHUNK = 1 << 24;
    private static final String REDO = "delete it and download or prepare it again";

    private IdxReader() {}

    /** Reads an IDX image file (magic 0x00000803: count, rows, cols, then the pixels). */
    public static IdxImages readImages(Path file) {
        try (Input in = new Input(file)) {
            in.expectMagic(IMAGES_MAGIC, "image");
            int count = in.dimension("image count", MAX_COUNT);
            int rows = in.dimension("row count", MAX_SIDE);
            int cols = in.dimension("column count", MAX_SIDE);
            long bytes = (long) count * rows * cols;
            String what = count + " images of " + rows + "x" + cols + " = " + bytes + " bytes of pixel data";
            byte[] data = in.body(bytes, what);
            return new IdxImages(count, rows, cols, data);
        }
    }

    /** Reads an IDX label file (magic 0x00000801: count, then one byte per label). */
    public static byte[] readLabels(Path file) {
        try (Input in = new Input(file)) {
            in.expectMagic(LABELS_MAGIC, "label");
            int count = in.dimension("label count", MAX_COUNT);
            return in.body(count, count + " labels");
        }
    }

    /** A header-then-body reader over one file that turns every failure into a user-facing error. */
    private static final class Input implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;

        Input(Path file) {
            this.file = file;
            if (Files.isDirectory(file)) {
                throw new SpikestepException(file + " is a directory, expected an IDX file");
            }
            InputStream raw;
            try {
                raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            } catch (NoSuchFileException e) {
                throw new SpikestepException("IDX file not found: " + file, e);
            } catch (IOException e) {
                throw new SpikestepException("cannot open " + file + ": " + SpikestepException.reason(e), e);
            }
            try {
                raw.mark(2);
                gzip = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                // commons-compress rather than the JDK's GZIPInputStream: both read concatenated members, but the
                // JDK's silently stops at bytes after the last member that are not one, hiding a damaged file
                in = gzip ? new GzipCompressorInputStream(raw, true) : raw;
            } catch (IOException e) {
                closeQuietly(raw);
                throw failure(e);
            }
        }

        void expectMagic(int expected, String kind) {
            byte[] head = new byte[4];
            int n = read(head, 0, 4);
            if (n < 4) {
                throw new SpikestepException(file + ": not an IDX " + kind + " file: it holds only " + n
                        + " byte(s), less than the 4-byte magic number 0x" + hex(expected) + "; " + REDO);
            }
            int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            if (magic == expected) {
                return;
            }
            StringBuilder msg = new StringBuilder(file + ": not an IDX " + kind + " file: magic number is 0x"
                    + hex(magic) + ", expected 0x" + hex(expected));
            if (looksLikeText(head, 4)) {
                byte[] more = new byte[60];
                int m = read(more, 0, more.length);
                byte[] start = new byte[4 + m];
                System.arraycopy(head, 0, start, 0, 4);
                System.arraycopy(more, 0, start, 4, m);
                msg.append(". It starts with text (\"").append(printable(start))
                        .append("\"): is this an IDX file? e.g. a HTML error page saved by a failed download; ")
                        .append(REDO);
            } else if (magic == IMAGES_MAGIC || magic == LABELS_MAGIC) {
                msg.append(" (that is an IDX ").append(magic == IMAGES_MAGIC ? "image" : "label")
                        .append(" file: are the image and label files swapped?)");
            } else {
                msg.append("; the file is corrupt or of another format, ").append(REDO);
            }
            throw new SpikestepException(msg.toString());
        }

        int dimension(String what, int max) {
            byte[] b = new byte[4];
            int n = read(b, 0, 4);
            if (n < 4) {
                throw new SpikestepException(file + ": truncated IDX header: the file ends before the "
                        + what + "; " + REDO);
            }
            int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            if (value <= 0 || value > max) {
                throw new SpikestepException(file + ": implausible " + what + " " + Integer.toUnsignedString(value)
                        + " in the IDX header (expected 1.." + max + "); the file is corrupt, " + REDO);
            }
            return value;
        }

        byte[] body(long bytes, String what) {
            if (bytes > MAX_BYTES) {
                throw new SpikestepException(file + ": the header announces " + what
                        + ", more than the 2 GiB that can be loaded at once");
            }
            // grown as the bytes arrive rather than allocated at the header's word: a corrupt count (2.5 million
            // images in a 6 MB file) must read as a truncated file, not as a 2 GB allocation that runs out of heap
            byte[] data = new byte[(int) Math.min(bytes, FIRST_CHUNK)];
            int n = read(data, 0, data.length);
            while (n == data.length && data.length < bytes) {
                data = Arrays.copyOf(data, (int) Math.min(bytes, 2L * data.length));
                n += read(data, n, data.length - n);
            }
            if (n < bytes) {
                throw new SpikestepException(file + ": truncated: the header announces " + what + ", but only "
                        + n + " bytes follow (" + (bytes - n) + " missing); the file is incomplete, " + REDO);
            }
            long extra;
            try {
                extra = in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw failure(e);
            }
            if (extra > 0) {
                throw new SpikestepException(file + ": " + extra + " unexpected trailing bytes after the "
                        + what + " announced by the header; the file is corrupt or not what its name says, " + REDO);
            }
            return data;
        }

        private int read(byte[] buf, int off, int len) {
            try {
                return in.readNBytes(buf, off, len);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        private SpikestepException failure(IOException e) {
            if (gzip && !(e instanceof java.nio.file.FileSystemException)) { // a bad header, CRC, length, end or trailer
                return new SpikestepException(file + ": corrupt gzip data (" + SpikestepException.reason(e)
                        + "); the download is damaged or incomplete, " + REDO, e);
            }
            return new SpikestepException("cannot read " + file + ": " + SpikestepException.reason(e), e);
        }

        @Override
        public void close() {
            closeQuietly(in);
        }
    }

    private static boolean looksLikeText(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            boolean text = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
            if (!text) {
                return false;
            }
        }
        return true;
    }

    private static String printable(byte[] b) {
        StringBuilder out = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            out.append(c >= 0x20 && c < 0x7f ? (char) c : ' ');
        }
        return out.toString().strip() + "...";
    }

    private static String hex(int v) {
        return String.format("%08X", v);
    }

    /** Closing a stream we only read from cannot lose data; its failure is not worth reporting. */
    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was written, so nothing can be lost
        }
    }
}
