package dev.spikestep.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code spikestep info}: the environment found (Java, OS, CUDA driver, GPUs, PTX, cuBLAS), as DJL's Engine prints it. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the Java runtime, OS, CUDA driver, GPUs and whether the kernels (PTX) and cuBLAS load.")
public final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println("backends: cpu always; cuda needs the lines below to say ok");
        for (String line : cudaInfo()) {
            System.out.println(line);
        }
        return 0;
    }

    /** Detection never crashes: anything thrown becomes a line of output. */
    @SuppressWarnings("unchecked")
    static List<String> cudaInfo() {
        try {
            return (List<String>) Class.forName("dev.spikestep.cuda.CudaBackend").getMethod("info").invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            return List.of("cuda: detection failed (" + e.getCause() + ")");
        } catch (Throwable t) {
            return List.of("cuda: detection failed (" + t + ")");
        }
    }
}
