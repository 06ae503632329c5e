package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void anEarlierReportIsReplacedWholeAndAnyOtherDirectoryIsRefused() throws Exception {
        Path d = dir.resolve("one");
        run(d, "lif/exp", 5.0, 0, 97, 0.4, 0);
        Path out = d.resolve("r");
        new Report(d, out).write();
        Files.writeString(out.resolve("transfer.csv"), "stale"); // another sweep's report was here before
        new Report(d, out).write();
        assertTrue(!Files.exists(out.resolve("transfer.csv")) && Files.exists(out.resolve("report.html")));
        Path other = dir.resolve("notes");
        Files.createDirectories(other);
        Files.writeString(other.resolve("summary.md"), "my notes");
        SpikestepException e = assertThrows(SpikestepException.class, () -> new Report(d, other).write());
        assertTrue(e.getMessage().contains("is not empty and holds no earlier report (report.html)"), e.getMessage());
        assertEquals("my notes", Files.readString(other.resolve("summary.md")));
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
