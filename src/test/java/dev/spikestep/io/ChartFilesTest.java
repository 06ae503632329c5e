package dev.spikestep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        ChartFiles.Drawn again = ChartFiles.draw(chart, dir.resolve("c"));
        again.place();
        assertTrue(Files.readString(dir.resolve("c.svg")).contains("</svg>"));
        ChartFiles.draw(chart, dir.resolve("d")).discard();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("c.png", "c.svg"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
