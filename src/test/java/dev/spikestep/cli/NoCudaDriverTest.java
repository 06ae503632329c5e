package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Backends;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.testutil.ConsoleCapture;
import dev.spikestep.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --backend cuda} where no driver is installed: an error that says why, exit code 2, nothing
 * run on the CPU instead. Tagged no-driver: {@code make test} runs these in a surefire execution of
 * their own without LD_LIBRARY_PATH (so without the emulated driver the other tests use); on a
 * machine with a GPU they skip.
 */
@Tag("no-driver")
class NoCudaDriverTest extends ConsoleCapture {
    @TempDir
    Path dir;

    String why;

    @BeforeEach
    void noDriver() {
        why = Backends.cudaUnavailableReason();
        assumeTrue(why != null, "a CUDA driver is usable here: the no-driver errors cannot be shown");
    }

    @Test
    void theReasonNamesTheMissingDriver() {
        assertTrue(why.contains("libcuda.so.1"), why);
    }

    @Test
    void everyCommandRefusesCudaWithTheReason() {
        String d = dir.toString();
        for (String[] args : new String[][] {{"train", "--backend", "cuda", "--data", d},
                {"rstdp", "--backend", "cuda", "--data", d},
                {"bench", "--backend", "cuda", "--what", "kernels", "--out", d},
                {"selftest", "--backend", "cuda"}}) {
            clearConsole();
            assertEquals(2, Main.execute(args), String.join(" ", args));
            assertTrue(err().contains("error: --backend cuda is not available: " + why), err());
            assertTrue(err().contains("(use --backend cpu, or auto to pick)") || args[0].equals("selftest"), err());
            assertFalse(err().contains("\tat "), "no stack trace: " + err());
        }
        assertFalse(Files.exists(dir.resolve("bench.csv")), "nothing was timed");
    }

    @Test
    void selftestNeedsAGpuToCompareWithTheCpu() {
        assertEquals(2, Main.execute("selftest", "--backend", "auto"));
        assertTrue(err().contains("error: --backend auto found no usable GPU: " + why + " (selftest compares a GPU with "
                + "the CPU backend, so it needs one)"), err());
        assertEquals(2, Main.execute("selftest", "--backend", "cpu"));
        assertTrue(err().contains("error: selftest compares the CUDA backend with the CPU backend: --backend cpu would "
                + "compare the CPU with itself"), err());
        assertFalse(out().contains("checks"), "nothing was compared: " + out());
    }

    @Test
    void autoSaysItPickedTheCpu() {
        assertEquals(2, Main.execute("rstdp", "--backend", "auto", "--dataset", "mnist", "--data", dir.toString()));
        assertTrue(err().contains("backend auto: cpu (" + why + ")"), err());
    }

    @Test
    void configsRefuseCuda() {
        LifSpec lif = LifSpec.notebook(Integrator.EXP, 1.0);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new TrainConfig(lif, 5, 1, 0, Readout.MAX,
                32, 1e-3, PoissonEncoder.Method.EXACT, 8, "mnist", "d", "o", "cuda", 1, 0, 0));
        assertTrue(e.getMessage().contains("--backend cuda is not available"), e.getMessage());
        e = assertThrows(SpikestepException.class, () -> new RstdpConfig(Integrator.EULER, 0.1, 10, 1, 0, 0.05,
                Reward.PM1, 1, 0.95, 0, 0, 16, 16, 8, 5, "mnist", "d", "o", "cuda", 1));
        assertTrue(e.getMessage().contains("--backend cuda is not available"), e.getMessage());
    }
}
