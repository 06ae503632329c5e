package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An input past the JVM's heap ends with one error line that says what to change, not a stack trace. */
class OutOfMemoryTest {
    @TempDir
    Path dir;

    @Test
    void aTraceInputPastTheHeapIsOneErrorLine() throws Exception {
        Path x = dir.resolve("big.csv");
        String row = String.join(",", java.util.Collections.nCopies(2000, "0.5")) + "\n";
        Files.writeString(x, row.repeat(2000)); // 4 M values, 8 MB: its lines alone overflow a 32 MiB heap
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "trace", "--neuron", "lif",
                "--input", x.toString(), "--output", dir.resolve("o.csv").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = Files.readString(log);
        assertEquals(1, p.exitValue(), text);
        assertTrue(text.contains("error: out of memory: this run needs more than the JVM's ")
                && text.contains(" MiB of heap; use smaller inputs or sizes, or raise the heap"), text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        assertFalse(Files.exists(dir.resolve("o.csv")));
    }

    @Test
    void aSweepRunPastTheHeapIsOneErrorLineThatNamesIt() throws Exception {
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 32, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 16, 2);
        Path cfg = dir.resolve("oom.yaml");
        // 784 x 65536 weights are 200 MiB: past a 40 MiB heap as the network is built
        Files.writeString(cfg, "name: oom\nexperiment: train\nbase: {dataset: mnist-sample, eval_batches: 1, T: 20, "
                + "epochs: 1, train_samples: 16, batch: 16, hidden: 65536}\naxes:\n  seed: [0]\n");
        Path log = dir.resolve("sweep.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx40m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "sweep", cfg.toString(), "--data", data.toString(), "--out",
                dir.resolve("sw").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String text = Files.readString(log);
        assertEquals(1, p.exitValue(), text);
        assertTrue(text.contains("error: run #0 ") && text.contains(" failed: out of memory: this run needs more than "
                + "the JVM's ") && text.contains(" MiB of heap; use smaller inputs or sizes, or raise the heap"), text);
        assertFalse(text.contains("\tat ") || text.contains("Exception"), "no stack trace: " + text);
    }
}
