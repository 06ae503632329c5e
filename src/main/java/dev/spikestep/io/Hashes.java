package dev.spikestep.io;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 digests that name things (run ids, checkpoint directories, a sweep's grid). */
public final class Hashes {
    private Hashes() {
    }

    /** The first {@code hexDigits} lowercase hex digits of the SHA-256 of {@code text}'s UTF-8 bytes. */
    public static String sha256Hex(String text, int hexDigits) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, hexDigits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
