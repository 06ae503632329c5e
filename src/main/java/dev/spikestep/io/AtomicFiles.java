package dev.spikestep.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a whole file under a temporary {@code NAME.<random>.part} name, created new (so that it never
 * clobbers a file that happens to be there, an input named {@code out.csv.part} say), fsyncs it and renames it into place
 * only when complete. A reader, a kill or a full disk then leaves the old file or the new one,
 * never half of one under the name that {@code DatasetLocator}, {@code --resume} or a user reads.
 * The one way Spikestep replaces a file (datasets, checkpoints, manifests, traces). A Ctrl-C or SIGTERM
 * runs the shutdown hooks but not the writing thread's finally blocks, and the writing thread goes on
 * meanwhile: the hook calls {@link #stop}, which deletes the part files being written and refuses new ones.
 */
public final class AtomicFiles {
    /** Produces the content of a file; throwing aborts the write and leaves the target untouched. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** The temporary names {@link #partName} gives, and {@link ChartFiles}' ({@code STEM.<hex>.tmp.png|svg}). */
    private static final java.util.regex.Pattern PART =
            java.util.regex.Pattern.compile("(.+)\\.[0-9a-f]{1,12}\\.(part|tmp\\.png|tmp\\.svg)");

    /** The file a temporary file of that name was to become ({@code a.csv.<hex>.part}: a.csv), or null for any other name. */
    public static String targetOf(String name) {
        java.util.regex.Matcher m = PART.matcher(name);
        return !m.matches() ? null : m.group(2).equals("part") ? m.group(1) : m.group(1) + m.group(2).substring(3);
    }

    /**
     * Deletes the temporary files a killed write left in {@code dir} (not below it); a caller holds
     * the directory's lock, so none is being written. Returns how many.
     */
    public static int removeOrphans(Path dir) {
        return removeOrphans(dir, target -> true);
    }

    /**
     * Deletes the temporary files a killed write of {@code target} left beside it, and no other's (a
     * file that shares its directory with others' files: trace's --output). Returns how many.
     */
    public static int removeOrphansOf(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        return dir == null ? 0 : removeOrphans(dir, target.getFileName().toString()::equals);
    }

    /** Deletes the temporary files in {@code dir} whose target's name {@code of} accepts. */
    private static int removeOrphans(Path dir, java.util.function.Predicate<String> of) {
        int n = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String target = targetOf(p.getFileName().toString());
                if (target != null && of.test(target) && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    n++;
                }
            }
        } catch (IOException e) {
            // a stray .part file is harmless: the next write takes another name
        }
        return n;
    }

    /**
     * The part files created and not yet renamed or deleted. Creating, renaming and abandoning one all
     * happen under its lock, so the shutdown hook either finds a part before its rename (and deletes
     * it, so the rename never happens) or after (and it is the target, whole).
     */
    private static final java.util.Set<Path> IN_FLIGHT = new java.util.HashSet<>();

    /**
     * Set under IN_FLIGHT's lock by {@link #stop}: the writing thread runs on while the shutdown hook
     * does, and a part file it created afterwards would outlive the process. Package-private: a test resets it.
     */
    static volatile boolean stopping;

    /**
     * For the shutdown hook of a process stopped mid-run: deletes every part file being written
     * ({@link #abandonInFlight}) and refuses every later write, whose part file nothing would delete.
     */
    public static int stop() {
        synchronized (IN_FLIGHT) {
            stopping = true;
            return abandonInFlight();
        }
    }

    /** Refuses a new temporary file once {@link #stop} ran; called under IN_FLIGHT's lock. */
    private static void requireRunning(Path target) throws IOException {
        if (stopping) {
            throw new IOException(target + " was not written: the process is stopping");
        }
    }

    /**
     * Deletes every part file being written; a write whose part is deleted fails instead of renaming
     * it. For the shutdown hook of a process stopped mid-write. Returns how many.
     */
    public static int abandonInFlight() {
        synchronized (IN_FLIGHT) {
            int n = IN_FLIGHT.size();
            IN_FLIGHT.forEach(AtomicFiles::deleteQuietly);
            IN_FLIGHT.clear();
            return n;
        }
    }

    /**
     * Registers a temporary file that another writer creates (ChartFiles' charts, drawn by their library), so
     * that the shutdown hook deletes it with the part files; {@link #placeInFlight} or {@link #dropInFlight} ends it.
     */
    public static void inFlight(Path tmp) throws IOException {
        synchronized (IN_FLIGHT) {
            requireRunning(tmp);
            IN_FLIGHT.add(tmp);
        }
    }

    /** Moves a registered temporary file onto {@code target}; fails when the shutdown hook has abandoned it. */
    public static void placeInFlight(Path tmp, Path target) throws IOException {
        synchronized (IN_FLIGHT) {
            if (!IN_FLIGHT.remove(tmp)) {
                throw new IOException(target + " was not written: the process is stopping");
            }
            moveOnto(tmp, target);
        }
    }

    /** Renames {@code from} onto {@code target}, atomically where the file system can. */
    private static void moveOnto(Path from, Path target) throws IOException {
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a registered temporary file that will not be placed. */
    public static void dropInFlight(Path tmp) {
        synchronized (IN_FLIGHT) {
            IN_FLIGHT.remove(tmp);
            deleteQuietly(tmp);
        }
    }

    /** A fresh temporary name beside {@code target}. */
    private static Path partName(Path target) {
        return target.resolveSibling(target.getFileName() + "."
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16) + ".part");
    }

    public static void write(Path target, Content content) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Created exclusively (CREATE_NEW, with the directory's usual permissions): never a file already there.
        Path part = partName(target);
        FileChannel channel;
        for (int attempt = 1; ; attempt++) {
            try {
                synchronized (IN_FLIGHT) {
                    requireRunning(target);
                    channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    IN_FLIGHT.add(part);
                }
                break;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
                part = partName(target);
            }
        }
        boolean done = false;
        try {
            try (FileChannel ch = channel) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true); // on disk before the rename makes it visible
            }
            placeInFlight(part, target);
            done = true;
        } finally {
            if (!done) {
                dropInFlight(part);
            }
        }
    }

    public static void copy(Path source, Path target) throws IOException {
        write(target, out -> Files.copy(source, out));
    }

    /** Best-effort cleanup while another error is already on its way to the user. */
    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the original failure is the one worth reporting; a stray .part file is harmless
        }
    }
}
