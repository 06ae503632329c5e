package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.AtomicFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX image and label files, the format {@link IdxReader} reads, so that converted
 * datasets (mnist-sample) and test fixtures look exactly like the official downloads. Files are
 * written under a temporary name and renamed when complete.
 */
public final class IdxWriter {
    private IdxWriter() {}

    /** Writes {@code images} to {@code file}, gzip-compressed when {@code gzip} is set. */
    public static void writeImages(Path file, IdxImages images, boolean gzip) {
        write(file, gzip, out -> {
            out.writeInt(IdxReader.IMAGES_MAGIC);
            out.writeInt(images.count());
            out.writeInt(images.rows());
            out.writeInt(images.cols());
            out.write(images.data());
        });
    }

    /** Writes one uint8 label per sample to {@code file}, gzip-compressed when {@code gzip} is set. */
    public static void writeLabels(Path file, byte[] labels, boolean gzip) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("an IDX label file needs at least one label");
        }
        write(file, gzip, out -> {
            out.writeInt(IdxReader.LABELS_MAGIC);
            out.writeInt(labels.length);
            out.write(labels);
        });
    }

    private interface Body {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static void write(Path file, boolean gzip, Body body) {
        try {
            AtomicFiles.write(file, sink -> {
                OutputStream target = gzip ? new GZIPOutputStream(sink, 1 << 16) : sink;
                DataOutputStream out = new DataOutputStream(target);
                body.writeTo(out);
                out.flush();
                if (target instanceof GZIPOutputStream z) {
                    z.finish();
                }
            });
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + file + ": " + SpikestepException.reason(e), e);
        }
    }
}
