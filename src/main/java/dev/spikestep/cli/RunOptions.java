package dev.spikestep.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a run reads its data, writes its results and computes: shared by {@code train}, {@code rstdp}
 * and {@code eval} (which dataset is {@link DatasetOption}'s in the first two; eval's defaults to the
 * checkpoint's).
 */
public final class RunOptions {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory (default: ${DEFAULT-VALUE}); a torchvision root with MNIST/raw works too.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results",
            description = "Where results are appended (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--backend", paramLabel = "cpu|cuda|auto", defaultValue = "cpu",
            description = "Compute backend: cpu, cuda (a GPU, else an error) or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    /** {@code --threads}, with 0 meaning every core; refused with an explicit --backend cuda. */
    int threadCount() {
        return dev.spikestep.net.Backends.threadCount(backend, threads);
    }
}
