package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.NetworkFactory;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pack whose run ends without joining, or stops half-way, fails the others instead of hanging them. */
class LockstepPackTest {
    static final NetShape SHAPE = new NetShape(20, 8, 3, 2, 2);

    @Test
    void aRunThatNeverJoinsFailsTheOthers() {
        List<NetworkFactory> f = CudaTests.pack(2);
        Thread quitter = new Thread(() -> {
            try {
                Thread.sleep(200); // the other run is waiting in join by then
                ((AutoCloseable) f.get(1)).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        quitter.start();
        RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(SpikestepException.class,
                () -> f.get(0).create(SHAPE, LifSpec.notebook(Integrator.EXP, 1.0), Readout.MAX, Adam.notebook(), 1)));
        assertTrue(e.getMessage().contains("ended"), e.getMessage());
    }

    @Test
    void aRunThatStopsHalfWayFailsTheOthers() throws Exception {
        List<NetworkFactory> f = CudaTests.pack(2);
        Thread other = new Thread(() -> {
            dev.spikestep.net.Network n = f.get(1).create(SHAPE, LifSpec.notebook(Integrator.EULER, 0.5), Readout.MAX,
                    Adam.notebook(), 1);
            n.initWeights(1);
            n.close(); // ends after joining, without the forward pass run 0 asks for
        });
        other.start();
        dev.spikestep.net.Network n = f.get(0).create(SHAPE, LifSpec.notebook(Integrator.EXP, 1.0), Readout.MAX,
                Adam.notebook(), 1);
        other.join();
        RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(IllegalStateException.class, n::forward));
        assertTrue(e.getMessage().contains("run 1 ended"), e.getMessage());
        // And the pack stays failed: no later step waits either.
        assertThrows(SpikestepException.class, n::adamStep);
        n.close();
    }
}
