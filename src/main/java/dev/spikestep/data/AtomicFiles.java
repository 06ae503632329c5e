package dev.spikestep.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files under a temporary {@code .part} name and renames them into place only when
 * complete, so an interrupted download or conversion never leaves a half-written file under the
 * name that {@link DatasetLocator} looks for.
 */
final class AtomicFiles {
    /** Produces the content of a file; throwing aborts the write and leaves the target untouched. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    static Path partName(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    static void write(Path target, Content content) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path part = partName(target);
        boolean done = false;
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                content.writeTo(out);
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                deleteQuietly(part);
            }
        }
    }

    static void copy(Path source, Path target) throws IOException {
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
