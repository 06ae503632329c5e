package dev.spikestep;

import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An error the user can act on (bad input file, bad option value, missing GPU). The CLI prints its
 * message alone, without a stack trace; anything else that escapes is a bug and is printed in full.
 */
public class SpikestepException extends RuntimeException {
    public SpikestepException(String message) {
        super(message);
    }

    public SpikestepException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Why an I/O operation failed, in words, for messages such as {@code "cannot read " + file +
     * ": " + reason(e)}: java.nio's exceptions for a missing or unreadable file carry only the path
     * as their message ("cannot read x.yaml: x.yaml").
     */
    public static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) { // what Files.createDirectories throws for a file in its way
            return (f.getFile() != null ? f.getFile() : "a part of the path") + " is a file, not a directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "the directory is not empty";
        }
        if (e instanceof java.io.EOFException && e.getMessage() == null) { // GZIPInputStream's truncated header
            return "the data ends early";
        }
        if (e instanceof CharacterCodingException) { // Files.readString and readAllLines decode UTF-8 strictly
            return "not UTF-8 text (a binary file?)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
