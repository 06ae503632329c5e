package dev.spikestep.testutil;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import java.util.stream.Stream;

/**
 * The single-neuron golden fixtures ({@code neuron_*}: every model, integrator, decay_input, reset
 * and dt) and the spec each was generated with, shared by the Java twin's test (NeuronGoldenTest)
 * and the kernels' (cuda/NeuronKernelGoldenTest).
 */
public final class NeuronFixtures {
    private NeuronFixtures() {
    }

    /** The names of the neuron fixtures listed in golden/index.txt. */
    public static Stream<String> names() {
        return Fixture.index().stream().filter(n -> n.startsWith("neuron_"));
    }

    /** Builds the spec a fixture was generated with, from its meta lines. */
    public static NeuronSpec spec(Fixture f) {
        Integrator integ = Integrator.parse(f.meta("integrator"));
        boolean soft = f.meta("reset").equals("soft");
        float vReset = soft ? 0f : f.metaFloat("v_reset");
        int k = f.hasMeta("substeps") ? f.metaInt("substeps") : 1; // SPEC 9; absent = 1
        return switch (f.meta("neuron")) {
            case "lif" -> new LifSpec(integ, f.metaFloat("dt"), f.metaFloat("tau"), f.metaFloat("v_th"), vReset,
                    soft, f.metaBool("decay_input"), k);
            case "izh" -> new IzhSpec(integ, f.metaFloat("dt"), f.metaFloat("tau"), f.metaFloat("v_c"),
                    f.metaFloat("a0"), f.metaFloat("v_th"), vReset, f.metaFloat("v_rest"), f.metaFloat("w_rest"),
                    f.metaFloat("tau_w"), f.metaFloat("a"), f.metaFloat("b"), soft, k);
            default -> throw new IllegalArgumentException(f + ": unknown neuron " + f.meta("neuron"));
        };
    }
}
