package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One writer per output directory: an OS lock on {@code OUT/.spikestep.lock}, held until the run
 * ends. A second process on the same {@code OUT} is refused at once with the holder's pid and
 * host (written into the file); the OS drops the lock when its holder dies, however it dies, so a
 * lock left by a dead process is simply taken over. Taking the lock is also the check that
 * {@code OUT} can be written at all, before any data is read or any epoch trained.
 */
public final class OutLock implements AutoCloseable {
    public static final String FILE = ".spikestep.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code out} (created if missing) for {@code command}, or says why it cannot. */
    public static OutLock acquire(Path out, String command) {
        writableDir(out);
        Path file = out.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw cannotWrite(out, e);
        }
        try {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this very process holds it (a second command in one JVM)
            }
            if (l == null) {
                SpikestepException busy = inUse(out, file);
                ch.close();
                throw busy;
            }
            String me = "pid " + ProcessHandle.current().pid() + " on " + host() + ", " + command + " since "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
            return new OutLock(ch, l);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // reporting the first failure
            }
            throw cannotWrite(out, e);
        }
    }

    /**
     * What {@link #acquire} would refuse, found without creating or writing anything (a dry run):
     * an {@code out} that is a file or under one, a directory that cannot be written, a lock that
     * another run holds.
     */
    public static void probe(Path out) {
        requireNotAFile(out);
        // the nearest part of the path that is there, a link included (a dangling link is not a directory)
        Path existing = out.toAbsolutePath();
        while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new SpikestepException("--out " + out + " cannot be written (" + existing + " is not a directory"
                    + (existing != null && Files.isSymbolicLink(existing) && !Files.exists(existing) ? ": a link to nothing" : "")
                    + "); choose a writable directory");
        }
        if (!Files.isWritable(existing) || !Files.isExecutable(existing)) { // a file is made in it: write and enter
            throw new SpikestepException("--out " + out + " cannot be written (permission denied on " + existing + "); "
                    + "choose a writable directory");
        }
        Path file = out.resolve(FILE);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(file) || !Files.isWritable(file)) { // acquire opens it for writing
            throw new SpikestepException("--out " + out + " cannot be written (" + file + (Files.isRegularFile(file)
                    ? ": permission denied" : " is not a file") + "); choose a writable directory");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock l;
            try {
                l = ch.tryLock(0, Long.MAX_VALUE, true); // shared: the holder's exclusive lock refuses it
            } catch (OverlappingFileLockException e) {
                l = null; // this very process holds it
            }
            if (l == null) {
                throw inUse(out, file);
            }
            l.release();
        } catch (IOException e) {
            throw cannotWrite(out, e);
        }
    }

    /** Creates {@code out} if needed and proves a file can be written there; fails with a one-line reason. */
    public static void writableDir(Path out) {
        requireNotAFile(out);
        try {
            Files.createDirectories(out);
            Path probe = Files.createTempFile(out, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw cannotWrite(out, e);
        }
    }

    private static void requireNotAFile(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new SpikestepException("--out " + out + " is a file, not a directory; choose a directory");
        }
    }

    /** The refusal naming the run that holds {@code file}'s lock (its pid, host and command, written there). */
    private static SpikestepException inUse(Path out, Path file) throws IOException {
        String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        return new SpikestepException("--out " + out + " is in use by another run ("
                + (holder.isEmpty() ? "holder unknown" : holder) + "); wait for it to end, or choose another --out");
    }

    private static SpikestepException cannotWrite(Path out, IOException e) {
        String why = SpikestepException.reason(e);
        return new SpikestepException("--out " + out + " cannot be written (" + why + "); choose a writable directory");
    }

    private static String host() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "unknown host";
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases the lock with the process anyway
        }
    }
}
