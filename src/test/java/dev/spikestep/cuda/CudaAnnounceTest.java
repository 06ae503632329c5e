package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikestep.testutil.ConsoleCapture;
import org.junit.jupiter.api.Test;

/** The {@code cuda:} line is said once per device description, however many networks a command makes. */
class CudaAnnounceTest extends ConsoleCapture {
    @Test
    void aDeviceIsAnnouncedOnceAndAnotherOneToo() {
        String gpu0 = "cuda gpu 0: announce test device " + System.nanoTime();
        CudaBackend.announce(gpu0);
        CudaBackend.announce(gpu0);
        CudaBackend.announce(gpu0 + "; 4 packed runs");
        CudaBackend.announce(gpu0);
        assertEquals("cuda: " + gpu0 + "\ncuda: " + gpu0 + "; 4 packed runs\n", err().replace("\r\n", "\n"));
    }
}
