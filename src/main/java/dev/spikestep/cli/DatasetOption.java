package dev.spikestep.cli;

import picocli.CommandLine.Option;

/** {@code --dataset} of a training run ({@code train}, {@code rstdp}): which dataset under --data. */
public final class DatasetOption {
    @Option(names = "--dataset", paramLabel = "mnist|mnist-sample|fashion", defaultValue = "mnist",
            description = "Which dataset under --data (default: ${DEFAULT-VALUE}). Prepare it with 'spikestep data'.")
    String name;
}
