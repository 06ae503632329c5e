package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.RstdpNetwork;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sweep workers on one GPU share its primary context: a training step or an R-STDP batch must not
 * wait for another worker's queued work, as a synchronous copy on the legacy NULL stream does. The
 * emulated driver runs queued work only when the host waits, and a synchronous copy runs every
 * stream of the context first (as a GPU orders it); so a copy still pending on the other worker's
 * stream shows whether the step waited for it. Emulator only: on a GPU the pending copy races.
 */
class CudaStagedUploadTest {
    @BeforeEach
    void emulatorOnly() {
        CudaTests.assumeCuda("staged uploads");
        assumeTrue(CudaTests.emulated(), "needs the emulated driver's lazy streams");
    }

    /** A copy queued on another device's stream from a staging buffer rewritten after queueing it (on purpose). */
    private static final class PendingCopy implements AutoCloseable {
        final CudaDevice other = CudaTests.device(false);
        final DeviceBuffer target = other.alloc(4);
        final ByteBuffer stage = other.hostBuffer(4);

        PendingCopy() {
            stage.putInt(0, 1);
            other.upload(target, stage, 4);
            stage.putInt(0, 2); // what the copy reads if it runs during the step
        }

        /** Whether {@code step} (on another device) ran this copy, i.e. waited for this device's stream. */
        boolean ranDuring(Runnable step) {
            step.run();
            stage.putInt(0, 3); // what the copy reads if it runs only when this device waits
            ByteBuffer back = other.hostBuffer(4);
            other.download(target, back, 4);
            return back.getInt(0) == 2;
        }

        @Override
        public void close() {
            other.close();
        }
    }

    @Test
    void aTrainingStepDoesNotWaitForAnotherWorkersStream() {
        int nIn = 16;
        int B = 2;
        byte[] images = new byte[B * nIn];
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (i * 37);
        }
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, 1);
        int[] labels = {3, 7};
        try (KernelNetwork net = new KernelNetwork(CudaTests.device(false), new NetShape(nIn, 8, 10, 3, B),
                LifSpec.notebook(Integrator.EXP, 1), Readout.MAX, Adam.notebook());
             PendingCopy pending = new PendingCopy()) {
            net.initWeights(0);
            Runnable step = () -> {
                net.encode(enc, 1, images, null, 0, B);
                net.forward();
                net.backward(labels);
                net.adamStep();
            };
            step.run(); // the set-up copies (images, table) come with the first step
            assertEquals(false, pending.ranDuring(step), "a training step waited for another worker's stream");
        }
    }

    @Test
    void anRstdpBatchDoesNotWaitForAnotherWorkersStream() {
        int nIn = 16;
        int B = 2;
        byte[] images = new byte[4 * nIn];
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (i * 53);
        }
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, 1);
        int[] labels = {1, 4};
        try (RstdpKernelNetwork net = new RstdpKernelNetwork(CudaTests.device(false), nIn, 8, 10, 4, B, 2,
                LifSpec.notebook(Integrator.EXP, 1));
             PendingCopy pending = new PendingCopy()) {
            net.initWeights(0);
            Runnable batch = () -> {
                net.run(RstdpNetwork.poisson(enc, 5, images, null, 0, nIn), B, labels, 1f);
                net.outputCounts();
                net.update(Reward.PM1, labels, 0.05f, RstdpConfig.W_CLIP);
            };
            batch.run();
            assertEquals(false, pending.ranDuring(batch), "an R-STDP batch waited for another worker's stream");
        }
    }

    /** Three staged copies with no wait between them: the third reuses the first's slot only after it ran. */
    @Test
    void aStagingSlotIsRewrittenOnlyAfterItsCopyRan() {
        try (CudaDevice dev = CudaTests.device(false)) {
            DeviceBuffer[] d = {dev.alloc(8), dev.alloc(8), dev.alloc(8)};
            for (int k = 0; k < 3; k++) {
                dev.upload(d[k], new int[] {k + 1, 10 * (k + 1)}, 2);
            }
            for (int k = 0; k < 3; k++) {
                float[] back = new float[2];
                dev.download(d[k], back, 2);
                assertArrayEquals(new int[] {k + 1, 10 * (k + 1)},
                        new int[] {Float.floatToRawIntBits(back[0]), Float.floatToRawIntBits(back[1])}, "copy " + k);
            }
        }
    }
}
