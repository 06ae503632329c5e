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
    void namesTheCauseNotThePathAgain() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Files.readString(missing));
        assertEquals("no such file or directory", SpikestepException.reason(e));
        Path binary = dir.resolve("binary.csv");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        IOException b = assertThrows(IOException.class, () -> Files.readString(binary));
        assertEquals("not UTF-8 text (a binary file?)", SpikestepException.reason(b));
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        IOException inTheWay = assertThrows(IOException.class, () -> Files.createDirectories(file));
        assertEquals(file + " is a file, not a directory", SpikestepException.reason(inTheWay));
        assertEquals("permission denied", SpikestepException.reason(new AccessDeniedException("x")));
        assertEquals("not a directory", SpikestepException.reason(new NotDirectoryException("x")));
        assertEquals("disk full", SpikestepException.reason(new FileSystemException("x", null, "disk full")));
        assertEquals("truncated", SpikestepException.reason(new IOException("truncated")));
        assertEquals("the data ends early", SpikestepException.reason(new java.io.EOFException()));
    }
}
