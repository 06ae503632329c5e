package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code target/kernel-runner} (the kernels compiled for the CPU), building it with
 * {@code make runner} once per test JVM. Without a C++ compiler the caller is skipped, visibly;
 * a compile error fails.
 */
final class KernelRunner {
    private static Path built;

    private KernelRunner() {
    }

    static synchronized Path get() {
        if (built != null) {
            return built;
        }
        Path root = Path.of("").toAbsolutePath();
        Assumptions.assumeTrue(onPath("g++") || onPath("c++"),
                "no C++ compiler (g++) on the PATH: the host-emulated CUDA kernels are not tested here");
        Assumptions.assumeTrue(onPath("make"), "no make on the PATH: cannot build target/kernel-runner");
        try {
            Process p = new ProcessBuilder("make", "-s", "runner").directory(root.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                fail("make runner failed:\n" + out);
            }
        } catch (IOException e) {
            fail("cannot run make runner: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        }
        Path runner = root.resolve("target/kernel-runner");
        if (!Files.isExecutable(runner)) {
            fail("make runner did not produce " + runner);
        }
        built = runner;
        return runner;
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }
}
