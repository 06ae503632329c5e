package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import java.util.ServiceLoader;

/** Finds the runner of an experiment: the built-in {@code train} and {@code rstdp}, or one installed as a service. */
public final class ExperimentRunners {
    private ExperimentRunners() {
    }

    public static ExperimentRunner forExperiment(String experiment) {
        if (experiment.equals("train")) {
            return new TrainRunner();
        }
        if (experiment.equals("rstdp")) {
            return new RstdpSweepRunner();
        }
        if (experiment.equals("transfer")) {
            return new TransferRunner();
        }
        for (ExperimentRunner r : ServiceLoader.load(ExperimentRunner.class)) {
            if (r.experiment().equals(experiment)) {
                return r;
            }
        }
        throw new SpikestepException("the " + experiment + " experiment is not available in this build: no runner "
                + "for it is installed (the configuration itself is valid; 'train' sweeps run in this build)");
    }
}
