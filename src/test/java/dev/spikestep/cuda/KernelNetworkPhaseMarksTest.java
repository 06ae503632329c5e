package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.PhaseTimes.Phase;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rng.PoissonEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where KernelNetwork marks the end of each phase of a training step: the GPU benchmark records a
 * CUDA event at every mark, so each launch must fall in the phase it belongs to. Checked on the
 * emulated kernels, with a device that logs launches and marks in order.
 */
class KernelNetworkPhaseMarksTest {
    /** Passes everything to the host device and logs "launch:NAME" and "mark:PHASE". */
    static final class LoggingDevice implements Device {
        final Device d;
        final List<String> log = new ArrayList<>();

        LoggingDevice(Device d) {
            this.d = d;
        }

        @Override
        public DeviceBuffer alloc(long bytes) {
            return d.alloc(bytes);
        }

        @Override
        public void free(DeviceBuffer buffer) {
            d.free(buffer);
        }

        @Override
        public ByteBuffer hostBuffer(int bytes) {
            return d.hostBuffer(bytes);
        }

        @Override
        public void upload(DeviceBuffer dst, ByteBuffer src, int bytes) {
            d.upload(dst, src, bytes);
        }

        @Override
        public void upload(DeviceBuffer dst, float[] src, int n) {
            d.upload(dst, src, n);
        }

        @Override
        public void upload(DeviceBuffer dst, byte[] src, int n) {
            d.upload(dst, src, n);
        }

        @Override
        public void upload(DeviceBuffer dst, int[] src, int n) {
            d.upload(dst, src, n);
        }

        @Override
        public void download(DeviceBuffer src, ByteBuffer dst, int bytes) {
            d.download(src, dst, bytes);
        }

        @Override
        public void download(DeviceBuffer src, float[] dst, int n) {
            d.download(src, dst, n);
        }

        @Override
        public void zero(DeviceBuffer dst) {
            d.zero(dst);
        }

        @Override
        public void launch(Launch l) {
            log.add("launch:" + l.kernel());
            d.launch(l);
        }

        @Override
        public void mark(Phase phase) {
            log.add("mark:" + phase.label());
        }

        @Override
        public String describe() {
            return d.describe();
        }

        @Override
        public void close() {
            d.close();
        }
    }

    @Test
    void everyPhaseIsMarkedRightAfterItsWork() {
        LoggingDevice dev = new LoggingDevice(CudaTests.device(false));
        int nIn = 16;
        int B = 2;
        NetShape shape = new NetShape(nIn, 8, 10, 3, B);
        try (KernelNetwork net = new KernelNetwork(dev, shape, LifSpec.notebook(Integrator.EXP, 1), Readout.MAX,
                Adam.notebook())) {
            net.initWeights(0);
            byte[] images = new byte[B * nIn];
            for (int i = 0; i < images.length; i++) {
                images[i] = (byte) (i * 37);
            }
            dev.log.clear();
            net.encode(new PoissonEncoder(PoissonEncoder.Method.EXACT, 1), 0, images, null, 0, B);
            net.forward();
            net.backward(new int[] {3, 7});
            net.adamStep();
        }
        List<String> marks = dev.log.stream().filter(s -> s.startsWith("mark:")).toList();
        assertEquals(List.of("mark:encode", "mark:fc1", "mark:neuron forward", "mark:fc_out", "mark:readout/loss",
                "mark:readout/loss", "mark:weight gradients", "mark:neuron backward", "mark:weight gradients",
                "mark:readout/loss", "mark:optimizer"), marks);
        EnumSet<Phase> seen = EnumSet.noneOf(Phase.class);
        for (String m : marks) {
            for (Phase p : Phase.values()) {
                if (m.equals("mark:" + p.label())) {
                    seen.add(p);
                }
            }
        }
        assertEquals(EnumSet.allOf(Phase.class), seen);
        // The launch right before each mark is the phase's own kernel.
        assertBefore(dev.log, "mark:encode", "launch:poisson_encode_bits_kernel");
        assertBefore(dev.log, "mark:fc1", "launch:spike_linear_forward_bits_kernel");
        assertBefore(dev.log, "mark:neuron forward", "launch:lif_forward_kernel");
        assertBefore(dev.log, "mark:neuron backward", "launch:lif_backward_kernel");
        assertBefore(dev.log, "mark:optimizer", "launch:adam_runs_kernel");
        assertTrue(dev.log.get(0).equals("launch:poisson_encode_bits_kernel"), dev.log.toString());
    }

    private static void assertBefore(List<String> log, String mark, String launch) {
        int i = log.indexOf(mark);
        assertTrue(i > 0, mark + " missing: " + log);
        assertEquals(launch, log.get(i - 1), log.toString());
    }
}
