package dev.spikestep.cuda;

import dev.spikestep.net.Adam;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * Run by {@link CudaFailedCreateTest} in a child JVM on an emulated device of SPIKESTEP_EMU_MEMORY_MIB=64: networks
 * whose allocations run out of memory part way through, then a small one. One line per check, "name value".
 */
final class FailedCreateProbe {
    private FailedCreateProbe() {
    }

    public static void main(String[] args) {
        LifSpec lif = LifSpec.notebook(Integrator.EXP, 5);
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Network net = CudaBackend.create(new NetShape(784, 4096, 10, 50, 256), lif, Readout.MAX, Adam.notebook())) {
                System.out.println("train-network-created " + net);
            } catch (RuntimeException e) {
                System.out.println("train-network-failed " + e.getClass().getSimpleName());
            }
            System.out.println("context-active " + active());
            try (RstdpKernelNetwork net = CudaBackend.createRstdp(784, 100, 10, 200, 4096, 200, lif)) {
                System.out.println("rstdp-network-created " + net);
            } catch (RuntimeException e) {
                System.out.println("rstdp-network-failed " + e.getClass().getSimpleName());
            }
            System.out.println("context-active " + active());
        }
        try (Network net = CudaBackend.create(new NetShape(784, 16, 10, 4, 8), lif, Readout.MAX, Adam.notebook())) {
            System.out.println("small-network-created while active " + active());
        }
        System.out.println("context-active " + active());
    }

    /** Whether GPU 0's primary context is retained (a GPU destroys it, and frees its memory, when it is not). */
    private static int active() {
        CUdevice d = new CUdevice();
        JCudaDriver.cuDeviceGet(d, 0);
        int[] flags = new int[1];
        int[] active = new int[1];
        JCudaDriver.cuDevicePrimaryCtxGetState(d, flags, active);
        return active[0];
    }
}
