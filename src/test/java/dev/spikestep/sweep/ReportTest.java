package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private void run(Path d, String pair, double dt, int seed, double acc, double rate, long nonfinite) {
        String[] mi = pair.split("/");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run_id", pair.replace("/", "") + dt + "s" + seed);
        r.put("index", (int) (dt * 100) + seed);
        r.put("attempt", 1);
        r.put("sweep", "rep");
        r.put("experiment", "train");
        r.put("model", mi[0]);
        r.put("integrator", mi[1]);
        r.put("dt", dt);
        r.put("T", 50);
        r.put("seed", seed);
        r.put("readout", "max");
        r.put("final_acc", acc);
        r.put("final_mean_spike_rate", rate);
        r.put("final_silent_frac", 1 - rate);
        r.put("final_nonfinite", nonfinite);
        r.put("seconds_per_epoch", 2.5);
        ResultsWriter.appendJsonLine(d.resolve("runs.jsonl"), r);
    }

    @Test
    void writesChartsHtmlAndSummaries() throws Exception {
        Path d = dir.resolve("sweep");
        for (int seed = 0; seed < 3; seed++) {
            run(d, "lif/exp", 0.5, seed, 90 + seed, 0.2, 0);
            run(d, "lif/exp", 5.0, seed, 96 + seed, 0.4, 0);
            run(d, "izh/euler", 0.5, seed, 80 + 2 * seed, 0.3, 0);
            run(d, "izh/euler", 5.0, seed, 9.8, 0.0, 1000);
        }
        Path html = new Report(d, dir.resolve("report")).write();
        for (String stem : List.of("accuracy", "spike_rate", "silent_frac", "seconds_per_epoch")) {
            BufferedImage img = ImageIO.read(dir.resolve("report").resolve(stem + ".png").toFile());
            assertTrue(img.getWidth() >= 900 && img.getHeight() >= 500, stem);
            assertTrue(Files.readString(dir.resolve("report").resolve(stem + ".svg")).contains("<svg"), stem);
        }
        String h = Files.readString(html);
        assertEquals(4, h.split("src=\"data:image/png;base64,").length - 1, "four embedded charts");
        assertTrue(h.contains("izheuler5.0s2"), "diverged runs are listed by run id");
        assertTrue(h.contains("12 finished runs") && h.contains("3 diverged"), h.substring(0, 600));

        List<String> csv = Files.readAllLines(dir.resolve("report").resolve("summary.csv"));
        assertEquals("model,integrator,dt,T,readout,n_seeds,acc_mean,acc_std,acc_min,acc_max,spike_rate_mean,"
                + "silent_frac_mean,diverged,seconds_per_epoch_mean", csv.get(0));
        assertEquals(5, csv.size());
        // lif/exp at dt 0.5: accuracies 90, 91, 92 -> mean 91, sample std 1.
        assertTrue(csv.contains("lif,exp,0.5,50,max,3,91,1,90,92,0.2,0.8,0,2.5"), String.join("\n", csv));
        assertTrue(csv.contains("izh,euler,5,50,max,3,9.8,0,9.8,9.8,0,1,3,2.5"), String.join("\n", csv));
        String md = Files.readString(dir.resolve("report").resolve("summary.md"));
        assertTrue(md.contains("| lif/exp | 91.0 (90.0-92.0) | 97.0 (96.0-98.0) |"), md);
        assertTrue(md.contains("| izh/euler | 82.0 (80.0-84.0) | 9.8 (9.8-9.8) diverged 3/3 |"), md);
    }

    @Test
    void rowsThatCountNoNonFiniteStatesAreNotReportedAsNeverDiverging() throws Exception {
        Path d = dir.resolve("rs");
        for (int seed = 0; seed < 2; seed++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("run_id", "rs" + seed);
            r.put("index", seed);
            r.put("attempt", 1);
            r.put("experiment", "rstdp");
            r.put("integrator", "euler");
            r.put("dt", 0.1);
            r.put("T", 10);
            r.put("seed", seed);
            r.put("final_acc", 20.0 + seed);
            ResultsWriter.appendJsonLine(d.resolve("runs.jsonl"), r);
        }
        Path html = new Report(d, d.resolve("r")).write();
        assertTrue(Files.readString(html).contains("divergence not recorded") && !Files.readString(html).contains(
                "None: every run's states stayed finite"), Files.readString(html));
        assertTrue(Files.readString(d.resolve("r").resolve("summary.md")).contains("Not recorded: these rows count no "
                + "non-finite states."));
        List<String> csv = Files.readAllLines(d.resolve("r").resolve("summary.csv"));
        int col = List.of(csv.get(0).split(",")).indexOf("diverged");
        assertEquals("", csv.get(1).split(",", -1)[col], "blank, not 0: " + csv);
    }

    /** A report of one run in {@code d}, written into {@code d/r}, which it returns. */
    private Path oneRunReport(Path d) {
        run(d, "lif/exp", 5.0, 0, 97, 0.4, 0);
        Path out = d.resolve("r");
        new Report(d, out).write();
        return out;
    }

    @Test
    void anEarlierReportIsReplacedWholeAndAnyOtherDirectoryIsRefused() throws Exception {
        Path d = dir.resolve("one");
        Path out = oneRunReport(d);
        Files.writeString(out.resolve("transfer.csv"), "stale"); // another sweep's report was here before
        new Report(d, out).write();
        assertTrue(!Files.exists(out.resolve("transfer.csv")) && Files.exists(out.resolve("report.html")));
        Path other = dir.resolve("notes");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.md"), "my notes");
        Files.writeString(other.resolve("summary.md"), "my summary");
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(d, other).write());
        assertTrue(e.getMessage().contains("is not empty and holds no earlier report (report.html)"), e.getMessage());
        assertEquals("my notes", Files.readString(other.resolve("notes.md")));
        assertEquals("my summary", Files.readString(other.resolve("summary.md")));
        // a summary.md of one's own, by a report's name but with no chart or temporary file beside it: kept too
        Files.delete(other.resolve("notes.md"));
        e = assertThrows(SpikestepException.class, () -> new Report(d, other).write());
        assertTrue(e.getMessage().contains("holds no earlier report (report.html)"), e.getMessage());
        assertEquals("my summary", Files.readString(other.resolve("summary.md")));
    }

    @Test
    void aReportStoppedOnItsWayIsStillAReportToTheNext() throws Exception {
        Path d = dir.resolve("one");
        Path out = oneRunReport(d);
        // stopped after its charts, before its tables (a directory where summary.md goes makes the write fail there)
        Files.delete(out.resolve("summary.md"));
        Files.createDirectories(out.resolve("summary.md"));
        String msg = assertThrows(SpikestepException.class, () -> new Report(d, out).write()).getMessage();
        assertTrue(msg.contains(out.resolve("summary.md").toString()), msg);
        String standIn = Files.readString(out.resolve("report.html"));
        assertTrue(standIn.contains("This report is being written, or its run was stopped before it finished"), standIn);
        assertTrue(Files.exists(out.resolve("accuracy.png")), "the charts came before the failure");
        // and what a kill while drawing leaves, temporary files of its own names, goes with the rest
        Files.delete(out.resolve("summary.md"));
        Files.writeString(out.resolve("spike_rate.1a2b3c4d.tmp.png"), "half a png");
        Files.writeString(out.resolve("summary.md.5e6f.part"), "half a table");
        new Report(d, out).write();
        assertTrue(Files.exists(out.resolve("summary.md")));
        assertFalse(Files.readString(out.resolve("report.html")).contains("being written"));
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.toString().contains(".tmp.") || p.toString().endsWith(".part")),
                    "temporary files removed");
        }
        // without report.html a directory is no report's, however its files are named: a chart of one's own is kept
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("accuracy.png"), "my plot");
        Files.writeString(mine.resolve("accuracy.1a2b3c4d.tmp.png"), "x");
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(d, mine).write());
        assertTrue(e.getMessage().contains("holds no earlier report (report.html)"), e.getMessage());
        assertEquals("my plot", Files.readString(mine.resolve("accuracy.png")));
    }

    @Test
    void learningCurveSeedRangesAreDrawnInTheirCurvesColour() throws Exception {
        Path d = dir.resolve("curves");
        for (String pair : List.of("lif/exp", "izh/euler")) {
            for (int seed = 0; seed < 2; seed++) {
                run(d, pair, 5.0, seed, 90 + seed, 0.2, 0);
                for (int epoch = 0; epoch < 2; epoch++) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("run_id", pair.replace("/", "") + 5.0 + "s" + seed);
                    e.put("index", 500 + seed);
                    e.put("attempt", 1);
                    e.put("epoch", epoch);
                    e.put("test_acc", 50.0 + 10 * epoch + seed);
                    ResultsWriter.appendJsonLine(d.resolve("epochs.jsonl"), e);
                }
            }
        }
        org.knowm.xchart.XYChart c = new Report(d, d.resolve("r")).curves("t", "y", "test_acc");
        int ranges = 0;
        for (var s : c.getSeriesMap().entrySet()) {
            if (s.getKey().endsWith(" (seed range)")) {
                String curve = s.getKey().replace(" (seed range)", "");
                assertEquals(c.getSeriesMap().get(curve).getLineColor(), s.getValue().getLineColor(), s.getKey());
                ranges++;
            }
        }
        assertEquals(2, ranges, c.getSeriesMap().keySet().toString());
    }

    @Test
    void rowsThatAreNoFinishedRunOfTheGridAreCountedUnreadable() throws Exception {
        Path d = dir.resolve("bad");
        run(d, "lif/exp", 0.05, 0, 97, 0.4, 0); // index 5
        run(d, "lif/exp", 0.05, 1, 96, 0.4, 0);
        Files.writeString(d.resolve("sweep.json"), "{\"name\":\"rep\",\"experiment\":\"train\",\"grid_points\":8}\n");
        for (String line : List.of("{\"run_id\":5,\"index\":1}", "{\"run_id\":\"a\",\"index\":\"1\"}",
                "{\"run_id\":\"zz\",\"index\":3,\"model\":\"lif\",\"integrator\":\"exp\",\"experiment\":\"train\"}",
                "{\"run_id\":\"out\",\"index\":99,\"experiment\":\"train\",\"dt\":1,\"final_acc\":50}")) {
            ResultsWriter.appendText(d.resolve("runs.jsonl"), line + "\n");
        }
        ResultsWriter.appendText(d.resolve("epochs.jsonl"), "{\"run_id\":[1],\"index\":5,\"epoch\":0}\n");
        Report report = new Report(d, d.resolve("r"));
        assertEquals(5, report.skippedLines());
        report.write();
        String md = Files.readString(d.resolve("r").resolve("summary.md"));
        assertTrue(md.contains("2 finished runs of 8 grid points") && !md.contains("dt NaN") && !md.contains("="), md);
        // merge and --resume read the directory the same way
        assertEquals(java.util.Set.of("lifexp0.05s0", "lifexp0.05s1"), SweepResults.load(d).finishedIds());
    }

    @Test
    void aTrainOutputDirectoryIsSaidToBeNoSweep() throws Exception {
        Path t = dir.resolve("train");
        ResultsWriter.appendText(t.resolve("epochs.jsonl"), "{\"run_id\":\"lif-exp\",\"epoch\":0,\"test_acc\":10}\n");
        Files.writeString(t.resolve("results.csv"), "model,integrator\nlif,exp\n");
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(t, t.resolve("r")));
        assertEquals(t + " holds epochs.jsonl but no sweep.json: it is not a sweep's directory (a spikestep train "
                + "run's?); report the directory of a 'spikestep sweep' or 'spikestep merge'", e.getMessage());
    }

    @Test
    void aSingleDtGetsOneBarPerGroup() throws Exception {
        Path d = dir.resolve("one");
        run(d, "lif/exp", 5.0, 0, 97, 0.4, 0);
        run(d, "izh/euler", 5.0, 0, 9.8, 0, 10);
        new Report(d, d.resolve("r")).write();
        assertTrue(ImageIO.read(d.resolve("r").resolve("accuracy.png").toFile()).getWidth() >= 900);
        assertTrue(Files.readString(d.resolve("r").resolve("summary.md")).contains("| izh/euler | 9.8 diverged |"));
    }

    @Test
    void aDirectoryWithoutRunsIsAClearError() {
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(dir, dir.resolve("r")));
        assertTrue(e.getMessage().contains("no finished runs (no runs.jsonl rows)"), e.getMessage());
        // a runs.jsonl whose every line is unreadable: said, not taken for an empty sweep
        Path torn = dir.resolve("torn");
        ResultsWriter.appendText(torn.resolve("runs.jsonl"), "{\"run_id\": \"a\", \"acc\n");
        e = assertThrows(SpikestepException.class, () -> new Report(torn, torn.resolve("r")));
        assertTrue(e.getMessage().contains("(no runs.jsonl rows; 1 line(s) of its JSONL files could not be read)"),
                e.getMessage());
    }

    @Test
    void aMistypedDirectoryIsSaidToBeMissingNotEmpty() throws Exception {
        Path missing = dir.resolve("reslts");
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(missing, missing.resolve("r")));
        assertEquals(missing + ": no such directory", e.getMessage());
        assertTrue(!Files.exists(missing), "nothing created for a missing input");
        Path file = dir.resolve("runs.jsonl");
        Files.writeString(file, "");
        e = assertThrows(SpikestepException.class, () -> new Report(file, dir.resolve("r")));
        assertEquals(file + " is a file, not a sweep directory", e.getMessage());
    }
}
