package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A chart as {@code stem.png} (110 dpi) and {@code stem.svg}, each written whole: drawn under a
 * temporary name beside it and renamed into place, so that a run killed while drawing leaves no
 * half image (the encoders write straight to the file they are given).
 */
public final class ChartFiles {
    private ChartFiles() {
    }

    public static List<Path> save(Chart<?, ?> chart, Path stem) {
        Path png = Path.of(stem + ".png");
        Path svg = Path.of(stem + ".svg");
        String tmp = stem + "." + Long.toHexString(System.nanoTime() & 0xffffffffffL) + ".tmp";
        try {
            BitmapEncoder.saveBitmapWithDPI(chart, tmp + ".png", BitmapEncoder.BitmapFormat.PNG, 110);
            move(Path.of(tmp + ".png"), png);
            VectorGraphicsEncoder.saveVectorGraphic(chart, tmp + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            move(Path.of(tmp + ".svg"), svg);
        } catch (IOException e) {
            deleteQuietly(Path.of(tmp + ".png"));
            deleteQuietly(Path.of(tmp + ".svg"));
            throw new SpikestepException("cannot write chart " + stem + ": " + SpikestepException.reason(e), e);
        }
        return List.of(png, svg);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // reporting the write's failure
        }
    }
}
