package dev.spikestep.io;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A chart as {@code stem.png} (110 dpi) and {@code stem.svg}, each written whole: drawn under a
 * temporary name beside it and renamed into place, so that a run killed while drawing leaves no
 * half image (the encoders write straight to the file they are given). The temporary names match
 * {@link AtomicFiles#removeOrphans}, which clears what a kill left.
 */
public final class ChartFiles {
    private ChartFiles() {
    }

    public static List<Path> save(Chart<?, ?> chart, Path stem) {
        Drawn d = draw(chart, stem);
        d.place();
        return d.files();
    }

    /**
     * A chart drawn under temporary names, not yet in place: a caller that replaces several files
     * as one set (bench's charts and summary.md) draws them all first, the slow part, and then
     * places them one right after another.
     */
    public record Drawn(Path tmpPng, Path tmpSvg, Path png, Path svg) {
        public List<Path> files() {
            return List.of(png, svg);
        }

        public void place() {
            try {
                AtomicFiles.placeInFlight(tmpPng, png);
                AtomicFiles.placeInFlight(tmpSvg, svg);
            } catch (IOException e) {
                discard();
                throw new SpikestepException("cannot write chart " + png + ": " + SpikestepException.reason(e), e);
            }
        }

        /** Removes what {@link #place} did not move. */
        public void discard() {
            AtomicFiles.dropInFlight(tmpPng);
            AtomicFiles.dropInFlight(tmpSvg);
        }
    }

    public static Drawn draw(Chart<?, ?> chart, Path stem) {
        String tmp = stem + "." + Long.toHexString(System.nanoTime() & 0xffffffffffL) + ".tmp";
        Drawn d = new Drawn(Path.of(tmp + ".png"), Path.of(tmp + ".svg"), Path.of(stem + ".png"), Path.of(stem + ".svg"));
        // the shutdown hook deletes them with the part files: a Ctrl-C while drawing leaves none behind
        try {
            AtomicFiles.inFlight(d.tmpPng());
            AtomicFiles.inFlight(d.tmpSvg());
            BitmapEncoder.saveBitmapWithDPI(chart, tmp + ".png", BitmapEncoder.BitmapFormat.PNG, 110);
            VectorGraphicsEncoder.saveVectorGraphic(chart, tmp + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            d.discard();
            throw new SpikestepException("cannot write chart " + stem + ": " + SpikestepException.reason(e), e);
        }
        return d;
    }
}
