package dev.spikestep;

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
}
