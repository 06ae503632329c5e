package dev.spikestep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartFilesTest {
    @TempDir
    Path dir;

    private static XYChart chart() {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChart(320, 200);
        chart.addSeries("a", new double[] {1, 2, 3}, new double[] {1, 4, 9});
        return chart;
    }

    @Test
    void aChartIsWrittenWholeUnderItsNamesWithNoTemporaryFileLeft() throws Exception {
        XYChart chart = chart();
        Files.writeString(dir.resolve("c.png"), "an older, shorter chart");
        List<Path> written = ChartFiles.save(chart, dir.resolve("c"));
        assertEquals(List.of(dir.resolve("c.png"), dir.resolve("c.svg")), written);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("c.png", "c.svg"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        byte[] png = Files.readAllBytes(dir.resolve("c.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertArrayEquals(new byte[] {'I', 'E', 'N', 'D'}, Arrays.copyOfRange(png, png.length - 8, png.length - 4),
                "the PNG ends with its IEND chunk");
        assertTrue(Files.readString(dir.resolve("c.svg")).contains("</svg>"));
    }

    @Test
    void aDrawnChartLeavesTheOldFilesUntilPlacedAndDiscardLeavesNothing() throws Exception {
        XYChart chart = chart();
        Files.writeString(dir.resolve("c.png"), "the last run's chart");
        ChartFiles.Drawn d = ChartFiles.draw(chart, dir.resolve("c"));
        assertEquals("the last run's chart", Files.readString(dir.resolve("c.png")), "not replaced before place()");
        assertTrue(Files.size(d.tmpPng()) > 0 && Files.size(d.tmpSvg()) > 0);
        assertEquals(2, AtomicFiles.removeOrphans(dir), "a kill here leaves temporaries the next run clears");
        d.discard(); // (the next run's process would not know them)
        ChartFiles.Drawn again = ChartFiles.draw(chart, dir.resolve("c"));
        again.place();
        assertTrue(Files.readString(dir.resolve("c.svg")).contains("</svg>"));
        ChartFiles.draw(chart, dir.resolve("d")).discard();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("c.png", "c.svg"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Ctrl-C or SIGTERM while a chart is drawn: the shutdown hook deletes its temporaries, and it is never placed. */
    @Test
    void aStopWhileDrawingDeletesTheTemporariesAndTheChartIsNeverPlaced() throws Exception {
        Files.writeString(dir.resolve("c.png"), "the last run's chart");
        ChartFiles.Drawn d = ChartFiles.draw(chart(), dir.resolve("c"));
        assertTrue(AtomicFiles.abandonInFlight() >= 2); // what the shutdown hook calls
        assertFalse(Files.exists(d.tmpPng()) || Files.exists(d.tmpSvg()));
        SpikestepException e = assertThrows(SpikestepException.class, d::place);
        assertTrue(e.getMessage().contains("the process is stopping"), e.getMessage());
        assertEquals("the last run's chart", Files.readString(dir.resolve("c.png")));
    }
}
