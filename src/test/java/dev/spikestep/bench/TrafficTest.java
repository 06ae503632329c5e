package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.bench.Traffic.Pass;
import org.junit.jupiter.api.Test;

class TrafficTest {
    @Test
    void bytesPerNeuronStepFollowTheLayouts() {
        // CPU: x, h float + byte spike; backward adds grad_spike in and grad_x out.
        assertEquals(9, Traffic.bytesPerNeuronStep(Pass.FORWARD, KernelBench.CPU_SPIKE_BYTES));
        assertEquals(13, Traffic.bytesPerNeuronStep(Pass.BACKWARD, KernelBench.CPU_SPIKE_BYTES));
        // GPU: float spikes.
        assertEquals(12, Traffic.bytesPerNeuronStep(Pass.FORWARD, KernelBench.GPU_SPIKE_BYTES));
        assertEquals(16, Traffic.bytesPerNeuronStep(Pass.BACKWARD, KernelBench.GPU_SPIKE_BYTES));
        // The training shape: T 50 x B 128 x N 256 on the GPU, forward = 12 * 1,638,400 bytes.
        assertEquals(19_660_800L, Traffic.bytesPerCall(Pass.FORWARD, 4, 50, 128 * 256));
        // SPEC 9's izh stage training also writes w (forward) and reads x and w (backward)
        assertEquals(16L * 50 * 10, Traffic.bytesPerCall(Pass.FORWARD, 4, 50, 10, true));
        assertEquals(24L * 50 * 10, Traffic.bytesPerCall(Pass.BACKWARD, 4, 50, 10, true));
        assertEquals(12L * 50 * 10, Traffic.bytesPerCall(Pass.FORWARD, 4, 50, 10, false));
    }

    @Test
    void bytesPerCallDoesNotOverflowInt() {
        assertEquals(16L * 2000 * 1_000_000, Traffic.bytesPerCall(Pass.BACKWARD, 4, 2000, 1_000_000));
    }

    @Test
    void gbPerSecondIsDecimal() {
        assertEquals(2.0, Traffic.gbPerSecond(1_000_000_000L, 0.5), 1e-12);
        assertEquals(19.6608, Traffic.gbPerSecond(19_660_800L, 1e-3), 1e-9);
    }

    @Test
    void peakBandwidthFromTheDeviceAttributes() {
        // An H100 SXM reports a 2,619,000 kHz memory clock on a 5120-bit bus: 3.35 TB/s.
        assertEquals(2.0 * 2_619_000e3 * 640, Traffic.peakBytesPerSecond(2_619_000, 5120), 1);
        assertEquals(3352.32, Traffic.peakBytesPerSecond(2_619_000, 5120) / 1e9, 1e-6);
        // A driver that reports no clock gives no peak rather than zero.
        assertTrue(Double.isNaN(Traffic.peakBytesPerSecond(0, 5120)));
        assertTrue(Double.isNaN(Traffic.peakBytesPerSecond(2_619_000, 0)));
    }
}
