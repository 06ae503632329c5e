package dev.spikestep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SpikestepException.reason: the words after "cannot read FILE: ". */
class SpikestepExceptionTest {
    @TempDir
    Path dir;

    @Test
    void namesTheCauseNotThePathAgain() {
        Path missing = dir.resolve("missing.yaml");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Files.readString(missing));
        assertEquals("no such file or directory", SpikestepException.reason(e));
        assertEquals("permission denied", SpikestepException.reason(new AccessDeniedException("x")));
        assertEquals("not a directory", SpikestepException.reason(new NotDirectoryException("x")));
        assertEquals("disk full", SpikestepException.reason(new FileSystemException("x", null, "disk full")));
        assertEquals("truncated", SpikestepException.reason(new IOException("truncated")));
        assertEquals("EOFException", SpikestepException.reason(new java.io.EOFException()));
    }
}
