package dev.spikestep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void imagesRoundTrip(boolean gzip) throws IOException {
        IdxImages written = Fixtures.images(5, 3, 4, 9);
        // no .gz suffix either way: compression must be recognised by content, not name
        Path file = dir.resolve("images");
        IdxWriter.writeImages(file, written, gzip);

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(gzip, (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b);
        IdxImages read = IdxReader.readImages(file);
        assertEquals(5, read.count());
        assertEquals(3, read.rows());
        assertEquals(4, read.cols());
        assertArrayEquals(written.data(), read.data());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void labelsRoundTrip(boolean gzip) {
        byte[] labels = {0, 9, 3, (byte) 200};
        Path file = dir.resolve("labels.gz");
        IdxWriter.writeLabels(file, labels, gzip);
        assertArrayEquals(labels, IdxReader.readLabels(file));
    }

    @Test
    void rawFileHasTheStandardLayout() throws IOException {
        Path file = dir.resolve("img");
        IdxWriter.writeImages(file, Fixtures.images(2, 1, 3, 0), false);
        byte[] expected = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 1, 2, 7, 8, 9};
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void writerLeavesNoPartFile() throws IOException {
        IdxWriter.writeLabels(dir.resolve("labels"), new byte[] {1}, true);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void missingFileNamesThePath() {
        Path file = dir.resolve("nope-idx3-ubyte");
        SpikestepException e = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void wrongMagicSaysFoundAndExpected() {
        Path file = dir.resolve("labels-not-images");
        IdxWriter.writeLabels(file, new byte[] {1, 2}, false);
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.startsWith(file.toString()), msg);
        assertTrue(msg.contains("0x00000801") && msg.contains("expected 0x00000803"), msg);
        assertTrue(msg.contains("swapped"), msg);
    }

    @Test
    void unknownBinaryMagic() throws IOException {
        Path file = dir.resolve("junk");
        Files.write(file, new byte[] {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 5});
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains("0x12345678") && msg.contains(file.toString()), msg);
    }

    @Test
    void htmlPageGetsTheDownloadHint() throws IOException {
        Path file = dir.resolve("train-images-idx3-ubyte.gz");
        Files.writeString(file, "<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n");
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file.toString()), msg);
        assertTrue(msg.contains("is this an IDX file?") && msg.contains("HTML error page"), msg);
        assertTrue(msg.contains("<!DOCTYPE html>"), msg);
    }

    @Test
    void truncatedDataSaysExpectedAndFound() throws IOException {
        Path file = dir.resolve("img");
        IdxWriter.writeImages(file, Fixtures.images(10, 4, 5, 0), false);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 30));
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("truncated"), msg);
        assertTrue(msg.contains("200 bytes") && msg.contains("only 170 bytes follow"), msg);
    }

    @Test
    void truncatedInsideGzipIsATruncationNotCorruption() throws IOException {
        Path file = dir.resolve("labels.gz");
        byte[] idx = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2};
        Files.write(file, Fixtures.gzip(idx));
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains("truncated") && msg.contains("5 labels") && msg.contains("only 2 bytes"), msg);
    }

    @Test
    void truncatedHeader() throws IOException {
        Path file = dir.resolve("img");
        Files.write(file, new byte[] {0, 0, 8, 3, 0, 0});
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("truncated IDX header"), msg);
    }

    @Test
    void emptyFile() throws IOException {
        Path file = dir.resolve("empty");
        Files.write(file, new byte[0]);
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("only 0 byte"), msg);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void trailingBytesAreAnError(int extra) throws IOException {
        Path file = dir.resolve("labels");
        IdxWriter.writeLabels(file, new byte[] {1, 2, 3}, false);
        Files.write(file, new byte[extra], java.nio.file.StandardOpenOption.APPEND);
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains(extra + " unexpected trailing bytes"), msg);
    }

    @Test
    void implausibleDimensions() throws IOException {
        Path file = dir.resolve("img");
        Files.write(file, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0x13, (byte) 0x88, 0, 0, 0, 1});
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains("implausible row count 5000") && msg.contains("1..4096"), msg);

        Files.write(file, new byte[] {0, 0, 8, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains("implausible label count 4294967295"), msg);
    }

    /** A dimension of 0 is refused like a huge one: an empty set would train on nothing or divide by 0 later. */
    @Test
    void aZeroCountOrRowCountIsImplausible() throws IOException {
        Path file = dir.resolve("zero");
        Files.write(file, new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readLabels(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("implausible label count 0"), msg);

        Files.write(file, new byte[] {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28});
        msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains("implausible image count 0"), msg);

        Files.write(file, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 28});
        msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains("implausible row count 0") && msg.contains("1..4096"), msg);
    }

    @Test
    void corruptGzipNamesTheFile() throws IOException {
        Path file = dir.resolve("img.gz");
        IdxWriter.writeImages(file, Fixtures.images(50, 28, 28, 3), true);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 20; i < bytes.length - 20; i += 7) {
            bytes[i] ^= 0x5a;
        }
        Files.write(file, bytes);
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("corrupt gzip"), msg);
    }

    @Test
    void cutGzipStreamIsCorrupt() throws IOException {
        Path file = dir.resolve("img.gz");
        IdxWriter.writeImages(file, Fixtures.images(50, 28, 28, 3), true);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file.toString()) && msg.contains("corrupt gzip"), msg);
    }

    @Test
    void aGzipFileCutInItsHeaderSaysSoNotNull() throws IOException {
        Path file = dir.resolve("img.gz");
        Files.write(file, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0});
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.contains(file + ": corrupt gzip data (the data ends early)"), msg);
    }

    @Test
    void bytesAfterTheLastGzipMemberAreCorruptionButAnotherMemberIsRead() throws IOException {
        Path file = dir.resolve("img.gz");
        IdxImages images = Fixtures.images(50, 28, 28, 3);
        IdxWriter.writeImages(file, images, true);
        byte[] whole = Files.readAllBytes(file);
        byte[] junk = Arrays.copyOf(whole, whole.length + 3);
        junk[whole.length] = 'a';
        junk[whole.length + 1] = 'b';
        junk[whole.length + 2] = 'c';
        Files.write(file, junk);
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertTrue(msg.startsWith(file + ": corrupt gzip data (") && msg.contains("Unexpected data after a valid .gz stream"), msg);

        // gzip's concatenated members (cat a.gz b.gz) are one stream: the file split in two members reads the same
        byte[] raw = Files.readAllBytes(writeRaw(images));
        byte[] twoMembers = concat(Fixtures.gzip(Arrays.copyOf(raw, 1000)), Fixtures.gzip(Arrays.copyOfRange(raw, 1000,
                raw.length)));
        Files.write(file, twoMembers);
        assertArrayEquals(images.data(), IdxReader.readImages(file).data());
    }

    private Path writeRaw(IdxImages images) {
        Path raw = dir.resolve("img.raw");
        IdxWriter.writeImages(raw, images, false);
        return raw;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A corrupt count (2.5 million images in a 20 MB file) reads as a truncation, without a 2 GB allocation. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCountPastTheFileIsATruncationNotAnAllocation(boolean gzip) throws IOException {
        Path file = dir.resolve(gzip ? "img.gz" : "img");
        int body = 20_000_003; // past the first 16 MiB chunk, so the buffer grows once before the file ends
        byte[] idx = new byte[16 + body];
        byte[] header = {0, 0, 8, 3, 0, 0x26, 0x25, (byte) 0xa0, 0, 0, 0, 28, 0, 0, 0, 28}; // 2,500,000 x 28 x 28
        System.arraycopy(header, 0, idx, 0, header.length);
        idx[16 + body - 1] = 7;
        Files.write(file, gzip ? Fixtures.gzip(idx) : idx);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(msg.contains(file.toString()) && msg.contains("truncated")
                && msg.contains("1960000000 bytes") && msg.contains("only " + body + " bytes follow"), msg);
        assertTrue(allocated < 200_000_000L, "allocated " + allocated + " bytes for a 20 MB file");
    }

    @Test
    void aBodyPastTheFirstChunkIsReadWhole() throws IOException {
        Path file = dir.resolve("big");
        IdxImages images = Fixtures.images(22_000, 28, 28, 3); // 17.2 MB: read in two chunks
        IdxWriter.writeImages(file, images, false);
        IdxImages back = IdxReader.readImages(file);
        assertEquals(22_000, back.count());
        assertArrayEquals(images.data(), back.data());
    }

    @Test
    void directoryIsRejected() {
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(dir)).getMessage();
        assertTrue(msg.contains("is a directory"), msg);
    }

    @Test
    void textDetectionDoesNotFireOnBinary() throws IOException {
        Path file = dir.resolve("bin");
        Files.write(file, "\u0001\u0002AB".getBytes(StandardCharsets.ISO_8859_1));
        String msg = assertThrows(SpikestepException.class, () -> IdxReader.readImages(file)).getMessage();
        assertFalse(msg.contains("HTML"), msg);
    }
}
