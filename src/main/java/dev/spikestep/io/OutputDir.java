package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An output directory that a command rewrites as a whole (report, converge): it must be new, empty,
 * or an earlier output of the same command, recognised by its {@code marker} file. That output's
 * files (and the temporary files of them that a kill left) are removed first, the marker last, so
 * that none of them (a chart the new run does not draw) is left to read as the new run's; any other
 * directory is refused rather than written into. A command whose marker is its last file writes a
 * stand-in marker first (Report), so that a run killed before the end is still recognised.
 */
public final class OutputDir {
    private OutputDir() {
    }

    /**
     * Prepares {@code dir} for {@code what} ("report", "study"); returns whether an earlier one was
     * replaced. {@code owned} says which file names the command writes.
     */
    public static boolean replaceWhole(Path dir, String marker, String what, Predicate<String> owned) {
        boolean replaced = false;
        try {
            List<Path> entries = check(dir, marker, what);
            if (!entries.isEmpty()) {
                replaced = true;
                // the marker last: a kill while deleting leaves a directory still recognised as that output
                for (Path e : entries.stream().sorted(java.util.Comparator.comparing(
                        (Path p) -> p.getFileName().toString().equals(marker))).toList()) {
                    if (ownedOrTemporary(e, owned)) {
                        Files.delete(e);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SpikestepException("cannot prepare " + dir + ": " + SpikestepException.reason(e), e);
        }
        return replaced;
    }

    /**
     * Refuses a {@code dir} that {@link #replaceWhole} would refuse, touching nothing (a command checks
     * before it locks the directory); returns its entries (none when absent), the lock file not counted.
     */
    public static List<Path> check(Path dir, String marker, String what) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new SpikestepException("--out " + dir + " is a file, not a directory");
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) { // the command's own lock is no content
            entries = s.filter(p -> !p.getFileName().toString().equals(OutLock.FILE)).toList();
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + dir + ": " + SpikestepException.reason(e), e);
        }
        if (!entries.isEmpty() && !Files.isRegularFile(dir.resolve(marker))) {
            throw new SpikestepException("--out " + dir + " is not empty and holds no earlier " + what + " ("
                    + marker + "); write the " + what + " into a new or empty directory");
        }
        return entries;
    }

    /** A file the command writes, or a temporary file of one that a kill left (see {@link AtomicFiles#targetOf}). */
    private static boolean ownedOrTemporary(Path entry, Predicate<String> owned) {
        String name = entry.getFileName().toString();
        String target = AtomicFiles.targetOf(name);
        return Files.isRegularFile(entry) && (owned.test(name) || target != null && owned.test(target));
    }
}
