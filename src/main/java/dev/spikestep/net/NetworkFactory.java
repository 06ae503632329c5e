package dev.spikestep.net;

import dev.spikestep.neuron.NeuronSpec;

/**
 * Where a {@code Trainer} gets its network: {@link Backends#create} by default; a
 * sweep running packed GPU runs gives each run its view of one packed network
 * ({@link Backends#packed}).
 */
@FunctionalInterface
public interface NetworkFactory {
    Network create(NetShape shape, NeuronSpec neuron, Readout readout, Adam adam, int threads);
}
