package dev.spikestep.bench;

/**
 * Bytes a fused neuron kernel moves per call, from the layouts of NeuronKernels (CPU: spikes as
 * bytes) and kernels/neuron.cu (GPU: spikes as floats, the operand of the next product), and the
 * achieved and peak bandwidth. Each neuron-step is touched once: the kernels keep the state in
 * registers and read or write every [T, M] element exactly once; the parameter block is ignored.
 */
public final class Traffic {
    /** Which fused kernel. */
    public enum Pass {
        FORWARD, BACKWARD;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private Traffic() {
    }

    /**
     * Bytes per neuron-step. Forward reads x (float) and writes h (float) and the spike; backward
     * reads grad_spike (float), h (float) and the spike and writes grad_x (float). The optional
     * v_seq / w_seq outputs (trace only) are not written by the benchmarked training path.
     */
    public static int bytesPerNeuronStep(Pass pass, int spikeBytes) {
        return switch (pass) {
            case FORWARD -> 4 + 4 + spikeBytes;
            case BACKWARD -> 4 + 4 + spikeBytes + 4;
        };
    }

    /** Bytes one call over T steps of M neurons moves. */
    public static long bytesPerCall(Pass pass, int spikeBytes, int T, long M) {
        return (long) bytesPerNeuronStep(pass, spikeBytes) * T * M;
    }

    /**
     * As {@link #bytesPerCall(Pass, int, int, long)} for a spec whose training keeps state
     * (NeuronKernels.needsState: Izhikevich rk2, rk4, K > 1): the forward also writes w (float), the
     * backward also reads x and w (floats).
     */
    public static long bytesPerCall(Pass pass, int spikeBytes, int T, long M, boolean keepsState) {
        int extra = !keepsState ? 0 : pass == Pass.FORWARD ? 4 : 8;
        return (long) (bytesPerNeuronStep(pass, spikeBytes) + extra) * T * M;
    }

    /** Achieved GB/s (1e9 bytes per second) of {@code bytes} moved in {@code seconds}. */
    public static double gbPerSecond(long bytes, double seconds) {
        return bytes / seconds / 1e9;
    }

    /**
     * Theoretical peak DRAM bandwidth in bytes/s from the device attributes: double data rate at the
     * memory clock (CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, kHz) over the bus
     * (CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, bits). NaN when the driver reports no value.
     */
    public static double peakBytesPerSecond(int memoryClockKHz, int busWidthBits) {
        if (memoryClockKHz <= 0 || busWidthBits <= 0) {
            return Double.NaN;
        }
        return 2.0 * memoryClockKHz * 1000.0 * (busWidthBits / 8.0);
    }
}
