package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Backends;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --device K}: the one GPU a single-run command uses (train, eval, rstdp, bench, selftest). */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "K",
            description = "With --backend cuda: the GPU to run on, as CUDA numbers them after CUDA_VISIBLE_DEVICES "
                    + "(default: 0; 'spikestep info' lists them).")
    Integer device;

    /**
     * Runs the command's work with its CUDA networks on GPU K ({@link Backends#onDevice}); an error,
     * before any work, for a GPU that does not exist or one named for another backend.
     */
    <T> T run(String backend, Supplier<T> work) {
        if (device == null) {
            return work.get();
        }
        check(backend);
        return Backends.onDevice(device, work);
    }

    /** Refuses a --device that {@code backend} (resolved: auto is cpu or cuda here) cannot use; before any work. */
    void check(String backend) {
        if (device == null) {
            return;
        }
        if (!backend.equals(Backends.CUDA)) {
            throw new SpikestepException("--device " + device + " picks a GPU: it needs --backend cuda (got " + backend + ")");
        }
        int n = Backends.cudaDeviceCount();
        if (device < 0 || device >= n) {
            throw new SpikestepException("--device " + device + " does not exist: " + Backends.visibleGpus(n)
                    + "; see spikestep info");
        }
    }
}
