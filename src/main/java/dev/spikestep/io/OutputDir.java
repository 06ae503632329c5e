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
 * or an earlier output of the same command, recognised by its {@code marker} file or, where that
 * output was killed before writing its marker, by holding only the command's files and their
 * temporary files. That output's files are removed first, so that none of them (a chart the new run
 * does not draw) is left to read as the new run's; any other directory is refused rather than
 * written into.
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
            List<Path> entries = check(dir, marker, what, owned);
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
    public static List<Path> check(Path dir, String marker, String what, Predicate<String> owned) {
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
        // without the marker, only what a killed run leaves: the command's files, at least one of them a chart or a
        // temporary file (a directory of the user's own summary.md alone is not taken for an output and emptied)
        boolean killedRun = entries.stream().allMatch(e -> ownedOrTemporary(e, owned))
                && entries.stream().anyMatch(OutputDir::drawnOrTemporary);
        if (!entries.isEmpty() && !Files.isRegularFile(dir.resolve(marker)) && !killedRun) {
            throw new SpikestepException("--out " + dir + " is not empty and holds no earlier " + what + " ("
                    + marker + "); write the " + what + " into a new or empty directory");
        }
        return entries;
    }

    private static boolean drawnOrTemporary(Path entry) {
        String name = entry.getFileName().toString();
        return AtomicFiles.targetOf(name) != null || name.endsWith(".png") || name.endsWith(".svg");
    }

    /** A file the command writes, or a temporary file of one that a kill left (see {@link AtomicFiles#targetOf}). */
    private static boolean ownedOrTemporary(Path entry, Predicate<String> owned) {
        String name = entry.getFileName().toString();
        String target = AtomicFiles.targetOf(name);
        return Files.isRegularFile(entry) && (owned.test(name) || target != null && owned.test(target));
    }
}
