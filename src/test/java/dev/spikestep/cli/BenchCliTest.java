package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.testutil.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikestep bench} as a user meets it: messages, exit codes, the files of a tiny run. */
class BenchCliTest extends ConsoleCapture {
    @TempDir
    Path dir;


    @BeforeEach
    void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static final String[] TINY = {"--T", "4", "--batch", "2", "--neurons", "64", "--repeats", "3", "--warmup", "1"};

    private int bench(String... args) {
        String[] all = new String[1 + TINY.length + args.length];
        all[0] = "bench";
        System.arraycopy(TINY, 0, all, 1, TINY.length);
        System.arraycopy(args, 0, all, 1 + TINY.length, args.length);
        return Main.execute(all);
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertEquals(2, bench("--model", "hh", "--what", "kernels"));
        assertTrue(err().contains("error: unknown model 'hh': expected lif or izh"), err());
        assertEquals(2, bench("--what", "everything"));
        assertTrue(err().contains("error: unknown --what everything"), err());
        assertEquals(2, bench("--model", "izh", "--integrator", "exp", "--what", "kernels"));
        assertTrue(err().contains("error: --integrator exp does not apply to izh (izh: euler, symplectic, rk2, rk4)"), err());
        assertEquals(2, bench("--integrator", "rk5", "--what", "kernels"));
        assertTrue(err().contains("error: unknown integrator 'rk5'"), err());
        assertEquals(2, bench("--substeps", "1,0", "--what", "kernels"));
        assertTrue(err().contains("error: substeps must be an integer in [1, 64], got 0"), err());
        assertEquals(2, bench("--profile", "--what", "kernels"));
        assertTrue(err().contains("error: --profile marks CUDA profiler ranges for nsys/ncu: it needs --backend cuda"), err());
        assertEquals(2, bench("--what", "step", "--data", dir.toString()));
        assertTrue(err().contains("error: "), err());
    }

    @Test
    void tinyKernelRunWritesTableRowsChartAndSummary() throws Exception {
        assertEquals(0, bench("--what", "kernels", "--integrator", "euler,exp", "--threads", "1", "--out", dir.toString()),
                err());
        String o = out();
        // lif: euler, exp; izh: euler only (exp is lif's).
        for (String name : List.of("lif/euler", "lif/exp", "izh/euler")) {
            assertTrue(o.contains(name + " "), o);
        }
        assertTrue(!o.contains("izh/symplectic"), o);
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(1 + 3 * 2, csv.size());
        assertTrue(csv.stream().skip(1).allMatch(l -> l.startsWith("kernel,cpu,")), csv.toString());
        assertEquals(6, Files.readAllLines(dir.resolve("bench.jsonl")).size());
        assertTrue(Files.size(dir.resolve("kernels.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("| lif/exp | forward |"));
    }
}
